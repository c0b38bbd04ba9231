"""Marketplace profiles for the generic adapter: one TOML file describes a marketplace's REST API.

A profile is read once and checked; a faulty one raises ConfigurationError
``adapters.profile_invalid`` naming the file, the dotted key and the reason.  The format is
documented in ``adapters/generic/README.md`` and the shipped profiles are in ``profiles/``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from adapters.base import Capabilities, ListingState, OrderStatus
from catalog.errors import ConfigurationError
from catalog.images import ImageProfile, profile_named

PROFILE_DIR = Path(__file__).parent / "profiles"

AUTH_SCHEMES = ("none", "api_key", "bearer_login", "hmac_query")
ENCODINGS = ("json", "form", "query", "multipart")
PAGINATION = ("none", "page", "offset", "cursor", "token", "link")
OPERATIONS = ("create", "update", "get", "find", "stock_price", "delist", "upload_image", "orders", "order_lines")
REQUIRED_OPERATIONS = ("create", "get", "find", "stock_price", "orders")


@dataclass(frozen=True)
class Pagination:
    style: str = "none"
    param: str = ""  # page / offset / cursor / token parameter
    location: str = "query"  # query | body
    start: int = 1  # first page number
    size: int = 50  # page size (offset style: step)
    size_param: str = ""
    next_path: str = ""  # cursor/token: where the next one sits
    pages_path: str = ""  # page: the number of pages
    more_path: str = ""  # cursor: a boolean "more" flag


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    encoding: str = "json"
    query: Mapping[str, Any] = field(default_factory=dict)
    body: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    idempotent: bool = True
    rate: float | None = None  # requests per second for this endpoint
    item_path: str | None = None  # where the product (or order) object sits in the answer
    items_path: str | None = None  # where a list of objects sits
    id_path: str | None = None  # where a bare id sits (when the answer carries no object)
    url_path: str | None = None  # upload_image: where the hosted URL sits (when it gives a URL, not an id)
    file_field: str = "file"
    pagination: Pagination = field(default_factory=Pagination)


@dataclass(frozen=True)
class Auth:
    scheme: str = "none"
    credentials: tuple[str, ...] = ()
    location: str = "header"  # api_key: header | query
    name: str = ""
    value: str = ""
    login: Operation | None = None
    token_path: str = ""
    expires_path: str = ""  # seconds, or an ISO time
    header: str = "Authorization"
    header_value: str = "Bearer {token}"
    sign_params: Mapping[str, str] = field(default_factory=dict)
    sign_param: str = "sign"
    sign_key: str = ""
    sign_string: str = "{path}{sorted_params}"
    sign_case: str = "lower"


@dataclass(frozen=True)
class Errors:
    code_path: str | None = None
    success_codes: tuple[str, ...] = ("", "0")
    message_path: str | None = None
    message_header: str | None = None
    fields_path: str | None = None
    field_key: str = "field"
    field_message_key: str = "message"
    rate_limited: tuple[str, ...] = ()
    retry: tuple[str, ...] = ()
    auth_expired: tuple[str, ...] = ()
    auth: tuple[str, ...] = ()
    not_found: tuple[str, ...] = ()
    skippable: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObjectMap:
    """Where each of our fields sits in a remote object, plus the status vocabulary."""

    paths: Mapping[str, str]
    states: Mapping[str, str]  # remote value -> our value
    time_format: str = "iso"


@dataclass(frozen=True)
class Profile:
    name: str
    file: Path
    title: str
    capabilities: Capabilities
    image_profile: ImageProfile
    auth: Auth
    errors: Errors
    operations: Mapping[str, Operation]
    listing: ObjectMap
    order: ObjectMap


class _Reader:
    """Typed access to a TOML table, every failure naming file, key and reason."""

    def __init__(self, file: Path, data: Mapping[str, Any], prefix: str = "") -> None:
        self.file, self.data, self.prefix = file, data, prefix

    def fail(self, key: str, reason: str) -> ConfigurationError:
        return ConfigurationError("adapters.profile_invalid", file=str(self.file), key=self.prefix + key, reason=reason)

    def table(self, key: str, *, required: bool = False) -> _Reader:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(key, "missing table")
            value = {}
        if not isinstance(value, Mapping):
            raise self.fail(key, "must be a table")
        return _Reader(self.file, value, f"{self.prefix}{key}.")

    def text(self, key: str, default: str | None = None, *, choices: tuple[str, ...] | None = None) -> str:
        value = self.data.get(key, default)
        if value is None:
            raise self.fail(key, "missing")
        if not isinstance(value, str):
            raise self.fail(key, "must be a string")
        if choices is not None and value not in choices:
            raise self.fail(key, f"'{value}' is not one of {', '.join(choices)}")
        return value

    def opt_str(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(key, "must be a string")
        return value

    def whole(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(key, "must be a whole number")
        return value

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise self.fail(key, "must be a positive number")
        return float(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            raise self.fail(key, "must be a list of strings")
        return tuple(str(v) for v in value)

    def mapping(self, key: str) -> Mapping[str, Any]:
        value = self.data.get(key, {})
        if not isinstance(value, Mapping):
            raise self.fail(key, "must be a table")
        return value


def _operation(reader: _Reader, name: str) -> Operation:
    pages = reader.table("pagination")
    style = pages.text("style", "none", choices=PAGINATION)
    if style in ("page", "offset", "cursor", "token") and not pages.data.get("param"):
        raise pages.fail("param", f"pagination style '{style}' needs a parameter name")
    if style in ("cursor", "token") and not pages.data.get("next_path"):
        raise pages.fail("next_path", f"pagination style '{style}' needs next_path")
    path = reader.text("path")
    if not path.startswith("/"):
        raise reader.fail("path", "must start with /")
    return Operation(
        name=name,
        method=reader.text("method", "GET", choices=("GET", "POST", "PUT", "PATCH", "DELETE")),
        path=path,
        encoding=reader.text("encoding", "json", choices=ENCODINGS),
        query=reader.mapping("query"),
        body=reader.mapping("body"),
        headers={str(k): str(v) for k, v in reader.mapping("headers").items()},
        idempotent=reader.flag("idempotent", name != "create"),
        rate=reader.number("rate"),
        item_path=reader.opt_str("item_path"),
        items_path=reader.opt_str("items_path"),
        id_path=reader.opt_str("id_path"),
        url_path=reader.opt_str("url_path"),
        file_field=reader.text("file_field", "file"),
        pagination=Pagination(
            style=style,
            param=pages.text("param", ""),
            location=pages.text("location", "query", choices=("query", "body")),
            start=pages.whole("start", 1),
            size=pages.whole("size", 50),
            size_param=pages.text("size_param", ""),
            next_path=pages.text("next_path", ""),
            pages_path=pages.text("pages_path", ""),
            more_path=pages.text("more_path", ""),
        ),
    )


def _states(reader: _Reader, key: str, allowed: tuple[str, ...]) -> dict[str, str]:
    table = reader.table(key, required=True)
    out: dict[str, str] = {}
    for ours in table.data:
        if ours not in allowed:
            raise table.fail(ours, f"not one of {', '.join(allowed)}")
        for value in table.strings(ours):
            out[value] = ours
    return out


def load_profile(path: Path) -> Profile:
    """Read and check one profile file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError("adapters.profile_invalid", file=str(path), key="-", reason=str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError("adapters.profile_invalid", file=str(path), key="-", reason=str(exc)) from None
    root = _Reader(path, data)
    caps = root.table("capabilities", required=True)
    window = caps.data.get("max_order_window_days")
    if window is not None and (not isinstance(window, int) or window < 1):
        raise caps.fail("max_order_window_days", "must be a whole number of days, at least 1")
    try:
        image_profile = profile_named(caps.text("image_profile", "default"))
    except ConfigurationError as exc:
        raise caps.fail("image_profile", exc.message("en")) from None
    capabilities = Capabilities(
        images=caps.text("images", "url", choices=("url", "upload")),  # type: ignore[arg-type]
        needs_review=caps.flag("needs_review", False),
        max_order_window=timedelta(days=window) if window else None,
        pagination=caps.text("pagination", "page", choices=PAGINATION[1:]),  # type: ignore[arg-type]
        batch_limit=caps.whole("batch_limit", 1),
        title_max_length=caps.whole("title_max_length", 120),
        description_max_length=caps.whole("description_max_length", 5000),
        requests_per_second=caps.number("requests_per_second") or 10.0,
    )
    auth_table = root.table("auth", required=True)
    scheme = auth_table.text("scheme", choices=AUTH_SCHEMES)
    login = None
    if scheme == "bearer_login":
        login = _operation(auth_table.table("login", required=True), "login")
        auth_table.text("token_path")
    if scheme == "api_key":
        auth_table.text("name")
        auth_table.text("value")
    if scheme == "hmac_query":
        auth_table.text("key")
    auth = Auth(
        scheme=scheme,
        credentials=auth_table.strings("credentials"),
        location=auth_table.text("location", "header", choices=("header", "query")),
        name=auth_table.text("name", ""),
        value=auth_table.text("value", ""),
        login=login,
        token_path=auth_table.text("token_path", ""),
        expires_path=auth_table.text("expires_path", ""),
        header=auth_table.text("header", "Authorization"),
        header_value=auth_table.text("header_value", "Bearer {token}"),
        sign_params={str(k): str(v) for k, v in auth_table.mapping("params").items()},
        sign_param=auth_table.text("sign_param", "sign"),
        sign_key=auth_table.text("key", ""),
        sign_string=auth_table.text("string", "{path}{sorted_params}"),
        sign_case=auth_table.text("case", "lower", choices=("lower", "upper")),
    )
    if scheme != "none" and not auth.credentials:
        raise auth_table.fail("credentials", "list the secrets an account must hold")
    err = root.table("errors")
    errors = Errors(
        code_path=err.opt_str("code_path"),
        success_codes=err.strings("success_codes") or ("", "0"),
        message_path=err.opt_str("message_path"),
        message_header=err.opt_str("message_header"),
        fields_path=err.opt_str("fields_path"),
        field_key=err.text("field_key", "field"),
        field_message_key=err.text("field_message_key", "message"),
        rate_limited=err.strings("rate_limited"),
        retry=err.strings("retry"),
        auth_expired=err.strings("auth_expired"),
        auth=err.strings("auth"),
        not_found=err.strings("not_found"),
        skippable=err.strings("skippable"),
    )
    ops_table = root.table("operations", required=True)
    operations = {}
    for name in ops_table.data:
        if name not in OPERATIONS:
            raise ops_table.fail(name, f"unknown operation (known: {', '.join(OPERATIONS)})")
        operations[name] = _operation(ops_table.table(name), name)
    for name in REQUIRED_OPERATIONS:
        if name not in operations:
            raise ops_table.fail(name, "missing operation")
    if capabilities.images == "upload" and "upload_image" not in operations:
        raise ops_table.fail("upload_image", "images are uploaded but no upload_image operation is given")
    listing = root.table("listing", required=True)
    order = root.table("order", required=True)
    for key in ("id", "state"):
        listing.text(key)
    for key in ("id", "status", "placed_at", "updated_at", "total"):
        order.text(key)
    return Profile(
        name=path.stem,
        file=path,
        title=root.text("title", path.stem),
        capabilities=capabilities,
        image_profile=image_profile,
        auth=auth,
        errors=errors,
        operations=operations,
        listing=ObjectMap(
            paths={k: v for k, v in listing.data.items() if isinstance(v, str)},
            states=_states(listing, "states", tuple(s.value for s in ListingState)),
        ),
        order=ObjectMap(
            paths={k: v for k, v in order.data.items() if isinstance(v, str)},
            states=_states(order, "statuses", tuple(s.value for s in OrderStatus)),
            time_format=order.text("time_format", "iso", choices=("iso", "epoch", "epoch_ms")),
        ),
    )


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


@lru_cache(maxsize=64)
def get_profile(name: str) -> Profile:
    """A shipped profile by name, or a profile file by path (a name ending in ``.toml``)."""
    if name.endswith(".toml"):
        return load_profile(Path(name))
    path = PROFILE_DIR / f"{name}.toml"
    if not path.exists():
        raise ConfigurationError("adapters.profile_unknown", value=name, allowed=", ".join(profile_names()))
    return load_profile(path)
