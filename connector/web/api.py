"""The JSON API under ``/api``: the same operations as the pages, the same envelope as ``--json``::

    {"ok": bool, "data": …, "errors": [{"code", "message", …}], "summary": {…}}

It authenticates with the same session cookie; writes also send the session's CSRF token in the
``X-CSRF-Token`` header (``GET /api/me`` returns it).  Errors carry the registry's codes.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from catalog.clock import local_today
from catalog.periods import parse_period
from catalog.producers import Producer
from catalog.products import Product, ProductPublic, ProductUpdate, update_product
from connector.funnel import FUNNEL_STEPS
from connector.ledger import indicators, reported_totals, turnover
from connector.onboarding import build_funnel
from connector.users import Role
from connector.web.deps import RowId, UserPage
from connector.web.pages.catalogue import UPLOADERS, forget_upload, run_import, stage_upload
from connector.web.pages.field import STAFF, open_candidates
from connector.web.pages.products import EDITORS
from connector.web.scope import scoped_product, visible_products
from connector.web.services import province_counts

router = APIRouter(prefix="/api", tags=["api"])
T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    ok: bool = True
    data: T | None = None
    errors: list[dict[str, Any]] = Field(default_factory=list)
    summary: dict[str, Any] = Field(default_factory=dict)


class Me(BaseModel):
    username: str
    display_name: str
    role: Role
    producer_id: int | None
    communes: list[str]
    csrf_token: str


class ProductEdit(ProductUpdate):
    """The fields a product edit may set (any subset)."""


def public(product: Product, producer: Producer) -> ProductPublic:
    return ProductPublic.model_validate(product, update={"producer_code": producer.code})


@router.get("/me")
def me(ctx: UserPage) -> Envelope[Me]:
    who = ctx.user
    return Envelope(data=Me(username=who.username, display_name=who.display_name, role=who.role,
                            producer_id=who.producer_id, communes=sorted(who.communes), csrf_token=ctx.csrf))


@router.get("/products")
def products(ctx: UserPage, q: str = "") -> Envelope[list[ProductPublic]]:
    who = ctx.require(*EDITORS)
    rows = [public(p, pr) for p, pr in visible_products(session=ctx.session, who=who, search=q or None)]
    return Envelope(data=rows, summary={"count": len(rows)})


@router.get("/products/{product_id}")
def product(ctx: UserPage, product_id: RowId) -> Envelope[ProductPublic]:
    who = ctx.require(*EDITORS)
    return Envelope(data=public(*scoped_product(session=ctx.session, who=who, product_id=product_id)))


@router.patch("/products/{product_id}")
def edit_product(ctx: UserPage, product_id: RowId, body: ProductEdit) -> Envelope[ProductPublic]:
    ctx.check_csrf(None)
    who = ctx.require(*EDITORS)
    item, producer = scoped_product(session=ctx.session, who=who, product_id=product_id)
    changes = update_product(session=ctx.session, product=item, data=body)
    return Envelope(data=public(item, producer), summary={"changed": sorted(changes)})


@router.post("/catalogue/import")
def catalogue_import(ctx: UserPage, file: Annotated[UploadFile | None, File()] = None,
                     images: Annotated[UploadFile | None, File()] = None,
                     dry_run: Annotated[bool, Form()] = False) -> Envelope[dict[str, Any]]:
    ctx.check_csrf(None)
    ctx.require(*UPLOADERS)
    token = stage_upload(ctx, file, images)
    try:
        result = run_import(ctx, token, dry_run=dry_run)
    finally:
        forget_upload(ctx, token)  # one request, one import: nothing is kept for a confirm step
    errors = [p.to_dict(ctx.lang) for p in result.errors]
    return Envelope(ok=not errors, data=jsonable_encoder(result.to_dict(ctx.lang)), errors=errors,
                    summary=result.summary())


@router.get("/merge-candidates")
def merge_candidates(ctx: UserPage) -> Envelope[list[dict[str, Any]]]:
    who = ctx.require(*STAFF)
    data = [{"id": c.id, "a": a.code, "a_name": a.name, "b": b.code if b else None,
             "b_name": b.name if b else (c.incoming or {}).get("name"), "reason": c.reason, "source": c.source}
            for c, a, b in open_candidates(ctx, who)]
    return Envelope(data=data, summary={"count": len(data)})


@router.get("/province")
def province(ctx: UserPage, period: str = "all") -> Envelope[dict[str, Any]]:
    ctx.require(Role.province, Role.admin)
    chosen = parse_period(period, today=local_today())
    funnel = build_funnel(session=ctx.session, period=chosen, sources=FUNNEL_STEPS, dimensions=["district"],
                          scheme="vn2004")
    counts = province_counts(session=ctx.session)
    data: dict[str, Any] = {"catalogue": counts.to_dict(), "funnel": jsonable_encoder(funnel.to_dict())}
    data["turnover"] = jsonable_encoder(turnover(session=ctx.session, period=chosen, by=["platform", "district"],
                                                 scheme="vn2004").to_dict())
    data["indicators"] = jsonable_encoder(indicators(session=ctx.session, period=chosen).to_dict())
    data["reported_totals"] = jsonable_encoder([r.to_dict() for r in reported_totals(session=ctx.session,
                                                                                      period=chosen)])
    return Envelope(data=data, summary={"period": chosen.to_dict()})


class SyncRequest(BaseModel):
    accounts: list[str]


@router.get("/listings")
def listings(ctx: UserPage, marketplace: str = "") -> Envelope[list[dict[str, Any]]]:
    from connector.web.pages.home import error_text
    from connector.web.pages.work import bindings

    who = ctx.require(Role.producer, Role.staff, Role.admin)
    rows = bindings(ctx.session, who, marketplace or None) or []
    data = [{"id": b.id, "account": a.name, "marketplace": a.marketplace, "sku": p.sku, "product_id": p.id,
             "state": str(b.state), "remote_id": b.remote_id, "remote_url": b.remote_url,
             "reason": error_text(b.last_error, ctx.lang) or None,
             "last_push": {"result": b.push_result, "error": error_text(b.push_error, ctx.lang) or None,
                           "at": b.pushed_at}} for b, p, a in rows]
    return Envelope(data=data, summary={"count": len(data)})


@router.post("/sync")
def start_sync(ctx: UserPage, body: SyncRequest) -> Envelope[dict[str, Any]]:
    from connector.web.pages.sync import RUNNERS, connected_accounts, runs

    ctx.check_csrf(None)
    who = ctx.require(*RUNNERS)
    allowed = {a.name: a for a, _p in connected_accounts(ctx, who)}
    missing = [n for n in body.accounts if n not in allowed]
    if missing or not body.accounts:
        from catalog.errors import NotFoundError

        raise NotFoundError(entity="account", key=", ".join(missing) or "-")
    chosen = [allowed[n] for n in dict.fromkeys(body.accounts)]
    run = runs(ctx).start(engine=ctx.request.app.state.engine, account_ids=[a.id for a in chosen if a.id],
                          names=[a.name for a in chosen], who=who)
    return Envelope(data=run.to_dict())


@router.get("/sync/runs/{run_id}")
def sync_run(ctx: UserPage, run_id: str) -> Envelope[dict[str, Any]]:
    from connector.web.pages.sync import RUNNERS, runs

    who = ctx.require(*RUNNERS)
    run = runs(ctx).get(run_id, who).to_dict()
    return Envelope(ok=run["finished"] and not run["failures"] and not run["account_errors"] and not run["error"]
                    if run["finished"] else True, data=run, summary={"percent": run["percent"]})


class HouseholdIn(BaseModel):
    """The field form: a household, optionally one training and one marketplace account."""

    name: str
    phone: str
    commune: str = Field(description="vn2025 code of the commune/ward")
    village: str = ""
    training_date: date | None = None
    training_topic: str = ""
    platform: str = ""
    shop: str = ""
    opened_on: date | None = None


class SaleIn(BaseModel):
    day: date
    platform: str
    producer: str = Field(description="Producer code")
    amount: str = Field(description="Whole VND, as typed: 250000, 250.000 đ, 250k")
    reference: str
    sku: str = ""
    quantity: int = 1
    source: str = ""


class ReportedTotalIn(BaseModel):
    period: str = Field(description="2024, 2024-H1, 2024-Q2, 2024-06…")
    reporter: str
    amount: str = Field(description="Whole VND, as typed: 16.000.000.000, 16 tỷ")
    platform: str = ""
    transactions: int | None = None
    note: str = ""


@router.post("/onboarding/households")
def register(ctx: UserPage, body: HouseholdIn) -> Envelope[dict[str, Any]]:
    from connector.web.pages.field import register_from_form

    ctx.check_csrf(None)
    values = {k: "" if v is None else v.isoformat() if isinstance(v, date) else str(v)
              for k, v in body.model_dump().items()}
    result = register_from_form(ctx, values)
    errors = [p.to_dict(ctx.lang) for p in result.errors]
    return Envelope(ok=not errors, data=jsonable_encoder(result.to_dict(ctx.lang)), errors=errors,
                    summary=result.summary())


@router.post("/sales")
def record_sale(ctx: UserPage, body: SaleIn) -> Envelope[dict[str, Any]]:
    from connector.web.pages.sales import record_one_sale

    ctx.check_csrf(None)
    result = record_one_sale(ctx, day=body.day.isoformat(), platform=body.platform, producer=body.producer,
                             sku=body.sku, quantity=str(body.quantity), amount=body.amount,
                             reference=body.reference, source=body.source)
    errors = [p.to_dict(ctx.lang) for p in result.errors]
    return Envelope(ok=not errors, data=jsonable_encoder(result.to_dict(ctx.lang)), errors=errors,
                    summary={**result.summary(), "amount": result.amount})


@router.post("/reported-totals")
def reported_total(ctx: UserPage, body: ReportedTotalIn) -> Envelope[dict[str, Any]]:
    from connector.web.pages.sales import enter_reported_total

    ctx.check_csrf(None)
    row = enter_reported_total(ctx, period=body.period, reporter=body.reporter, amount=body.amount,
                               platform=body.platform, note=body.note,
                               transactions="" if body.transactions is None else str(body.transactions))
    return Envelope(data=jsonable_encoder(row))
