"""The control routes under ``/_sandbox`` (never faulted): accounts, the clock, orders, reviews,
faults, saving, the inspection report, sample images and health.  ``RemoteSandbox`` in
:mod:`connector.sandbox.server` drives them over HTTP."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from connector.sandbox.contract import Routes, read_json, sandbox_of, state_of
from connector.sandbox.images import sample_image
from connector.sandbox.state import MARKETPLACES

routes = Routes("/_sandbox")


@routes.post("/accounts")
async def create_account(request: Request) -> JSONResponse:
    body = await read_json(request)
    marketplace = str(body.get("marketplace", ""))
    if marketplace not in MARKETPLACES:
        return JSONResponse({"error": f"unknown marketplace {marketplace!r}"}, status_code=400)
    shop = state_of(request).create_shop(marketplace, str(body.get("shop_name") or marketplace))
    return JSONResponse({"shop_id": shop.shop_id, "marketplace": marketplace, "credentials": shop.credentials})


@routes.post("/clock")
async def advance(request: Request) -> JSONResponse:
    state = state_of(request)
    body = await read_json(request)
    seconds = float(body.get("seconds", 0))
    now = state.advance_clock(timedelta(seconds=seconds))
    state.resolve_reviews()
    return JSONResponse({"now": now.isoformat()})


@routes.post("/orders")
async def generate(request: Request) -> JSONResponse:
    body = await read_json(request)
    count = body.get("count")
    made = state_of(request).generate_orders(int(count) if count is not None else None)
    return JSONResponse({"orders": made})


@routes.post("/reviews/resolve")
async def resolve(request: Request) -> JSONResponse:
    return JSONResponse({"settled": state_of(request).resolve_reviews(force=True)})


@routes.get("/state")
async def inspect(request: Request) -> JSONResponse:
    return JSONResponse(state_of(request).snapshot())


@routes.post("/faults")
async def faults(request: Request) -> JSONResponse:
    body = await read_json(request)
    try:
        parsed = sandbox_of(request).set_faults(body.get("spec"))
    except Exception as exc:  # the error's own message is the answer
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse(parsed.describe())


@routes.post("/save")
async def save(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    await asyncio.to_thread(sandbox.save)
    return JSONResponse({"saved": sandbox.state_path is not None})


@routes.get("/images/{name}")
async def image(name: str, side: int = 1000) -> Response:
    return Response(sample_image(name, max(1, min(side, 3000))), media_type="image/jpeg")


@routes.get("/health")
async def health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True, "now": state_of(request).now().isoformat()})
