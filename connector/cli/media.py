"""``agri media serve``: the read-only server of prepared images for marketplaces that fetch by URL."""

from __future__ import annotations

import typer
import uvicorn

from catalog.image_store import ImageStore
from connector.console import console
from connector.media import mounted_media_app
from connector.settings import get_settings

media_app = typer.Typer(no_args_is_help=True)


@media_app.command("serve")
def media_serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Địa chỉ lắng nghe. Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Cổng. Port."),
) -> None:
    """Phục vụ ảnh đã chuẩn bị (chỉ đọc, không bao giờ ảnh gốc). Serve prepared images, read-only."""
    settings = get_settings()
    store = ImageStore(settings.media_dir)
    console.print(f"Ảnh đã chuẩn bị / prepared images: {store.prepared_dir} → {settings.public_media_url}/<sha256>.jpg")
    uvicorn.run(mounted_media_app(store, settings.public_media_url), host=host, port=port, log_level="info")
