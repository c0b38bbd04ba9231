"""The sandbox FastAPI app: voso (``/voso``, :mod:`~connector.sandbox.voso`), postmart
(``/postmart``, :mod:`~connector.sandbox.postmart`) and the generic marketplace (``/generic``,
:mod:`~connector.sandbox.generic`), each following its written contract, plus the control routes
under ``/_sandbox`` (:mod:`~connector.sandbox.control`), behind the fault middleware."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from catalog.images import ImageProfile
from connector.sandbox import control
from connector.sandbox.contract import Contract, Refused, answer_refusal
from connector.sandbox.faults import Faults, parse_faults
from connector.sandbox.faults_asgi import FaultMiddleware
from connector.sandbox.generic import GENERIC
from connector.sandbox.images import fetch_image_problem
from connector.sandbox.postmart import POSTMART
from connector.sandbox.state import SandboxState
from connector.sandbox.voso import VOSO

CONTRACTS: dict[str, Contract] = {contract.name: contract for contract in (VOSO, POSTMART, GENERIC)}


class Sandbox:
    """A sandbox run: its state, its faults, and the app serving them."""

    def __init__(
        self,
        *,
        faults: str | None = None,
        review_fraction: float = 0.0,
        backfill_months: int = 0,
        state_path: Path | None = None,
        persist_every: float = 2.0,
    ) -> None:
        self.faults: Faults = parse_faults(faults)
        self.fault_rng = random.Random(self.faults.seed)
        self.state = SandboxState(
            review_fraction=review_fraction, backfill_months=backfill_months, seed=self.faults.seed
        )
        self.state_path = state_path
        self.persist_every = persist_every
        if state_path is not None:
            self.state.load(state_path)
        self.image_cache: dict[str, str | None] = {}  # url -> None (fine) or the problem
        self.fetcher: httpx.AsyncClient | None = None
        self.app = build_app(self)

    def set_faults(self, spec: str | None) -> Faults:
        self.faults = parse_faults(spec)
        self.fault_rng = random.Random(self.faults.seed)
        return self.faults

    def save(self) -> None:
        if self.state_path is not None:
            self.state.save(self.state_path)

    async def check_image_url(self, url: str, profile: ImageProfile | None = None) -> str | None:
        """None when ``url`` gives an image the marketplace accepts, else why not (cached per URL)."""
        key = f"{profile.name if profile else '-'}|{url}"
        if key not in self.image_cache:
            self.image_cache[key] = await fetch_image_problem(self.fetcher, url, profile)
        return self.image_cache[key]


def build_app(sandbox: Sandbox) -> FastAPI:
    """The app of one sandbox run: the routes find the run as ``request.app.state.sandbox``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sandbox.fetcher = httpx.AsyncClient(timeout=5.0, follow_redirects=True)
        saver = asyncio.create_task(_autosave(sandbox)) if sandbox.state_path is not None else None
        try:
            yield
        finally:
            if saver is not None:
                saver.cancel()
            await sandbox.fetcher.aclose()
            sandbox.save()

    app = FastAPI(title="agri-connector sandbox", lifespan=lifespan)
    app.state.sandbox = sandbox
    app.add_exception_handler(Refused, answer_refusal)
    app.add_middleware(FaultMiddleware, sandbox=sandbox, contracts=CONTRACTS)
    control.routes.add_to(app)
    for contract in CONTRACTS.values():
        contract.routes.add_to(app)
    return app


async def _autosave(sandbox: Sandbox) -> None:
    while True:
        await asyncio.sleep(sandbox.persist_every)
        if sandbox.state.dirty:
            await asyncio.to_thread(sandbox.save)
