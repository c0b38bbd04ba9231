"""``sync_accounts``: plan and apply for several accounts at once, each under its lease.

This is what ``agri sync``, ``agri worker`` and the web app call.  Each account runs only while
this process holds its lease (renewed in the background); accounts run concurrently, with a
total bound on requests in flight shared between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta

import httpx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from adapters.base import Adapter, ListingState
from catalog.clock import utcnow
from catalog.errors import AgriConnectorError, RemoteNotFoundError
from catalog.image_store import ImageStore
from connector.accounts import MarketplaceAccount
from connector.media import public_url
from connector.settings import get_settings
from connector.sync.apply import apply_plan
from connector.sync.images import ImageSource
from connector.sync.lease import DEFAULT_TTL, Lease, acquire_lease, new_holder, release_lease, renew_lease
from connector.sync.models import Binding, BindingState, RemoteImage
from connector.sync.plan import AccountPlan, PlannedItem, plan_sync
from connector.sync.report import ItemResult, SyncReport

AdapterFactory = Callable[[MarketplaceAccount], Adapter]
logger = logging.getLogger("connector.sync")


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
    only: Callable[[PlannedItem], bool] | None = None,
    poll_reviews: bool = False,
) -> SyncReport:
    """Plan and apply every account in ``accounts``; an account whose lease is held elsewhere,
    or that cannot be opened, is reported in ``account_errors`` and the others go on.  Each account
    runs in its own session where the database allows it (:func:`_account_session`) and gives its
    lease back on every path.

    ``only`` keeps part of each plan (the worker pushes stock and retries failures, nothing
    else); ``poll_reviews`` then asks the marketplace about listings waiting for review.
    """
    own_client = client is None
    http = client or new_client(total_concurrency)
    images = images or default_images()
    total = asyncio.Semaphore(max(1, total_concurrency))
    holder = new_holder("sync")
    report = SyncReport()

    async def one(account: MarketplaceAccount) -> None:
        with _account_session(session) as work:
            await _one_account(work, account)

    async def _one_account(work: Session, account: MarketplaceAccount) -> None:
        assert account.id is not None
        try:
            lease = acquire_lease(session=work, account_id=account.id, account_name=account.name,
                                  holder=holder, ttl=lease_ttl)
        except AgriConnectorError as error:
            report.account_errors.append({"account": account.name, **error.to_dict("vi")})
            return
        keeper = _LeaseKeeper(work, lease)
        try:
            adapter = adapter_for(account) if adapter_for else _open(account, http)
            plan = plan_sync(session=work, account=account, capabilities=adapter.capabilities,
                             image_profile=adapter.image_profile)
            work.commit()
            if only is not None:
                plan.items = [item for item in plan.items if only(item)]
            if on_plan is not None:
                on_plan(plan)
            report.merge(await apply_plan(session=work, account=account, plan=plan, adapter=adapter,
                                          images=images, concurrency=concurrency, total=total, rounds=rounds,
                                          on_result=on_result, cancelled=lambda: keeper.lost))
            if poll_reviews:
                for state, count in (await poll_pending_reviews(session=work, account=account,
                                                                adapter=adapter)).items():
                    report.reviews[state] = report.reviews.get(state, 0) + count
            await adapter.aclose()
        except AgriConnectorError as error:
            work.rollback()
            report.account_errors.append({"account": account.name, **error.to_dict("vi")})
        finally:
            await keeper.stop()
            _release(work, lease)

    try:
        await asyncio.gather(*(one(account) for account in accounts))
    finally:
        if own_client:
            await http.aclose()
        _reread_bindings(session)
    return report


@contextlib.contextmanager
def _account_session(session: Session) -> Iterator[Session]:
    """The session an account's run writes through.  On PostgreSQL each account has its own, so that one
    account's failed transaction (rolled back) never takes another's unsaved work with it.  SQLite has one
    writer at a time: a second session in this thread would wait on the first's open write transaction
    while blocking the very loop that would commit it, so the accounts share the caller's session there
    (and each account's error path rolls back only after its own work was committed in batches)."""
    if not _separate_sessions(session):
        yield session
        return
    with Session(session.get_bind(), expire_on_commit=False) as own:
        yield own


def _separate_sessions(session: Session) -> bool:
    return session.get_bind().dialect.name != "sqlite"


def _reread_bindings(session: Session) -> None:
    """When the accounts wrote through their own sessions, the caller's copies of bindings are read again."""
    if _separate_sessions(session):
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Binding | RemoteImage):
                session.expire(obj)


def _release(session: Session, lease: Lease) -> None:
    """Give the lease back on every path: after a failed transaction (rolled back first), or, when this
    session cannot write at all any more, through a fresh one.  Should both fail (the database itself is
    gone), the lease expires after its time to live."""
    try:
        transaction = session.get_transaction()
        if transaction is not None and not transaction.is_active:
            session.rollback()
        release_lease(session=session, lease=lease)
        return
    except SQLAlchemyError:
        with contextlib.suppress(SQLAlchemyError):
            session.rollback()
    try:
        with Session(session.get_bind()) as fresh:
            release_lease(session=fresh, lease=lease)
    except SQLAlchemyError as error:
        logger.warning("lease of account %s not released (%s); it expires on its own", lease.account_id, error)


async def poll_pending_reviews(*, session: Session, account: MarketplaceAccount, adapter: Adapter) -> dict[str, int]:
    """Ask the marketplace about every listing of ``account`` waiting for review; record the outcome
    (active, or rejected with the reviewer's reasons).  Returns how many ended in each state."""
    waiting = list(session.exec(select(Binding).where(Binding.account_id == account.id,
                                                      Binding.state == BindingState.pending_review)))
    session.commit()
    counts: dict[str, int] = {}
    for binding in waiting:
        if binding.remote_id is None:
            continue
        try:
            remote = await adapter.get_listing(binding.remote_id)
        except RemoteNotFoundError:
            binding.last_error = {"code": "market.not_found", "key": binding.remote_id}
            # the marketplace says it is gone: off sale, created again by the next sync
            binding.state, binding.remote_id, binding.payload_hash = BindingState.delisted, None, None
        except AgriConnectorError as error:
            counts["error"] = counts.get("error", 0) + 1
            binding.last_error = error.to_dict("vi")
        else:
            binding.state = _REVIEWED.get(remote.state, BindingState.pending_review)
            binding.remote_url = remote.url or binding.remote_url
            binding.last_error = ({"code": "market.rejected", "fields": {p.field: p.message for p in remote.reasons}}
                                  if remote.reasons else None)
            if binding.state == BindingState.rejected:
                binding.pending_hash = binding.payload_hash  # refused as it is: wait for a change
            counts[binding.state.value] = counts.get(binding.state.value, 0) + 1
        binding.updated_at = utcnow()
        session.add(binding)
        session.commit()
    return counts


_REVIEWED = {ListingState.active: BindingState.active, ListingState.rejected: BindingState.rejected,
             ListingState.delisted: BindingState.delisted, ListingState.pending_review: BindingState.pending_review}


def _open(account: MarketplaceAccount, client: httpx.AsyncClient) -> Adapter:
    from connector.account_adapter import open_adapter

    return open_adapter(account, client)
