"""``sync_accounts``: plan and apply for several accounts at once, each under its lease.

This is what ``agri sync``, ``agri worker`` and the web app call.  Each account runs only while
this process holds its lease (renewed in the background); accounts run concurrently, with a
total bound on requests in flight shared between them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import timedelta

import httpx
from sqlmodel import Session

from adapters.base import Adapter
from catalog.errors import AgriConnectorError
from catalog.image_store import ImageStore
from connector.accounts import MarketplaceAccount
from connector.media import public_url
from connector.settings import get_settings
from connector.sync.apply import ImageSource, apply_plan
from connector.sync.lease import DEFAULT_TTL, Lease, acquire_lease, new_holder, release_lease, renew_lease
from connector.sync.plan import AccountPlan, plan_sync
from connector.sync.report import ItemResult, SyncReport

AdapterFactory = Callable[[MarketplaceAccount], Adapter]


def default_images() -> ImageSource:
    """Prepared variants from the media store; public URLs under ``AGRI_PUBLIC_MEDIA_URL``."""
    settings = get_settings()
    store = ImageStore(settings.media_dir)
    return ImageSource(prepare=store.prepared_for,
                       public_url=lambda sha, ext: public_url(settings.public_media_url, sha, ext))


def new_client(concurrency: int = 64) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(30.0, connect=5.0))


class _LeaseKeeper:
    """Renews a lease while the run lasts; remembers the error once it is lost."""

    def __init__(self, session: Session, lease: Lease) -> None:
        self.session, self.lease = session, lease
        self.lost: AgriConnectorError | None = None
        self.task = asyncio.ensure_future(self._loop())

    async def _loop(self) -> None:
        interval = max(0.05, self.lease.ttl.total_seconds() / 3)
        while self.lost is None:
            await asyncio.sleep(interval)
            try:
                renew_lease(session=self.session, lease=self.lease)
            except AgriConnectorError as error:
                self.lost = error

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


async def sync_accounts(
    *,
    session: Session,
    accounts: Sequence[MarketplaceAccount],
    client: httpx.AsyncClient | None = None,
    adapter_for: AdapterFactory | None = None,
    images: ImageSource | None = None,
    concurrency: int = 16,
    total_concurrency: int = 64,
    rounds: int = 2,
    lease_ttl: timedelta = DEFAULT_TTL,
    on_plan: Callable[[AccountPlan], None] | None = None,
    on_result: Callable[[ItemResult], None] | None = None,
) -> SyncReport:
    """Plan and apply every account in ``accounts``; an account whose lease is held elsewhere,
    or that cannot be opened, is reported in ``account_errors`` and the others go on."""
    own_client = client is None
    http = client or new_client(total_concurrency)
    images = images or default_images()
    total = asyncio.Semaphore(max(1, total_concurrency))
    holder = new_holder("sync")
    report = SyncReport()

    async def one(account: MarketplaceAccount) -> None:
        assert account.id is not None
        try:
            lease = acquire_lease(session=session, account_id=account.id, account_name=account.name,
                                  holder=holder, ttl=lease_ttl)
        except AgriConnectorError as error:
            report.account_errors.append({"account": account.name, **error.to_dict("vi")})
            return
        keeper = _LeaseKeeper(session, lease)
        try:
            adapter = adapter_for(account) if adapter_for else _open(account, http)
            plan = plan_sync(session=session, account=account, capabilities=adapter.capabilities,
                             image_profile=adapter.image_profile)
            session.commit()
            if on_plan is not None:
                on_plan(plan)
            report.merge(await apply_plan(session=session, account=account, plan=plan, adapter=adapter,
                                          images=images, concurrency=concurrency, total=total, rounds=rounds,
                                          on_result=on_result, cancelled=lambda: keeper.lost))
            await adapter.aclose()
        except AgriConnectorError as error:
            session.rollback()
            report.account_errors.append({"account": account.name, **error.to_dict("vi")})
        finally:
            await keeper.stop()
            release_lease(session=session, lease=lease)

    try:
        await asyncio.gather(*(one(account) for account in accounts))
    finally:
        if own_client:
            await http.aclose()
    return report


def _open(account: MarketplaceAccount, client: httpx.AsyncClient) -> Adapter:
    from connector.channels import open_adapter

    return open_adapter(account, client)
