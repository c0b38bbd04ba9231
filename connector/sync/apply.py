"""``apply_plan``: carry out one account's plan, safely and fast.

- Items run concurrently (a few workers per request slot); adapter calls in flight are bounded per
  account and in total, and the adapter's limiter keeps the rate.
- Every result is committed as it arrives, so a crash loses at most the requests in flight:
  answers that arrive together are written in one executemany and one commit (no timer: the
  commit runs a few turns of the event loop later), before their tasks go on.  Bindings are read
  and written with Core statements, no ORM object per item.
- A create is recorded as ``pending_create`` (with the hash about to be sent) and committed
  *before* its request leaves.  A create that failed in a way that may have reached the
  marketplace, and any binding left without a remote id by an earlier run, is resolved by
  ``find_by_sku`` before anything is sent again: no duplicates.
- Stale writes: the product's versions are checked before sending and after the answer; a
  product that changed meanwhile is planned again, so the newer version is always sent last.
- One failure never stops the others; each item ends as one :class:`ItemResult`.
- A failure is recorded as the binding's push result (``failed`` with the reason and when, or
  ``refused`` by the marketplace); the binding's marketplace state is changed only by what the
  marketplace answered (a listing it does not know any more is ``delisted``; a create it refused
  is ``rejected``), so a failed run never moves "products listed" or the funnel.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import bindparam, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from adapters.base import Adapter, Listing, ListingState, RemoteImageRef, RemoteListing
from adapters.http import DEFAULT_POLICY, RetryPolicy, call_with_retries
from catalog.clock import utcnow
from catalog.errors import (
    AgriConnectorError,
    AuthExpiredError,
    ConflictError,
    RejectedError,
    RemoteNotFoundError,
    RetriableError,
    SkippableError,
    UnreachableError,
)
from catalog.images import PreparedImage
from catalog.products import Product
from connector.accounts import MarketplaceAccount
from connector.sync.images import ImageSource
from connector.sync.models import Binding, BindingState, PushResult, RemoteImage
from connector.sync.plan import AccountPlan, Action, PlannedItem, plan_sync
from connector.sync.report import ItemResult, Outcome, SyncReport, not_attempted

T = TypeVar("T")
MAX_REPLANS = 5
WORKERS_PER_SLOT = 4  # items in progress per request slot (the others wait for a commit or a slot)
FLUSH_TURNS = 32  # turns of the event loop an answer may wait for others before the batch commits

_BINDING = Binding.__table__  # type: ignore[attr-defined]
_PRODUCT = Product.__table__  # type: ignore[attr-defined]
# Bindings are read and written with Core statements (no ORM object per item): one executemany
# UPDATE per batch of answers, keyed by the binding's id.
_UPDATE_BY_ID = update(_BINDING).where(_BINDING.c.id == bindparam("b_id"))
_VERSIONS = sa_select(_PRODUCT.c.id, _PRODUCT.c.content_version, _PRODUCT.c.stock_version).where(
    _PRODUCT.c.id.in_(bindparam("ids", expanding=True)))
_BINDING_ROW = sa_select(_BINDING.c.id, _BINDING.c.remote_id, _BINDING.c.state, _BINDING.c.pending_hash,
                         _BINDING.c.attempts).where(_BINDING.c.account_id == bindparam("account"),
                                                    _BINDING.c.product_id == bindparam("product"))

_STATES = {ListingState.active: BindingState.active, ListingState.pending_review: BindingState.pending_review,
           ListingState.rejected: BindingState.rejected, ListingState.delisted: BindingState.delisted}


class _AlreadyCreated(Exception):
    """Raised between create attempts when the SKU turns out to exist: the create got through."""

    def __init__(self, remote: RemoteListing) -> None:
        super().__init__(remote.remote_id)
        self.remote = remote


class _Replan(Exception):
    """The product must be planned again (changed meanwhile, or its remote listing is gone)."""


class _BindingRow(NamedTuple):
    id: int
    remote_id: str | None
    state: BindingState
    pending_hash: str | None
    attempts: int


@dataclass(slots=True)
class _Answer:
    """A result waiting for the batch commit: the binding's new values and who waits for them."""

    product_id: int
    binding_id: int
    values: dict[str, Any]
    future: asyncio.Future[tuple[int, int] | None]


