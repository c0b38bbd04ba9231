"""Manual binding: the listing a support worker created by hand in a seller centre, recorded.

``bind_manually`` creates or updates the product's :class:`~connector.sync.models.Binding` on
the account with state ``active`` and ``manual=True``, so the product counts as listed exactly
as an API-synced one does (the binding is the one record of "listed").  ``bind_from_pack``
reads a listing pack back, with its URL column filled in, through the importer's header
matcher and per-row report.

    bind_manually(session=session, account=account, product=product, listing="https://voso.vn/mien-p123.html")
    result = bind_from_pack(session=session, account=account, path=Path("voso-htx-pack.xlsx"))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session, select

from catalog.audit import record_change
from catalog.clock import utcnow
from catalog.errors import CatalogueValidationError, ConflictError, NotFoundError
from catalog.importing import ColumnSpec, Counts, ImportResult, Problem, ProblemLog, SheetLayout, open_book, read_table
from catalog.importing import convert as cv
from catalog.producers import Producer
from catalog.products import Product
from catalog.text import fold
from connector.accounts import MarketplaceAccount
from connector.listings.layouts import SellerLayout, load_layout
from connector.listings.rows import STATUS_WORDS, RowStatus
from connector.sync import Binding, BindingState, plan_sync

_REMOVED = fold(STATUS_WORDS[RowStatus.removed])  # a pack row telling the worker to take a listing down
_PLAIN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")


@dataclass(frozen=True, slots=True)
class RemoteRef:
    remote_id: str
    url: str | None = None


@dataclass
class BindOutcome:
    ref: str
    remote_id: str
    url: str | None
    action: str  # created | updated | unchanged
    previous_remote_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "remote_id": self.remote_id, "url": self.url, "action": self.action,
                "previous_remote_id": self.previous_remote_id}


def parse_listing_ref(layout: SellerLayout, text: str) -> RemoteRef:
    """A listing address or id as the worker pasted it → the remote id (and the address)."""
    value = text.strip()
    if not value:
        raise CatalogueValidationError("listings.url_invalid", value=text)
    if "://" not in value and "/" not in value:
        if not _PLAIN_ID.match(value):
            raise CatalogueValidationError("listings.url_invalid", value=text)
        return RemoteRef(value)
    url = value if "://" in value else f"https://{value}"
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:  # "[/", a broken IPv6 bracket: not an address at all
        raise CatalogueValidationError("listings.url_invalid", value=text) from None
    if parts.scheme not in ("http", "https") or not host:
        raise CatalogueValidationError("listings.url_invalid", value=text)
    if layout.hosts and host not in layout.hosts:
        raise CatalogueValidationError("listings.url_foreign", value=text, marketplace=layout.marketplace,
                                       hosts=", ".join(layout.hosts))
    clean = f"{parts.scheme}://{host}{parts.path}"
    match = re.search(layout.id_pattern, parts.path) if layout.id_pattern else None
    remote_id = (match.group(1) if match.groups() else match.group(0)) if match else ""
    if not remote_id or len(remote_id) > 128 or len(clean) > 500:
        raise CatalogueValidationError("listings.url_invalid", value=text)
    return RemoteRef(remote_id, clean)


def bind_manually(*, session: Session, account: MarketplaceAccount, product: Product, listing: str,
                  recorded_by: str = "cli") -> BindOutcome:
    """Record that ``product`` is listed on ``account`` at ``listing`` (an address or a remote id)."""
    remote = parse_listing_ref(load_layout(account.marketplace), listing)
    if product.producer_id != account.producer_id:
        owner = session.get(Producer, account.producer_id)
        raise CatalogueValidationError("listings.product_foreign", ref=_ref(session, product), account=account.name,
                                       producer=owner.code if owner else str(account.producer_id))
    return _bind(session, account, product, remote, recorded_by)


def _ref(session: Session, product: Product) -> str:
    producer = session.get(Producer, product.producer_id)
    return f"{producer.code if producer else '?'}/{product.sku}"


def engine_payloads(*, session: Session, account: MarketplaceAccount,
                    product_ids: list[int] | None = None) -> dict[int, tuple[dict[str, Any], str]]:
    """The sync engine's payload and hash of each product's listing on ``account`` (not blocked ones)."""
    plan = plan_sync(session=session, account=account, product_ids=product_ids)
    return {item.product_id: (item.payload, item.payload_hash) for item in plan.items
            if item.payload is not None and item.payload_hash is not None}


def _bind(session: Session, account: MarketplaceAccount, product: Product, remote: RemoteRef,
          recorded_by: str, payloads: dict[int, tuple[dict[str, Any], str]] | None = None) -> BindOutcome:
    assert account.id is not None and product.id is not None
    ref = _ref(session, product)
    taken = session.exec(select(Binding).where(Binding.account_id == account.id,
                                               Binding.remote_id == remote.remote_id)).first()
    if taken is not None and taken.product_id != product.id:
        other = session.get(Product, taken.product_id)
        raise ConflictError("listings.remote_id_taken", value=remote.remote_id,
                            other=_ref(session, other) if other else str(taken.product_id))
    binding = session.exec(select(Binding).where(Binding.account_id == account.id,
                                                 Binding.product_id == product.id)).first()
    previous = binding.remote_id if binding else None
    if (binding is not None and binding.remote_id == remote.remote_id and binding.manual
            and binding.state is BindingState.active and (remote.url is None or binding.remote_url == remote.url)):
        return BindOutcome(ref, remote.remote_id, binding.remote_url, "unchanged", previous)
    action = "updated" if binding else "created"
    if binding is None:
        binding = Binding(account_id=account.id, product_id=product.id)
    if payloads is None:
        payloads = engine_payloads(session=session, account=account, product_ids=[product.id])
    payload, digest = payloads.get(product.id, (None, None))
    now = utcnow()
    binding.remote_id = remote.remote_id
    binding.remote_url = (remote.url or binding.remote_url) if previous == remote.remote_id else remote.url
    binding.state, binding.manual = BindingState.active, True
    # the listing in the sync engine's own form, so a later sync of a connected account sees only
    # what changes after this moment (a blocked listing, say without images, has none)
    binding.payload, binding.payload_hash = payload, digest
    binding.pending_hash, binding.last_error, binding.attempts = None, None, 0
    binding.push_result, binding.push_error, binding.pushed_at = None, None, None  # bound by hand, not pushed
    binding.content_version, binding.stock_version = product.content_version, product.stock_version
    binding.last_synced_at = binding.updated_at = now
    session.add(binding)
    record_change(session=session, actor=recorded_by, entity="binding", entity_id=f"{account.name}:{ref}",
                  action="update" if action == "updated" else "create",
                  before={"remote_id": previous} if previous else None,
                  after={"remote_id": remote.remote_id, "url": binding.remote_url, "manual": True})
    session.flush()
    return BindOutcome(ref, remote.remote_id, binding.remote_url, action, previous)


def unbind_manually(*, session: Session, account: MarketplaceAccount, product: Product,
                    recorded_by: str = "cli") -> BindOutcome:
    """Record that the worker took the listing down: the binding becomes ``delisted`` (its id is kept)."""
    ref = _ref(session, product)
    binding = session.exec(select(Binding).where(Binding.account_id == account.id,
                                                 Binding.product_id == product.id)).first()
    if binding is None or binding.remote_id is None:
        raise NotFoundError(entity="binding", key=f"{account.name}:{ref}")
    if binding.state is BindingState.delisted:
        return BindOutcome(ref, binding.remote_id, binding.remote_url, "unchanged", binding.remote_id)
    before = binding.state.value
    binding.state, binding.manual, binding.updated_at = BindingState.delisted, True, utcnow()
    session.add(binding)
    record_change(session=session, actor=recorded_by, entity="binding", entity_id=f"{account.name}:{ref}",
                  action="update", before={"state": before}, after={"state": BindingState.delisted.value})
    session.flush()
    return BindOutcome(ref, binding.remote_id, binding.remote_url, "delisted", binding.remote_id)


@dataclass
class BindFileResult(ImportResult):
    bound: list[BindOutcome] = field(default_factory=list)
    skipped: int = 0  # rows without an address yet

    def summary(self) -> dict[str, Any]:
        return {**super().summary(), "skipped": self.skipped}

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {**super().to_dict(lang), "bound": [b.to_dict() for b in self.bound]}


def pack_columns(layout: SellerLayout) -> list[ColumnSpec]:
    """The pack's columns as the importer's header matcher reads them back: SKU (required), URL and
    status are used; the others are recognised so they are not reported as unknown."""
    specs = {"sku": ColumnSpec(field="sku", header="", aliases=("SKU", "Mã SKU"), convert=cv.sku, required=True),
             "url": ColumnSpec(field="url", header="", aliases=("URL", "Link", "Đường dẫn"), convert=cv.text(500),
                               cache=False),
             "status": ColumnSpec(field="status", header="", convert=cv.text(40))}
    return [replace(specs[c.field], header=c.header) if c.field in specs else
            ColumnSpec(field=c.field, header=c.header, convert=cv.text(), cache=False)
            for c in layout.pack_columns]


def bind_from_pack(*, session: Session, account: MarketplaceAccount, path: Path, recorded_by: str = "cli",
                   lang: str = "vi") -> BindFileResult:
    """Bind every row of a pack spreadsheet whose URL column is filled in; a per-row report.

    Rows without an address are skipped (not yet listed); a bad address or an unknown SKU is a
    problem on its row and the other rows are still bound.  The session is flushed, not committed."""
    layout = load_layout(account.marketplace)
    specs = pack_columns(layout)
    url_header = next(spec.header for spec in specs if spec.field == "url")
    result = BindFileResult(path=Path(path), mode="keep-valid", dry_run=False, lang=lang)
    counts = result.counts.setdefault("bindings", Counts())
    log = ProblemLog()
    producer = session.get(Producer, account.producer_id)
    assert producer is not None
    products = {p.sku: p for p in session.exec(select(Product).where(Product.producer_id == account.producer_id))}
    payloads = engine_payloads(session=session, account=account)
    try:
        with open_book(Path(path)) as book:
            # the pack's own sheet when it is there (not its "about" sheet); any sheet otherwise
            for name in [layout.pack_sheet] if layout.pack_sheet in book.sheet_names else book.sheet_names:
                table = read_table(book.sheet(name), specs, log=log, optional=True)
                if table is None:
                    continue
                if "url" not in table.fields_present:  # optional per row, not as a column
                    log.error("import.header_missing", sheet=name, row=None, columns=f"'{url_header}'")
                    continue
                result.layouts[name] = SheetLayout(name, table.header_row, table.positions, table.columns)
                for parsed in table.rows:
                    result.rows_read += 1
                    values = parsed.values
                    if not values.get("url") or fold(values.get("status") or "") == _REMOVED:
                        if parsed.ok or "sku" in values:
                            result.skipped += 1
                        continue
                    if not parsed.ok:
                        counts.rejected += 1
                        continue
                    _bind_row(session, account, layout, products, producer.code, values, result, log,
                              sheet=name, row=parsed.row, columns=table.columns, recorded_by=recorded_by,
                              payloads=payloads)
    except CatalogueValidationError as error:
        log.add(Problem.from_error(error, sheet=None, row=None, column=None))
    if not result.layouts and not log.file_errors:
        log.error("import.no_sheets", sheet=None, row=None,
                  columns=", ".join(f"'{s.header}'" for s in specs))
    result.problems = log.problems
    return result


def _bind_row(session: Session, account: MarketplaceAccount, layout: SellerLayout, products: dict[str, Product],
              producer_code: str, values: dict[str, Any], result: BindFileResult, log: ProblemLog, *, sheet: str,
              row: int, columns: dict[str, str], recorded_by: str,
              payloads: dict[int, tuple[dict[str, Any], str]]) -> None:
    counts = result.counts["bindings"]
    product = products.get(values["sku"])
    if product is None:
        log.error("listings.sku_unknown", sheet=sheet, row=row, column=columns.get("sku"), value=values["sku"],
                  producer=producer_code)
        counts.rejected += 1
        return
    try:
        remote = parse_listing_ref(layout, values["url"])
        with session.begin_nested():
            outcome = _bind(session, account, product, remote, recorded_by, payloads)
    except (CatalogueValidationError, ConflictError) as error:
        log.error(error.code, sheet=sheet, row=row, column=columns.get("url"), value=values["url"],
                  **{k: v for k, v in error.params.items() if k != "value"})
        counts.rejected += 1
        return
    result.bound.append(outcome)
    if outcome.action == "created":
        counts.created += 1
    elif outcome.action == "updated":
        counts.updated += 1
    else:
        counts.unchanged += 1
