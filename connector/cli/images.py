"""``agri images prepare``: shape photos for a marketplace, one result per file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from catalog.errors import AgriConnectorError
from catalog.image_store import BulkResult, ImageStore, prepare_many
from catalog.images import profile_named
from connector.cli.output import ExitCode, JsonOption, emit_json, finish, lang, reporting
from connector.console import console, table
from connector.settings import get_settings

images_app = typer.Typer(no_args_is_help=True)


@images_app.command("prepare")
def images_prepare(
    paths: list[Path] = typer.Argument(..., help="Tệp ảnh hoặc thư mục ảnh. Image files or folders."),
    profile: str = typer.Option("default", "--profile", "-p",
                                help="Hồ sơ ảnh của sàn (default, voso, postmart). Marketplace image profile."),
    out: Path = typer.Option(..., "--out", "-o", help="Thư mục ghi ảnh đã chuẩn bị. Output folder."),
    workers: int | None = typer.Option(None, "--workers", help="Số tiến trình (mặc định: mọi lõi). Processes."),
    json_mode: bool = JsonOption,
) -> None:
    """Chuẩn bị ảnh cho sàn: xoay đúng chiều, đổi cỡ, nền trắng, bỏ GPS. Prepare images for a marketplace."""
    with reporting(json_mode):
        chosen = profile_named(profile)
        files = _expand(paths)
        store = ImageStore(get_settings().media_dir)
        try:
            results = prepare_many(files, chosen, store, workers=workers, progress=not json_mode)
        finally:
            store.close()
        rows = _write_outputs(results, out)
        errors = [{"path": r["path"], "code": r["code"], "message": r["message"]} for r in rows if not r["ok"]]
        summary = {"count": len(rows), "prepared": len(rows) - len(errors), "failed": len(errors),
                   "profile": chosen.name, "out": str(out)}
        if json_mode:
            emit_json(data=rows, errors=errors, summary=summary)
        else:
            _print(rows, summary)
    finish(ExitCode.PARTIAL if errors else ExitCode.OK)


def _expand(paths: list[Path]) -> list[Path]:
    """Folders stand for the files directly inside them; a missing path is reported per file."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        else:
            files.append(path)
    return files


def _write_outputs(results: list[BulkResult], out: Path) -> list[dict[str, Any]]:
    out.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    rows = []
    for result in results:
        if result.variant is None or result.error is not None:
            error = result.error or AgriConnectorError("internal.error", detail="no result")
            rows.append({"path": result.source, "ok": False, "code": error.code, "message": error.message(lang())})
            continue
        variant = result.variant
        name = _unique(Path(result.source).stem or variant.sha256[:16], variant.extension, used)
        (out / name).write_bytes(variant.path.read_bytes())
        rows.append({"path": result.source, "ok": True, "out": str(out / name), "width": variant.width,
                     "height": variant.height, "bytes": variant.byte_count, "sha256": variant.sha256,
                     "original_sha256": result.original_sha256, "cached": result.cached})
    return rows


def _unique(stem: str, ext: str, used: set[str]) -> str:
    name, n = f"{stem}.{ext}", 1
    while name in used:
        n += 1
        name = f"{stem}-{n}.{ext}"
    used.add(name)
    return name


def _print(rows: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    lines = [(r["path"], "✓" if r["ok"] else f"✗ {r['code']}", f"{r['width']}×{r['height']}" if r["ok"] else "",
              r["bytes"] if r["ok"] else "", r["sha256"][:16] if r["ok"] else r["message"]) for r in rows]
    console.print(table(f"Ảnh, hồ sơ {summary['profile']} ({summary['prepared']}/{summary['count']} được)",
                        ["Tệp", "Kết quả", "Kích thước", "Byte", "SHA-256 / lỗi"], lines))
