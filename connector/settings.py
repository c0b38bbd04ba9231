"""The one settings class: environment variables prefixed ``AGRI_``, or a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AGRI_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./agri.db",
        description="SQLAlchemy URL; SQLite by default, postgresql+psycopg://… for PostgreSQL.",
    )
    data_dir: Path = Field(default=Path("./agri-data"), description="Media files and caches.")
    secret_key: SecretStr | None = Field(
        default=None, description="Fernet key that encrypts stored marketplace credentials."
    )
    lang: Literal["vi", "en"] = "vi"
    public_media_url: str = Field(
        default="http://127.0.0.1:8000/media",
        description="Where marketplaces fetch prepared images that are sent by URL.",
    )
    sandbox_url: str = "http://127.0.0.1:8790"
    trusted_proxies: str = Field(
        default="",
        description="Addresses or networks (comma-separated, e.g. 127.0.0.1,10.0.0.0/8) of the reverse proxies "
                    "whose X-Forwarded-For and X-Forwarded-Proto are believed: the client address used by login "
                    "throttling, and the scheme that decides Secure cookies and HSTS. Empty: no proxy is trusted.",
    )

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once.  Tests call ``get_settings.cache_clear()``."""
    return Settings()
