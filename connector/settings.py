"""The one settings class: environment variables prefixed ``AGRI_``, or a ``.env`` file.

Settings are checked like any input: a value that cannot be used raises :class:`SettingsInvalid`, a
:class:`~catalog.errors.ConfigurationError` with its own registered code that names the variable and
what would work (``AGRI_DATABASE_URL=agri.db`` → "did you mean sqlite:///agri.db").  The faces turn it
into a message and exit code 2 like any other configuration error, never a traceback.
"""

from __future__ import annotations

import ipaddress
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from catalog.errors import ConfigurationError


class SettingsInvalid(ConfigurationError):
    """An ``AGRI_*`` value that cannot be used."""

    default_code = "config.setting_invalid"


class _Refused(ValueError):
    """Carries the registered error out of a pydantic validator (pydantic wraps what validators raise)."""

    def __init__(self, error: SettingsInvalid) -> None:
        super().__init__(error.message("en"))
        self.error = error


_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*):(?P<slashes>/*)(?P<rest>.*)$", re.DOTALL)
_DRIVERS = {"sqlite": ("sqlite", "sqlite+pysqlite"), "postgresql": ("postgresql", "postgresql+psycopg")}
_PASSWORD = re.compile(r"(://[^:/@]*):[^@/]*@")
DEFAULT_SANDBOX_PORT = 8790
_FLAG_WORDS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False,
               "off": False, "": False}


def _shown(url: str) -> str:
    """A URL as it may be printed: its password hidden."""
    return _PASSWORD.sub(r"\1:***@", url)


def check_database_url(value: str) -> str:
    """``value`` if SQLAlchemy can open it with the drivers shipped (SQLite, psycopg), else the reason."""
    text = value.strip()
    found = _SCHEME.match(text)
    if found is None or len(found["scheme"]) == 1 or (found["scheme"].lower() == "sqlite"
                                                      and not found["slashes"].startswith("//")):
        # No scheme (``agri.db``, a Windows drive) or a mangled one (``sqlite:/agri.db``): the user meant a file.
        rest = found["rest"].lstrip("/") if found is not None and found["scheme"].lower() == "sqlite" else text
        raise _Refused(SettingsInvalid("config.database_url_scheme", value=_shown(value),
                                       suggestion=f"sqlite:///{rest or 'agri.db'}"))
    scheme = found["scheme"].lower()
    if scheme in ("postgres", "postgresql+psycopg2", "postgresql+asyncpg", "postgresql+pg8000"):
        raise _Refused(SettingsInvalid("config.database_url_unsupported", value=_shown(value), scheme=scheme,
                                       suggestion=_shown(f"postgresql+psycopg://{found['rest']}")))
    if scheme not in (*_DRIVERS["sqlite"], *_DRIVERS["postgresql"]) or not found["slashes"].startswith("//"):
        raise _Refused(SettingsInvalid("config.database_url_unsupported", value=_shown(value), scheme=scheme,
                                       suggestion="sqlite:///agri.db"))
    from sqlalchemy.engine import make_url  # the parser the engine will use, loaded only when settings are read

    try:
        url = make_url(text)
        _ = url.port  # a port that is not a number fails here, not at the first query
    except (ValueError, TypeError) as exc:
        raise _Refused(SettingsInvalid("config.database_url_invalid", value=_shown(value),
                                       detail=str(exc).splitlines()[0][:120])) from exc
    if scheme.startswith("postgresql") and not url.database:
        raise _Refused(SettingsInvalid("config.database_url_invalid", value=_shown(value),
                                       detail="no database name / thiếu tên cơ sở dữ liệu"))
    return text


def http_url_problem(value: str) -> str | None:
    """What keeps ``value`` from being an http(s) address with a host (and a numeric port), or None."""
    try:
        parts = urlsplit(value.strip())
        _ = parts.port
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https"):
        return "http:// or https://"
    return None if parts.hostname else "no host / thiếu tên máy"


def check_http_url(name: str, value: str, example: str) -> str:
    """An http(s) address with a host (and a port that is a number)."""
    problem = http_url_problem(value)
    if problem is not None:
        raise _Refused(SettingsInvalid("config.url", name=name, value=value, detail=problem, example=example))
    return value.strip().rstrip("/")


def _proxy_entry(entry: str) -> bool:
    if entry == "*":
        return True
    try:
        ipaddress.ip_network(entry, strict=False)
        return True
    except ValueError:
        # A host name (uvicorn compares the peer literally, e.g. ``testclient``), but not a mistyped address.
        return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.\-]*", entry)) and not re.fullmatch(r"[\d.]+", entry)


def parse_lang(value: object) -> str:
    """``vi``/``en`` from ``vi``, ``EN``, ``vi-VN``, ``en_US.UTF-8``…; :class:`_Refused` otherwise."""
    text = str(value).strip()
    base = re.split(r"[-_.@]", text.lower(), maxsplit=1)[0]
    if base not in ("vi", "en"):
        raise _Refused(SettingsInvalid("config.lang", value=text))
    return base


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
    sandbox_url: str = Field(default="http://127.0.0.1:8790",
                             description="The simulated marketplaces (`agri sandbox`, `agri serve --with-sandbox`).")
    trusted_proxies: str = Field(
        default="",
        description="Addresses or networks (comma-separated, e.g. 127.0.0.1,10.0.0.0/8) of the reverse proxies "
                    "whose X-Forwarded-For and X-Forwarded-Proto are believed: the client address used by login "
                    "throttling, and the scheme that decides Secure cookies and HSTS. Empty: no proxy is trusted.",
    )
    debug: bool = Field(default=False, description="AGRI_DEBUG=1: an unexpected error shows its Python traceback.")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return check_database_url(value)

    @field_validator("data_dir")
    @classmethod
    def _data_dir(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise _Refused(SettingsInvalid("config.data_dir", value=str(value)))
        return value

    @field_validator("secret_key")
    @classmethod
    def _secret_key(cls, value: SecretStr | None) -> SecretStr | None:
        key = value.get_secret_value().strip() if value is not None else ""
        if not key:
            return None  # unset: commands that store credentials say so (config.secret_key_missing)
        if not re.fullmatch(r"[A-Za-z0-9_\-]{43}=", key):
            raise _Refused(SettingsInvalid("config.secret_key_malformed"))
        return SecretStr(key)

    @field_validator("lang", mode="before")
    @classmethod
    def _lang(cls, value: object) -> str:
        return parse_lang(value)

    @field_validator("public_media_url")
    @classmethod
    def _public_media_url(cls, value: str) -> str:
        return check_http_url("AGRI_PUBLIC_MEDIA_URL", value, "http://127.0.0.1:8000/media")

    @field_validator("sandbox_url")
    @classmethod
    def _sandbox_url(cls, value: str) -> str:
        return check_http_url("AGRI_SANDBOX_URL", value, "http://127.0.0.1:8790")

    @field_validator("trusted_proxies")
    @classmethod
    def _trusted_proxies(cls, value: str) -> str:
        for entry in (part.strip() for part in value.split(",")):
            if entry and not _proxy_entry(entry):
                raise _Refused(SettingsInvalid("config.trusted_proxies", value=entry))
        return value

    @field_validator("debug", mode="before")
    @classmethod
    def _debug(cls, value: object) -> bool:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word not in _FLAG_WORDS:
            raise _Refused(SettingsInvalid("config.flag", name="AGRI_DEBUG", value=str(value)))
        return _FLAG_WORDS[word]

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def sandbox_port(self) -> int:
        """The port of ``AGRI_SANDBOX_URL``: where ``agri sandbox`` and ``agri serve --with-sandbox`` listen by
        default, so that the accounts the demo made (whose addresses point there) keep working."""
        return urlsplit(self.sandbox_url).port or DEFAULT_SANDBOX_PORT


def settings_error(error: ValidationError) -> SettingsInvalid:
    """The registered error behind pydantic's report (the first problem: one fix at a time)."""
    first: dict[str, Any] = dict(error.errors()[0])
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, _Refused):
        return cause.error
    name = "AGRI_" + str(first["loc"][0]).upper() if first.get("loc") else "AGRI_?"
    shown = "***" if "SECRET" in name else str(first.get("input", ""))[:120]
    return SettingsInvalid("config.setting_invalid", name=name, value=shown, detail=str(first.get("msg", "?")))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once.  Tests call ``get_settings.cache_clear()``.

    Raises :class:`SettingsInvalid` (not cached: the next call reads again) when a value cannot be used."""
    try:
        return Settings()
    except ValidationError as exc:
        raise settings_error(exc) from None


def chosen_lang() -> str:
    """The language of messages, even when some other setting is broken (so that error can be said)."""
    try:
        return get_settings().lang
    except SettingsInvalid:
        try:
            return parse_lang(os.environ.get("AGRI_LANG", "vi"))
        except _Refused:
            return "vi"


def debug_enabled() -> bool:
    """``AGRI_DEBUG`` is on (read straight from the environment: it must work when the settings do not)."""
    return _FLAG_WORDS.get(os.environ.get("AGRI_DEBUG", "").strip().lower(), False)
