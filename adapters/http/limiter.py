"""The per-account rate limiter: an async token bucket that paces requests the way marketplaces
count them, caps the requests in flight, and slows down on 429s (:func:`limiter_for` gives the one
bucket of an account)."""

from __future__ import annotations

import asyncio
import time
from collections import deque


class TokenBucket:
    """An async token bucket: ``rate`` requests per second with bursts of ``burst``.

    It counts the way marketplaces count (the sandbox's limiter is one such bucket): tokens refill
    continuously at the rate, up to ``burst``, and each request takes one *when it leaves*.
    Waiting requests queue in order behind one timer, so after a stall of the event loop at
    most ``burst`` go at once, never every request whose turn passed meanwhile (a marketplace
    counts those as one burst and answers 429).  The client paces at ``HEADROOM`` of the
    documented rate with a burst of a tenth of a second's worth by default: half of the
    sandbox's (a fifth), the other half absorbs the jitter of the network and of both event
    loops, and the headroom refills the marketplace's bucket when a stall has emptied it.

    A marketplace counts a request when it handles it, not when it was sent: a server that
    stalls handles every request that reached it meanwhile at one instant.  So the requests in
    flight (``acquire(in_flight=True)`` … ``done``) are capped too: at the burst (the half of
    the marketplace's that our own bursts leave it), or at twice what the shortest round trip
    seen needs to keep the rate, whichever is more.  After such a stall the marketplace's bucket
    refills only by what the headroom leaves it.

    It slows down on 429s (AIMD): ``penalize`` halves the rate, at most once per second so that a
    burst of 429s counts once, down to a tenth of the nominal rate, and blocks until the
    ``retry_after``; each success (``reward``) adds back 2 % of the nominal rate.
    """

    HEADROOM = 0.97  # pace a little under the documented rate: the marketplace's bucket refills meanwhile

    def __init__(self, rate: float, *, burst: int | None = None, min_rate: float | None = None) -> None:
        self.nominal = max(float(rate), 0.1)
        self.rate = self.nominal
        self.burst = burst if burst is not None else max(1, int(self.nominal // 10))
        self.min_rate = min_rate if min_rate is not None else max(0.1, self.nominal / 10)
        self.tokens = float(self.burst)
        self._stamp = time.monotonic()
        self._blocked_until = 0.0
        self._last_penalty = -1e9
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: deque[tuple[asyncio.Future[None], bool]] = deque()
        self._timer: asyncio.TimerHandle | None = None
        self.in_flight = 0
        self._round_trip = 0.0  # the shortest round trip seen (drifting up slowly), seconds

    @property
    def max_in_flight(self) -> int:
        return max(self.burst, int(2 * self.nominal * self._round_trip) + 1)

    def _refill(self, now: float) -> None:
        if now > self._stamp:
            self.tokens = min(float(self.burst), self.tokens + (now - self._stamp) * self.rate * self.HEADROOM)
            self._stamp = now

    def _wait(self, now: float) -> float:
        """Seconds until a token is free (0: now)."""
        shortfall = 1.0 - self.tokens
        return max(0.0, self._blocked_until - now, shortfall / (self.rate * self.HEADROOM) if shortfall > 0 else 0.0)

    def reserve(self) -> float:
        """Take a token now, in debt if none is free; seconds to wait before using it."""
        now = time.monotonic()
        self._refill(now)
        wait = self._wait(now)
        self.tokens -= 1.0
        return wait

    async def acquire(self, *, in_flight: bool = False) -> None:
        """Wait for a token (first come, first served) and take it; with ``in_flight``, also for a
        place among the requests in flight (give it back with :meth:`done`)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (asyncio.run again): the old queue is gone
            self._loop, self._waiters, self._timer, self.in_flight = loop, deque(), None, 0
        if not self._waiters and (not in_flight or self.in_flight < self.max_in_flight):
            now = time.monotonic()
            self._refill(now)
            if self._wait(now) == 0.0:
                self.tokens -= 1.0
                self.in_flight += in_flight
                return
        future: asyncio.Future[None] = loop.create_future()
        self._waiters.append((future, in_flight))
        self._arm()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # given its turn, then cancelled: give it back
                self.tokens += 1.0
                if in_flight:
                    self.done(None)
            raise

    def done(self, round_trip: float | None) -> None:
        """A request taken with ``acquire(in_flight=True)`` has its answer (or failed)."""
        self.in_flight = max(0, self.in_flight - 1)
        if round_trip is not None and round_trip > 0:
            rtt = self._round_trip
            self._round_trip = round_trip if rtt == 0.0 or round_trip < rtt else rtt + (round_trip - rtt) * 0.01
        if self._waiters and self._timer is None and self._loop is not None:
            self._release()

    def _arm(self) -> None:
        if self._timer is not None or not self._waiters or self._loop is None:
            return
        if self._waiters[0][1] and self.in_flight >= self.max_in_flight:
            return  # the next answer (done) releases the queue
        now = time.monotonic()
        self._refill(now)
        self._timer = self._loop.call_later(self._wait(now), self._release)

    def _release(self) -> None:
        self._timer = None
        now = time.monotonic()
        self._refill(now)
        while self._waiters and self._wait(now) <= 1e-6:
            future, in_flight = self._waiters[0]
            if future.done():  # its task was cancelled while waiting
                self._waiters.popleft()
                continue
            if in_flight and self.in_flight >= self.max_in_flight:
                break
            self._waiters.popleft()
            self.tokens -= 1.0
            self.in_flight += in_flight
            future.set_result(None)
        self._arm()

    def penalize(self, retry_after: float | None = None) -> None:
        now = time.monotonic()
        self._refill(now)
        if now - self._last_penalty >= 1.0:
            self.rate = max(self.min_rate, self.rate / 2)
            self._last_penalty = now
        if retry_after:
            self._blocked_until = max(self._blocked_until, now + min(retry_after, 60.0))

    def reward(self) -> None:
        if self.rate < self.nominal:
            self._refill(time.monotonic())
            self.rate = min(self.nominal, self.rate + self.nominal * 0.02)


_LIMITERS: dict[tuple[str, str, str], TokenBucket] = {}


def limiter_for(marketplace: str, account: str, base_url: str, rate: float) -> TokenBucket:
    """The one limiter of an account (shared by every adapter instance for it in this process)."""
    key = (marketplace, account, base_url)
    bucket = _LIMITERS.get(key)
    if bucket is None or bucket.nominal != max(float(rate), 0.1):
        bucket = _LIMITERS[key] = TokenBucket(rate)
    return bucket