class AccountRun:
    """One account's plan being applied (use :func:`apply_plan`)."""

    def __init__(self, *, session: Session, account: MarketplaceAccount, plan: AccountPlan, adapter: Adapter,
                 images: ImageSource | None, concurrency: int, total: asyncio.Semaphore | None,
                 policy: RetryPolicy, on_result: Callable[[ItemResult], None] | None,
                 clock: Callable[[], datetime], cancelled: Callable[[], AgriConnectorError | None]) -> None:
        self.session, self.account, self.plan, self.adapter = session, account, plan, adapter
        self.images, self.policy, self.on_result, self.clock = images, policy, on_result, clock
        self.cancelled = cancelled
        self.capabilities = adapter.capabilities
        self.profile = adapter.image_profile
        self.local = asyncio.Semaphore(max(1, concurrency))
        self.workers = WORKERS_PER_SLOT * max(1, concurrency)
        self.total = total
        self.variants: dict[str, PreparedImage] = {}
        self.preparing: dict[str, asyncio.Future[PreparedImage]] = {}
        self.uploads: dict[str, asyncio.Task[RemoteImageRef]] = {}
        self.refs: dict[str, RemoteImageRef] = {}
        self.refresh_lock = asyncio.Lock()
        self.unsent: dict[int, tuple[int, str | None]] = {}  # product id -> (binding id, pending hash)
        self.batch: list[_Answer] = []
        self.refs_json: dict[tuple[RemoteImageRef, ...], list[dict[str, str]]] = {}
        self.wrote = False  # a binding was written (the session's ORM copies are stale)
        self.unreachable: UnreachableError | None = None  # the marketplace stopped answering: stop the account
        assert account.id is not None
        self.account_id = account.id

    # -- the run --------------------------------------------------------------------------------

    async def run(self, *, rounds: int) -> SyncReport:
        self.refs = {r.sha256: RemoteImageRef(kind="id" if r.kind == "id" else "url", value=r.value, sha256=r.sha256)
                     for r in self.session.exec(select(RemoteImage).where(RemoteImage.account_id == self.account_id))}
        self.session.commit()
        report = SyncReport()
        for item in self.plan.items:
            if not item.sends:
                self._emit(report, self._quiet(item))
        pending = self.plan.to_send
        self._record_creates(pending)
        try:
            for round_no in range(max(1, rounds)):
                last = round_no == max(1, rounds) - 1
                results = await self._round(pending, report, last=last)
                again = [item for item, result in zip(pending, results, strict=True) if result is None]
                if not again:
                    break
                pending = self._replanned([item.product_id for item in again], report)
        finally:
            if self.wrote:
                _forget_bindings(self.session)
        if self.unreachable is not None:  # one error for the account; its items say "not attempted"
            report.account_errors.append({"account": self.account.name, **self.unreachable.to_dict("vi")})
        return report

    async def _round(self, items: list[PlannedItem], report: SyncReport, *, last: bool) -> list[ItemResult | None]:
        """Every item once, in plan order, by a few workers (not one task per item): enough of them
        that answers waiting for their batch commit leave the request slots busy."""
        results: list[ItemResult | None] = [None] * len(items)
        queue = iter(enumerate(items))

        async def worker() -> None:
            for index, item in queue:
                results[index] = await self._guarded(item, report, last=last)

        await asyncio.gather(*(worker() for _ in range(min(len(items), self.workers))))
        return results

    def _record_creates(self, items: list[PlannedItem]) -> None:
        """Record every new product's create as pending, in one commit, before any request leaves.

        A crash from here on leaves these rows without a remote id, so the next run looks each SKU
        up before creating it again.  Within this run they are known unsent until their turn."""
        creates = [item for item in items if item.action == Action.create and item.binding_id is None]
        if not creates:
            return
        now = self.clock()
        rows: list[dict[str, Any]] = [
            {"account_id": self.account_id, "product_id": item.product_id, "state": BindingState.pending_create,
             "pending_hash": item.payload_hash, "image_refs": [], "attempts": 0, "manual": False,
             "created_at": now, "updated_at": now} for item in creates]
        connection = self.session.connection()
        self.wrote = True
        connection.execute(insert(_BINDING), rows)
        ids: dict[int, int] = {row[0]: row[1] for row in connection.execute(
            sa_select(_BINDING.c.product_id, _BINDING.c.id).where(_BINDING.c.account_id == self.account_id))}
        self.session.commit()
        self.unsent = {item.product_id: (ids[item.product_id], item.payload_hash) for item in creates}

    def _emit(self, report: SyncReport, result: ItemResult) -> None:
        report.results.append(result)
        if self.on_result is not None:
            self.on_result(result)

    def _quiet(self, item: PlannedItem) -> ItemResult:
        if item.action == Action.blocked:
            return ItemResult(self.account.name, item.sku, item.action, Outcome.blocked, item.remote_id,
                              code=item.reasons[0].code if item.reasons else None,
                              message="; ".join(r.message("vi") for r in item.reasons))
        return ItemResult(self.account.name, item.sku, item.action, Outcome.unchanged, item.remote_id,
                          state=item.state.value if item.state else None)

    def _replanned(self, product_ids: list[int], report: SyncReport) -> list[PlannedItem]:
        fresh = plan_sync(session=self.session, account=self.account, capabilities=self.capabilities,
                          image_profile=self.profile, product_ids=product_ids)
        self.session.commit()
        for item in fresh.items:
            if not item.sends:
                self._emit(report, self._quiet(item))
        return fresh.to_send

    async def _guarded(self, item: PlannedItem, report: SyncReport, *, last: bool) -> ItemResult | None:
        """Run one item (its calls are bounded in :meth:`_call`); its result is reported at once,
        unless it failed in a way worth another round (then None)."""
        result = await self._item(item)
        if result.retriable and not last:
            return None
        self._emit(report, result)
        return result

    async def _item(self, item: PlannedItem) -> ItemResult:
        replans = 0
        while True:
            try:
                stop = self.cancelled() or self.unreachable
                if stop is not None:
                    raise stop
                result = await self._send(item)  # raises _Replan when the product changed meanwhile
                result.replanned = replans
                return result
            except _Replan:
                replans += 1
                fresh = plan_sync(session=self.session, account=self.account, capabilities=self.capabilities,
                                  image_profile=self.profile, product_ids=[item.product_id])
                self.session.commit()
                if not fresh.items or replans > MAX_REPLANS:
                    return ItemResult(self.account.name, item.sku, item.action, Outcome.unchanged, item.remote_id,
                                      replanned=replans)
                item = fresh.items[0]
                if not item.sends:
                    result = self._quiet(item)
                    result.replanned = replans
                    return result
            except AgriConnectorError as error:
                return self._failed(item, error, replans)
            except Exception as error:  # a bug or an unexpected library error: this item only
                return self._failed(item, AgriConnectorError("internal.error", detail=type(error).__name__), replans)

    # -- one item -------------------------------------------------------------------------------

    async def _send(self, item: PlannedItem) -> ItemResult:
        if item.action == Action.delist:
            return await self._delist(item)
        assert item.listing is not None
        if item.action == Action.stock_price:
            assert item.remote_id is not None
            remote_id = item.remote_id
            remote = await self._call(lambda: self.adapter.update_stock_price(
                remote_id, price=item.listing.price, stock=item.listing.stock))  # type: ignore[union-attr]
            return await self._bound(item, remote, refs=None)
        refs = await self._image_refs(item)
        listing = replace(item.listing, images=refs)
        if item.action == Action.update:
            assert item.remote_id is not None
            remote_id = item.remote_id
            try:
                remote = await self._call(lambda: self.adapter.upsert_listing(listing, remote_id=remote_id))
            except RemoteNotFoundError:
                self._unbind(item)  # the listing is gone on the marketplace: create it again
                raise _Replan from None
            return await self._bound(item, remote, refs=refs)
        return await self._create(item, listing, refs)

    async def _create(self, item: PlannedItem, listing: Listing, refs: tuple[RemoteImageRef, ...]) -> ItemResult:
        unsent = self.unsent.pop(item.product_id, None)  # recorded by this run, never sent: no look-up
        if unsent is not None:
            binding_id, pending_hash = unsent
            if pending_hash != item.payload_hash:  # planned again since: record what goes now
                self._write(binding_id, pending_hash=item.payload_hash, updated_at=self.clock())
            return await self._send_create(item, listing, refs, binding_id)
        row = self._binding(item) if item.binding_id is not None else None
        if row is not None and row.remote_id is None:
            found = await self._call(lambda: self.adapter.find_by_sku(item.sku))
            if found is not None:
                if row.pending_hash == item.payload_hash:
                    return await self._bound(item, found, refs=refs, binding_id=row.id)  # it got through as it is
                await self._bound(item, found, refs=refs, binding_id=row.id, hash_known=False)
                item.remote_id, item.action = found.remote_id, Action.update
                return await self._send(item)
        now = self.clock()
        if row is not None:
            binding_id = row.id
            self._write(binding_id, state=BindingState.pending_create, pending_hash=item.payload_hash,
                        updated_at=now)  # recorded before the request leaves
        else:
            binding_id = self._insert(item, pending_hash=item.payload_hash, now=now)
        return await self._send_create(item, listing, refs, binding_id)

    async def _send_create(self, item: PlannedItem, listing: Listing, refs: tuple[RemoteImageRef, ...],
                           binding_id: int) -> ItemResult:
        """Send a recorded create; between attempts, and after a failure that may have reached the
        marketplace, the SKU is looked up first."""

        async def look_up(attempt: int, error: BaseException) -> None:
            found = await self._call(lambda: self.adapter.find_by_sku(item.sku))
            if found is not None:
                raise _AlreadyCreated(found)

        async def attempt() -> RemoteListing:  # a coroutine function: tenacity awaits it
            return await self._call(lambda: self.adapter.upsert_listing(listing))

        try:
            remote = await call_with_retries(attempt, policy=self.policy, before_retry=look_up)
        except _AlreadyCreated as created:
            remote = created.remote
        except RetriableError:
            found = await self._call(lambda: self.adapter.find_by_sku(item.sku))
            if found is None:
                raise
            remote = found
        return await self._bound(item, remote, refs=refs, binding_id=binding_id)

    async def _delist(self, item: PlannedItem) -> ItemResult:
        remote_id = item.remote_id
        if remote_id is None:
            found = await self._call(lambda: self.adapter.find_by_sku(item.sku))
            remote_id = found.remote_id if found else None
        if remote_id is not None:
            rid = remote_id
            with contextlib.suppress(RemoteNotFoundError):  # gone already: off sale either way
                await self._call(lambda: self.adapter.delist(rid))
        row = self._binding(item)
        assert row is not None
        now = self.clock()
        values: dict[str, Any] = {"state": BindingState.delisted, "last_error": None, "attempts": 0,
                                  "push_result": PushResult.ok.value, "push_error": None, "pushed_at": now,
                                  "last_synced_at": now, "updated_at": now, "content_version": item.content_version,
                                  "stock_version": item.stock_version}
        if remote_id is not None and row.remote_id is None:
            values["remote_id"] = remote_id
        self._write(row.id, **values)
        return ItemResult(self.account.name, item.sku, item.action, Outcome.done, remote_id,
                          state=BindingState.delisted.value)

    async def _call(self, operation: Callable[[], Awaitable[T]]) -> T:
        """One adapter call, under both bounds (the account's and the total): they bound requests
        in flight, so an answer waiting for its batch commit does not hold a slot.  An expired
        session is refreshed once (by one task) and the call repeated."""
        await self.local.acquire()
        total = self.total
        try:
            if total is not None:
                await total.acquire()
            try:
                stop = self.cancelled()  # asked again once a slot is free: the lease may be gone
                if stop is not None:
                    raise stop
                try:
                    return await operation()
                except AuthExpiredError:
                    async with self.refresh_lock:
                        await self.adapter.refresh_auth()
                    return await operation()
            finally:
                if total is not None:
                    total.release()
        finally:
            self.local.release()

    # -- images ---------------------------------------------------------------------------------

    async def _image_refs(self, item: PlannedItem) -> tuple[RemoteImageRef, ...]:
        if self.images is None or not item.image_shas:
            return ()
        return tuple([await self._image_ref(sha) for sha in item.image_shas])

    async def _image_ref(self, original_sha: str) -> RemoteImageRef:
        assert self.images is not None
        prepared = self.variants.get(original_sha)
        if prepared is None:  # one preparation per photo, however many listings wait for it
            preparing = self.preparing.get(original_sha)
            if preparing is None:
                preparing = self.preparing[original_sha] = asyncio.ensure_future(
                    asyncio.to_thread(self.images.prepare, original_sha, self.profile))
            try:
                prepared = await asyncio.shield(preparing)
            except BaseException:
                if preparing.done():
                    self.preparing.pop(original_sha, None)  # failed: the next listing tries again
                raise
            self.variants[original_sha] = prepared
        sha = prepared.sha256
        if self.capabilities.images == "url":
            extension = "jpg" if prepared.format == "JPEG" else prepared.format.lower()
            return RemoteImageRef(kind="url", value=self.images.public_url(sha, extension), sha256=sha)
        if sha in self.refs:
            return self.refs[sha]
        task = self.uploads.get(sha)
        if task is None:  # one upload per variant, however many listings wait for it
            task = self.uploads[sha] = asyncio.ensure_future(self._upload(prepared))
        return await asyncio.shield(task)

    async def _upload(self, prepared: PreparedImage) -> RemoteImageRef:
        try:
            extension = "jpg" if prepared.format == "JPEG" else prepared.format.lower()
            ref = await self._call(lambda: self.adapter.upload_image(
                prepared.data, filename=f"{prepared.sha256}.{extension}", sha256=prepared.sha256))
        except BaseException:
            self.uploads.pop(prepared.sha256, None)
            raise
        self.refs[prepared.sha256] = ref
        self.session.add(RemoteImage(account_id=self.account_id, sha256=prepared.sha256, kind=ref.kind,
                                     value=ref.value))
        try:
            self.session.commit()
        except IntegrityError:  # another process recorded it first: same variant, keep theirs
            self.session.rollback()
        return ref

    # -- bindings -------------------------------------------------------------------------------

    def _binding(self, item: PlannedItem) -> _BindingRow | None:
        row = self.session.connection().execute(_BINDING_ROW, {"account": self.account_id,
                                                                "product": item.product_id}).first()
        return None if row is None else _BindingRow(row[0], row[1], BindingState(row[2]), row[3], row[4])

    def _write(self, binding_id: int, **values: Any) -> None:
        """Update one binding and commit at once (the rare paths; answers go through the batch)."""
        self.wrote = True
        self.session.connection().execute(_UPDATE_BY_ID, [{"b_id": binding_id, **values}])
        self.session.commit()

    def _insert(self, item: PlannedItem, *, pending_hash: str | None, now: datetime) -> int:
        """Record a new binding, pending its create, and commit it; returns its id."""
        connection = self.session.connection()
        self.wrote = True
        connection.execute(insert(_BINDING), [{
            "account_id": self.account_id, "product_id": item.product_id, "state": BindingState.pending_create,
            "pending_hash": pending_hash, "image_refs": [], "attempts": 0, "manual": False,
            "created_at": now, "updated_at": now}])
        row = self._binding(item)
        assert row is not None
        self.session.commit()
        return row.id

    def _image_refs_json(self, refs: tuple[RemoteImageRef, ...]) -> list[dict[str, str]]:
        """The stored form of image refs (built once per distinct set: listings share photos)."""
        stored = self.refs_json.get(refs)
        if stored is None:
            stored = self.refs_json[refs] = [{"kind": r.kind, "value": r.value, "sha256": r.sha256} for r in refs]
        return stored

    async def _commit_with_others(self, product_id: int, binding_id: int,
                                  values: dict[str, Any]) -> tuple[int, int] | None:
        """Write the binding together with every other result that arrived meanwhile (one
        executemany, one commit, no timer: the commit runs as soon as the answers being read in
        this and the next turn of the event loop have joined); returns the product's current
        versions, read in that transaction."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[int, int] | None] = loop.create_future()
        self.batch.append(_Answer(product_id, binding_id, values, future))
        if len(self.batch) == 1:
            loop.call_soon(self._flush_soon, FLUSH_TURNS)
        return await future

    def _flush_soon(self, turns: int) -> None:
        """Flush after ``turns`` more turns of the event loop (answers still being read join in)."""
        if turns > 1:
            asyncio.get_running_loop().call_soon(self._flush_soon, turns - 1)
        else:
            self._flush_batch()

    def _flush_batch(self) -> None:
        batch, self.batch = self.batch, []
        self.wrote = True
        try:
            connection = self.session.connection()
            groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for answer in batch:
                groups.setdefault(tuple(answer.values), []).append({"b_id": answer.binding_id, **answer.values})
            for rows in groups.values():
                connection.execute(_UPDATE_BY_ID, rows)
            versions = {row[0]: (row[1], row[2]) for row in connection.execute(
                _VERSIONS, {"ids": [answer.product_id for answer in batch]})}
            self.session.commit()
        except Exception as error:  # the whole batch failed to commit; its items are reported failed
            self.session.rollback()
            failure: BaseException = error
            if isinstance(error, IntegrityError):
                failure = ConflictError("sync.duplicate_remote", remote_id="?")
            for answer in batch:
                if not answer.future.done():
                    answer.future.set_exception(failure)
            return
        for answer in batch:
            if not answer.future.done():
                answer.future.set_result(versions.get(answer.product_id))

    async def _bound(self, item: PlannedItem, remote: RemoteListing, *, refs: tuple[RemoteImageRef, ...] | None,
                     binding_id: int | None = None, hash_known: bool = True) -> ItemResult:
        """Bind what the marketplace answered, commit at once; _Replan if the product changed meanwhile."""
        if binding_id is None:
            row = self._binding(item)
            binding_id = row.id if row is not None else self._insert(item, pending_hash=None, now=self.clock())
        state = _STATES.get(remote.state, BindingState.active)
        now = self.clock()
        values: dict[str, Any] = {
            "remote_id": remote.remote_id, "state": state, "pending_hash": None, "attempts": 0,
            "push_result": PushResult.ok.value, "push_error": None, "pushed_at": now,
            "last_error": ({"code": "market.rejected", "fields": {p.field: p.message for p in remote.reasons}}
                           if remote.reasons else None),
            "last_synced_at": now, "updated_at": now}
        if remote.url:
            values["remote_url"] = remote.url
        if hash_known:
            values.update(payload=item.payload, payload_hash=item.payload_hash, plan_key=item.plan_key,
                          content_version=item.content_version, stock_version=item.stock_version)
        if refs is not None:
            values["image_refs"] = self._image_refs_json(refs)
        versions = await self._commit_with_others(item.product_id, binding_id, values)
        fresh = versions == (item.content_version, item.stock_version)
        if hash_known and not fresh:
            raise _Replan  # what was sent is bound; the newer version goes next
        return ItemResult(self.account.name, item.sku, item.action, Outcome.done, remote.remote_id,
                          state=state.value)

    def _unbind(self, item: PlannedItem) -> None:
        """The marketplace no longer knows the listing (its answer): off sale, to be created again."""
        row = self._binding(item)
        if row is not None:
            self._write(row.id, remote_id=None, state=BindingState.delisted, payload_hash=None,
                        last_error={"code": "market.not_found", "key": row.remote_id}, updated_at=self.clock())

    def _failed(self, item: PlannedItem, error: AgriConnectorError, replans: int) -> ItemResult:
        transaction = self.session.get_transaction()
        if transaction is not None and not transaction.is_active:
            self.session.rollback()  # a database error left the transaction unusable
        if isinstance(error, UnreachableError):  # nothing reached the marketplace: the binding stays as it was
            self.unreachable = self.unreachable or error
            return not_attempted(self.account.name, item.sku, item.action, item.remote_id, error, replans)
        outcome = (Outcome.rejected if isinstance(error, RejectedError)
                   else Outcome.skipped if isinstance(error, SkippableError) else Outcome.failed)
        detail = error.to_dict("vi")
        row = self._binding(item)
        state = row.state if row is not None else None
        if row is not None and not isinstance(error, SkippableError | ConflictError):
            now = self.clock()
            values: dict[str, Any] = {"push_error": detail, "pushed_at": now, "attempts": row.attempts + 1,
                                      "updated_at": now, "push_result": PushResult.failed.value}
            if outcome == Outcome.rejected:  # the marketplace's answer: this content is refused
                values["push_result"], values["pending_hash"] = PushResult.refused.value, item.payload_hash
                if row.remote_id is None:  # a create it refused never went on sale
                    state = values["state"] = BindingState.rejected
                    values["last_error"] = detail
            self._write(row.id, **values)
        fields = dict(error.fields) if isinstance(error, RejectedError) else {}
        return ItemResult(self.account.name, item.sku, item.action, outcome, item.remote_id,
                          state=state.value if state is not None else None, code=error.code,
                          message=error.message("vi"), fields=fields, replanned=replans,
                          retriable=isinstance(error, RetriableError))


def _forget_bindings(session: Session) -> None:
    """Bindings are written with Core statements: the session's ORM copies are expired, read again."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Binding):
            session.expire(obj)


async def apply_plan(
    *,
    session: Session,
    account: MarketplaceAccount,
    plan: AccountPlan,
    adapter: Adapter,
    images: ImageSource | None = None,
    concurrency: int = 16,
    total: asyncio.Semaphore | None = None,
    rounds: int = 2,
    policy: RetryPolicy = DEFAULT_POLICY,
    on_result: Callable[[ItemResult], None] | None = None,
    clock: Callable[[], datetime] = utcnow,
    cancelled: Callable[[], AgriConnectorError | None] = lambda: None,
) -> SyncReport:
    """Carry out ``plan`` on ``account`` through ``adapter``; one result per planned item.

    ``rounds``: items that failed with a retriable error (after the adapter's own retries) are
    planned again and tried once more per extra round.  ``cancelled`` is asked before each send
    (the lease keeper answers with an error once the lease is lost).
    """
    run = AccountRun(session=session, account=account, plan=plan, adapter=adapter, images=images,
                     concurrency=concurrency, total=total, policy=policy, on_result=on_result, clock=clock,
                     cancelled=cancelled)
    return await run.run(rounds=rounds)
