"""The support staff's field form (a household, a training, an account in a few taps) and the merge
candidates to decide.  The form's row goes through the register import; decisions go through
:func:`connector.onboarding.merge.merge_producers` and :func:`keep_both`, as on the command line."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from catalog.clock import local_today
from catalog.errors import CatalogueValidationError, NotFoundError
from catalog.identity import reason_text
from catalog.producers import Producer
from connector.onboarding import PLATFORMS, CandidateStatus, MergeCandidate, TeamMember, keep_both, merge_producers
from connector.users import Role
from connector.web.deps import Page, RowId, UserPage, redirect
from connector.web.pages.products import notice_of
from connector.web.scope import OutsideAreaError, Principal, area_guard
from connector.web.services import FieldEntry, register_household

router = APIRouter()
STAFF = (Role.staff, Role.admin)


def _day(text: str, column: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CatalogueValidationError("date.invalid", column=column, value=text) from None


def _communes(ctx: Page) -> list[tuple[str, str]]:
    from catalog.admin_units import AdminUnit

    who = ctx.user
    query = select(AdminUnit.code, AdminUnit.name).where(AdminUnit.scheme == "vn2025", col(AdminUnit.code).in_(
        sorted(who.communes))).order_by(col(AdminUnit.name)) if who.role is Role.staff else None
    return [(c, n) for c, n in ctx.session.exec(query)] if query is not None else []


def _member(ctx: Page) -> TeamMember | None:
    who = ctx.user
    return ctx.session.get(TeamMember, who.team_member_id) if who.team_member_id else None


def _form(ctx: Page, status_code: int = 200, **extra: Any) -> HTMLResponse:
    return ctx.render("field.html", status_code, communes=_communes(ctx), platforms=PLATFORMS,
                      today=local_today().isoformat(), **{"result": None, "values": {}, "error": None, **extra})


@router.get("/field", response_class=HTMLResponse)
def field_form(ctx: UserPage) -> HTMLResponse:
    ctx.require(*STAFF)
    return _form(ctx)


def register_from_form(ctx: Page, values: dict[str, str]) -> Any:
    """Register the household of the field form; the register import's file result.

    Refused whole (:class:`OutsideAreaError`, nothing written) when the commune is not the user's or
    when the matcher would reach a household of another area (its phone or name and commune)."""
    who = ctx.require(*STAFF)
    if not values["commune"].strip():
        raise CatalogueValidationError("value.required", column="commune")
    if who.role is Role.staff and values["commune"] not in who.communes:
        raise OutsideAreaError()
    member = _member(ctx)
    entry = FieldEntry(name=values["name"], phone=values["phone"], commune=values["commune"],
                       village=values["village"], member_name=member.name if member else "",
                       member_phone=(member.phone or "") if member else "",
                       training_date=_day(values["training_date"], "training_date"),
                       training_topic=values["training_topic"],
                       platform=values["platform"] if values["platform"] in PLATFORMS else "", shop=values["shop"],
                       opened_on=_day(values["opened_on"], "opened_on"))
    with area_guard(session=ctx.session, who=who):  # the matcher may reach a household of another area
        run = register_household(session=ctx.session, entry=entry, actor=f"web:{who.username}", lang=ctx.lang)
    result = run.files[0]
    if result.errors:
        ctx.session.rollback()
    return result


@router.post("/field/household", response_class=HTMLResponse)
def field_household(ctx: UserPage, csrf: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
                    phone: Annotated[str, Form()] = "", commune: Annotated[str, Form()] = "",
                    village: Annotated[str, Form()] = "", training_date: Annotated[str, Form()] = "",
                    training_topic: Annotated[str, Form()] = "", platform: Annotated[str, Form()] = "",
                    shop: Annotated[str, Form()] = "", opened_on: Annotated[str, Form()] = "") -> HTMLResponse:
    ctx.check_csrf(csrf)
    values = {"name": name, "phone": phone, "commune": commune, "village": village, "training_date": training_date,
              "training_topic": training_topic, "platform": platform, "shop": shop, "opened_on": opened_on}
    try:
        result = register_from_form(ctx, values)
    except OutsideAreaError as refused:
        return _form(ctx, values=values, result=None, error=refused.message(ctx.lang), status_code=403)
    if result.errors:
        return _form(ctx, values=values, result=result)
    return _form(ctx, result=result, notice=ctx.t("household_saved"))


def open_candidates(ctx: Page, who: Principal) -> list[tuple[MergeCandidate, Producer, Producer | None]]:
    rows = ctx.session.exec(select(MergeCandidate, Producer).join(Producer, col(Producer.id) ==
                                                                  col(MergeCandidate.producer_a_id))
                            .where(MergeCandidate.status == CandidateStatus.open, who.producer_clause())
                            .order_by(col(MergeCandidate.id)).limit(200))
    out = []
    for candidate, a in rows:
        b = ctx.session.get(Producer, candidate.producer_b_id) if candidate.producer_b_id else None
        if b is None or who.may_see(b):
            out.append((candidate, a, b))
    return out


@router.get("/field/merges", response_class=HTMLResponse)
def merges(ctx: UserPage) -> HTMLResponse:
    who = ctx.require(*STAFF)
    return ctx.render("merges.html", rows=open_candidates(ctx, who), notice=notice_of(ctx), reason_text=reason_text)


@router.post("/field/merges/{candidate_id}", response_model=None)
def decide(ctx: UserPage, candidate_id: RowId, csrf: Annotated[str, Form()] = "",
           action: Annotated[str, Form()] = "") -> Response:
    ctx.check_csrf(csrf)
    who = ctx.require(*STAFF)
    found = [row for row in open_candidates(ctx, who) if row[0].id == candidate_id]
    if not found or found[0][2] is None:
        raise NotFoundError(entity="merge_candidate", key=str(candidate_id))
    _candidate, a, b = found[0]
    assert b is not None
    actor = f"web:{who.username}"
    with area_guard(session=ctx.session, who=who):
        if action == "merge":
            merge_producers(session=ctx.session, keep_code=a.code, absorb_code=b.code, actor=actor)
        elif action == "keep":
            keep_both(session=ctx.session, a_code=a.code, b_code=b.code, actor=actor)
        else:
            raise CatalogueValidationError("value.invalid", value=action)
    response: RedirectResponse = redirect("/field/merges?notice=decided")
    return response
