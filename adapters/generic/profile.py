"""Marketplace profiles for the generic adapter: one TOML file describes a marketplace's REST API.

The pydantic models below are **the** schema of a profile: one model per table, every key typed,
unknown keys refused.  :func:`load_profile` reads a file through them; a faulty one raises
ConfigurationError ``adapters.profile_invalid`` naming the file, the dotted key and the reason
(:mod:`adapters.generic.problems` turns pydantic's errors into that).  The format is documented
in ``adapters/generic/README.md`` and the shipped profiles are in ``profiles/``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from adapters.base import Capabilities
from adapters.generic.problems import Problem, profile_problem
from catalog.errors import ConfigurationError
from catalog.images import ImageProfile, profile_named

PROFILE_DIR = Path(__file__).parent / "profiles"


def _codes(value: Any) -> Any:
    """A list of codes or values: one text, or a list of texts and whole numbers (kept as text)."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        return tuple(str(v) for v in value)
    raise ValueError("must be a list of strings")


def _texts(value: Any) -> Any:
    """A table whose values are sent as text (headers, signed parameters)."""
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else value


def _positive(value: float | None) -> float | None:
    if value is not None and value <= 0:
        raise ValueError("must be a positive number")
    return value


Codes = Annotated[tuple[str, ...], BeforeValidator(_codes)]
TextTable = Annotated[dict[str, str], BeforeValidator(_texts)]
Positive = Annotated[float, AfterValidator(_positive)]


