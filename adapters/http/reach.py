"""Whether one account's marketplace answers at all: a dead marketplace is recognised in seconds.

Each request that fails to get an answer (refused, reset, timed out) is retried by the retry
policy; with 500 products that is 500 items each waiting out its own retries, minutes before the
run gives up.  Instead, an account's transport trips after :data:`MAX_SILENT_FAILURES` failures in a
row to *connect* (refused, unreachable, connect timeout), or when any failure (a dropped connection,
a read timeout) comes :data:`SILENCE` seconds after the last answer (or the first request).  A
connection dropped now and then by a live marketplace is not counted as a failure to connect: the
answers around it keep the account going.  Once tripped, the failing request and every later one of that
account raise :class:`~catalog.errors.UnreachableError` at once, without touching the network.
Any answer, even an error status, proves the marketplace is there and resets the count.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from catalog.errors import UnreachableError

MAX_SILENT_FAILURES = 3
SILENCE = 10.0  # seconds


@dataclass
class Reachability:
    marketplace: str
    account: str
    max_failures: int = MAX_SILENT_FAILURES
    silence: float = SILENCE
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    last_answer: float | None = None
    tripped: UnreachableError | None = field(default=None, init=False)

    def check(self) -> None:
        """Before a request: refuse at once if the marketplace was found unreachable."""
        if self.tripped is not None:
            raise self.tripped
        if self.last_answer is None:
            self.last_answer = self.clock()  # the silence is counted from the first request

    def answered(self) -> None:
        self.failures, self.last_answer = 0, self.clock()

    def failed(self, where: str, *, connect: bool = True) -> UnreachableError | None:
        """After a request that got no answer (``where``: its method and path; ``connect``: it could not even
        connect): the error to raise instead, once the account is given up."""
        if connect:
            self.failures += 1
        silent_for = self.clock() - (self.last_answer if self.last_answer is not None else self.clock())
        if self.failures < self.max_failures and silent_for < self.silence:
            return None
        self.tripped = UnreachableError(marketplace=self.marketplace, account=self.account, attempts=self.failures,
                                        silent=round(silent_for), where=where)
        return self.tripped
