"""Sync runs started from the web: a background thread per run, its progress kept in memory.

A run is owned by the user who started it; the page polls it (a meta refresh, so it works
without JavaScript) until it is finished.  The work is :func:`connector.sync.engine.sync_accounts`,
the same call ``agri sync`` makes, on its own database session.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from catalog.errors import AgriConnectorError, NotFoundError
from connector.accounts import MarketplaceAccount
from connector.sync import sync_accounts
from connector.web.scope import Principal

MAX_RUNS = 50


@dataclass
class SyncRun:
    id: str
    user_id: int
    accounts: list[str]
    planned: int = 0
    done: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    account_errors: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False
    error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return int(100 * self.done / self.planned) if self.planned else 0

    def to_dict(self) -> dict[str, Any]:
        with self.lock:
            return {"id": self.id, "accounts": self.accounts, "planned": self.planned, "done": self.done,
                    "percent": self.percent, "counts": dict(self.counts), "failures": list(self.failures),
                    "account_errors": list(self.account_errors), "finished": self.finished, "error": self.error}


class SyncRuns:
    """The runs of one app instance (newest kept, oldest finished ones forgotten)."""

    def __init__(self) -> None:
        self._runs: dict[str, SyncRun] = {}
        self._lock = threading.Lock()

    def get(self, run_id: str, who: Principal) -> SyncRun:
        run = self._runs.get(run_id)
        if run is None or (run.user_id != who.user_id and who.role.value != "admin"):
            raise NotFoundError(entity="sync_run", key=run_id)
        return run

    def start(self, *, engine: Engine, account_ids: list[int], names: list[str], who: Principal) -> SyncRun:
        run = SyncRun(id=secrets.token_urlsafe(12), user_id=who.user_id, accounts=names)
        with self._lock:
            finished = [k for k, r in self._runs.items() if r.finished]
            for key in finished[: max(0, len(self._runs) - MAX_RUNS + 1)]:
                del self._runs[key]
            self._runs[run.id] = run
        thread = threading.Thread(target=_work, args=(run, engine, account_ids, sync_accounts),
                                  name=f"web-sync-{run.id}", daemon=True)
        thread.start()
        return run


def _work(run: SyncRun, engine: Engine, account_ids: list[int], sync_accounts: Any) -> None:
    def planned(plan: Any) -> None:
        with run.lock:
            run.planned += len(plan.items)

    def result(item: Any) -> None:
        with run.lock:
            run.done += 1
            key = item.outcome.value
            run.counts[key] = run.counts.get(key, 0) + 1
            if not item.ok and len(run.failures) < 200:
                run.failures.append({"account": item.account, "sku": item.sku, "outcome": key,
                                     "message": item.message, "fields": dict(item.fields)})

    try:
        with Session(engine, expire_on_commit=False) as session:
            accounts = list(session.exec(select(MarketplaceAccount).where(col(MarketplaceAccount.id).in_(account_ids))))
            report = asyncio.run(sync_accounts(session=session, accounts=accounts, on_plan=planned,
                                               on_result=result))
            session.commit()
        with run.lock:
            run.account_errors = list(report.account_errors)
            run.counts = report.counts()
    except AgriConnectorError as error:
        run.error = error.message("vi")
    except Exception as error:  # a run must end visibly whatever happened; the page shows it
        run.error = f"{type(error).__name__}: {error}"
    finally:
        run.finished = True