class Table(BaseModel):
    """A table of a profile: strictly typed, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    unknown_key: ClassVar[str] = "unknown key (known: {known})"  # the reason given for a key not below
    missing_key: ClassVar[str] = "missing"  # … and for a required key (a table: "missing table")


# -- operations --------------------------------------------------------------------------------


class Pagination(Table):
    style: Literal["none", "page", "offset", "cursor", "token", "link"] = "none"
    param: str = ""  # page / offset / cursor / token parameter
    location: Literal["query", "body"] = "query"
    start: int = 1  # first page number
    size: int = 50  # page size (offset style: step)
    size_param: str = ""
    next_path: str = ""  # cursor/token: where the next one sits
    pages_path: str = ""  # page: the number of pages
    more_path: str = ""  # cursor: a boolean "more" flag

    @model_validator(mode="after")
    def _complete(self) -> Pagination:
        if self.style in ("page", "offset", "cursor", "token") and not self.param:
            raise Problem("param", f"pagination style '{self.style}' needs a parameter name")
        if self.style in ("cursor", "token") and not self.next_path:
            raise Problem("next_path", f"pagination style '{self.style}' needs next_path")
        return self


class Operation(Table):
    name: str = Field(exclude=True)  # the table's name (given by the enclosing table, never written)
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    path: str
    encoding: Literal["json", "form", "query", "multipart"] = "json"
    query: dict[str, Any] = Field(default_factory=dict)  # a template
    body: dict[str, Any] = Field(default_factory=dict)  # a template
    headers: TextTable = Field(default_factory=dict)
    idempotent: bool = True  # create defaults to false: never retried blindly
    rate: Positive | None = None  # requests per second for this endpoint
    item_path: str | None = None  # where the product (or order) object sits in the answer
    items_path: str | None = None  # where a list of objects sits
    id_path: str | None = None  # where a bare id sits (when the answer carries no object)
    url_path: str | None = None  # upload_image: where the hosted URL sits (when it gives a URL, not an id)
    file_field: str = "file"
    pagination: Pagination = Field(default_factory=Pagination)

    @field_validator("path")
    @classmethod
    def _absolute(cls, path: str) -> str:
        if not path.startswith("/"):
            raise ValueError("must start with /")
        return path


def _named(tables: Any) -> Any:
    """Give each operation table its name (and create its default: not idempotent)."""
    if not isinstance(tables, Mapping):
        return tables
    out: dict[str, Any] = {}
    for name, table in tables.items():
        if isinstance(table, Mapping):
            if "name" in table:
                raise Problem(f"{name}.name", "unknown key")
            table = {"idempotent": name != "create", **table, "name": name}
        out[name] = table
    return out


class Operations(Table):
    unknown_key = "unknown operation (known: {known})"
    missing_key = "missing operation"

    create: Operation
    update: Operation | None = None
    get: Operation
    find: Operation
    stock_price: Operation
    delist: Operation | None = None
    upload_image: Operation | None = None
    orders: Operation
    order_lines: Operation | None = None

    @model_validator(mode="before")
    @classmethod
    def _name_tables(cls, data: Any) -> Any:
        return _named(data)

    def named(self, name: str) -> Operation | None:
        """The operation called ``name``, None when the profile does not give it."""
        return getattr(self, name, None) if name in type(self).model_fields else None

    def __getitem__(self, name: str) -> Operation:
        op = self.named(name)
        if op is None:
            raise KeyError(name)
        return op

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.named(name) is not None


# -- the other tables --------------------------------------------------------------------------


class CapabilitiesTable(Table):
    images: Literal["url", "upload"] = "url"
    needs_review: bool = False
    max_order_window_days: int | None = None  # list_orders refuses longer windows
    pagination: Literal["page", "offset", "cursor", "token", "link"] = "page"
    batch_limit: int = 1
    title_max_length: int = 120
    description_max_length: int = 5000
    requests_per_second: Positive = 10.0  # the per-account limiter
    image_profile: str = "default"  # a catalog.images profile name

    @field_validator("max_order_window_days")
    @classmethod
    def _at_least_a_day(cls, days: int | None) -> int | None:
        if days is not None and days < 1:
            raise ValueError("must be a whole number of days, at least 1")
        return days

    @field_validator("image_profile")
    @classmethod
    def _known_image_profile(cls, name: str) -> str:
        try:
            profile_named(name)
        except ConfigurationError as exc:
            raise ValueError(exc.message("en")) from None
        return name

    def contract(self) -> Capabilities:
        """These capabilities as the adapter contract states them."""
        return Capabilities(
            images=self.images,
            needs_review=self.needs_review,
            max_order_window=timedelta(days=self.max_order_window_days) if self.max_order_window_days else None,
            pagination=self.pagination,
            batch_limit=self.batch_limit,
            title_max_length=self.title_max_length,
            description_max_length=self.description_max_length,
            requests_per_second=self.requests_per_second,
        )


class AuthTable(Table):
    scheme: Literal["none", "api_key", "bearer_login", "hmac_query"]
    credentials: Codes = ()  # the secrets an account must hold
    location: Literal["header", "query"] = "header"  # api_key
    name: str = ""  # api_key: the header or parameter
    value: str = ""  # api_key: a template of the credentials
    login: Operation | None = None  # bearer_login
    token_path: str = ""
    expires_path: str = ""  # seconds, an epoch time or an ISO time
    header: str = "Authorization"
    header_value: str = "Bearer {token}"
    sign_params: TextTable = Field(default_factory=dict, alias="params")  # hmac_query: added to the query
    sign_param: str = "sign"
    sign_key: str = Field("", alias="key")
    sign_string: str = Field("{path}{sorted_params}", alias="string")
    sign_case: Literal["lower", "upper"] = Field("lower", alias="case")

    @model_validator(mode="before")
    @classmethod
    def _name_login(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and isinstance(data.get("login"), Mapping):
            return {**data, "login": _named({"login": data["login"]})["login"]}
        return data

    @model_validator(mode="after")
    def _complete(self) -> AuthTable:
        given = self.model_fields_set
        needed = {"bearer_login": ("login", "token_path"), "api_key": ("name", "value"), "hmac_query": ("sign_key",)}
        for field in needed.get(self.scheme, ()):
            if field not in given:
                key = type(self).model_fields[field].alias or field
                raise Problem(key, "missing table" if field == "login" else "missing")
        if self.scheme != "none" and not self.credentials:
            raise Problem("credentials", "list the secrets an account must hold")
        return self


class ErrorsTable(Table):
    """Errors found in the body (any HTTP status) or a header."""

    code_path: str | None = None  # absent or in success_codes: a success
    success_codes: Codes = ("", "0")
    message_path: str | None = None
    message_header: str | None = None
    fields_path: str | None = None  # a list of {field_key, field_message_key}
    field_key: str = "field"
    field_message_key: str = "message"
    rate_limited: Codes = ()
    retry: Codes = ()
    auth_expired: Codes = ()
    auth: Codes = ()
    not_found: Codes = ()
    skippable: Codes = ()

    @field_validator("success_codes")
    @classmethod
    def _some(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return codes or ("", "0")


class States(Table):
    """Our states, each with the remote values that mean it."""

    unknown_key = "not one of {known}"
    _by_remote: dict[str, str] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any) -> None:
        self._by_remote = {remote: ours for ours in type(self).model_fields for remote in getattr(self, ours)}

    def by_remote(self) -> dict[str, str]:
        """remote value → our value"""
        return self._by_remote


class ListingStates(States):
    active: Codes = ()
    pending_review: Codes = ()
    rejected: Codes = ()
    delisted: Codes = ()


class OrderStatuses(States):
    pending: Codes = ()
    confirmed: Codes = ()
    shipping: Codes = ()
    delivered: Codes = ()
    completed: Codes = ()
    cancelled: Codes = ()
    returned: Codes = ()


class ListingTable(Table):
    """Dotted paths in a remote product object."""

    id: str
    state: str
    sku: str | None = None
    price: str | None = None
    stock: str | None = None
    title: str | None = None
    url: str | None = None
    reasons: str | None = None
    reason_field: str = "field"  # the keys of each reason
    reason_message: str = "message"
    states: ListingStates


class OrderTable(Table):
    """Dotted paths in a remote order; its lines from ``lines`` or the order_lines operation."""

    id: str
    status: str
    placed_at: str
    updated_at: str
    total: str
    province: str | None = None
    confirm_by: str | None = None
    lines: str = "lines"
    line_sku: str = "sku"
    line_quantity: str | None = None  # none: one row per unit (Lazada)
    line_unit_price: str = "unit_price"
    line_amount: str = "amount"
    line_listing_id: str = "listing_id"
    line_title: str = "title"
    time_format: Literal["iso", "epoch", "epoch_ms"] = "iso"
    statuses: OrderStatuses


class Profile(Table):
    """A whole profile file."""

    title: str | None = None  # a human name
    capabilities: CapabilitiesTable
    auth: AuthTable
    errors: ErrorsTable = Field(default_factory=ErrorsTable)
    operations: Operations
    listing: ListingTable
    order: OrderTable
    _name: str = PrivateAttr("profile")
    _file: Path = PrivateAttr(Path("-"))

    def model_post_init(self, context: Any) -> None:
        if isinstance(context, Mapping):
            self._file = Path(context["file"])
            self._name = self._file.stem

    @property
    def name(self) -> str:
        """The file's stem: ``sandbox`` for ``profiles/sandbox.toml``."""
        return self._name

    @property
    def file(self) -> Path:
        return self._file

    @property
    def image_profile(self) -> ImageProfile:
        return profile_named(self.capabilities.image_profile)

    @model_validator(mode="after")
    def _uploads_have_an_operation(self) -> Profile:
        if self.capabilities.images == "upload" and self.operations.upload_image is None:
            raise Problem("operations.upload_image", "images are uploaded but no upload_image operation is given")
        return self


def load_profile(path: Path) -> Profile:
    """Read and check one profile file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError("adapters.profile_invalid", file=str(path), key="-", reason=str(exc)) from None
    try:
        return Profile.model_validate(data, context={"file": path})
    except ValidationError as exc:
        raise profile_problem(Profile, path, exc) from None


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
