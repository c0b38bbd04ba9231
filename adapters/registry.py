"""Which adapters exist: every entry point of the group ``agri_connector.adapters``.

The built-ins (voso, postmart, generic) are registered by this project's own ``pyproject.toml``;
a third-party package adds a marketplace by declaring an entry point in the same group, with no
change here.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

import httpx

from adapters.base import AccountConfig, Adapter
from catalog.errors import ConfigurationError

GROUP = "agri_connector.adapters"


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def adapter_keys() -> list[str]:
    """The keys of every registered adapter, sorted."""
    return sorted(_entry_points())


def adapter_class(key: str) -> type[Adapter]:
    """The adapter class registered under ``key``; ConfigurationError ``adapters.unknown`` if none."""
    points = _entry_points()
    point = points.get(key)
    if point is None:
        raise ConfigurationError("adapters.unknown", value=key, allowed=", ".join(sorted(points)) or "-")
    try:
        cls = point.load()
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError("adapters.load_failed", value=key, detail=f"{type(exc).__name__}: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise ConfigurationError("adapters.load_failed", value=key, detail=f"{point.value} is not an Adapter")
    return cls


def build_adapter(config: AccountConfig, client: httpx.AsyncClient) -> Adapter:
    """The adapter for ``config.marketplace``, built on the caller's client.

    Raises ConfigurationError ``adapters.credentials_missing`` when the account lacks a secret
    the adapter needs (names only, never values).
    """
    cls = adapter_class(config.marketplace)
    needed = cls.required_credentials(config.profile)
    missing = [name for name in needed if not config.credentials.get(name)]
    if missing:
        raise ConfigurationError(
            "adapters.credentials_missing",
            account=config.name,
            marketplace=config.marketplace,
            fields=", ".join(missing),
        )
    return cls(config, client)
