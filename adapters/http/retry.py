"""**The** retry policy of the project (tenacity), and the only module that imports tenacity.

:func:`call_with_retries` retries :class:`~catalog.errors.RetriableError` only, with exponential
backoff and jitter, honours the marketplace's ``retry_after``, and stops at an attempt cap or a
total deadline.  Nothing else in ``adapters/`` or ``connector/`` sleeps and tries again: the HTTP
core calls it for every request, the sync engine for a whole operation (for creates it passes
``before_retry`` to look the SKU up first).

Creates are not idempotent: :func:`may_retry` with ``idempotent=False`` lets only errors that
prove the request never reached the marketplace (rate limits, connection refused) be retried.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base

from adapters.http.redaction import redact_text
from catalog.errors import RateLimitedError, RetriableError, UnreachableError

T = TypeVar("T")
SleepFunction = Callable[[float], Awaitable[None]]
logger = logging.getLogger("adapters.http")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempt cap, backoff and total deadline of the one retry policy."""

    max_attempts: int = 5
    base_delay: float = 0.2  # seconds before the 2nd attempt, doubled each time
    max_delay: float = 10.0
    deadline: float = 60.0  # seconds, all attempts and waits included
    jitter: float = 0.5  # the wait is drawn from [delay * (1 - jitter), delay]
    max_retry_after: float = 60.0  # a Retry-After longer than this is capped

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        delay = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        delay = random.uniform(delay * (1.0 - self.jitter), delay)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_retry_after))
        return delay


DEFAULT_POLICY = RetryPolicy()
_current_policy = DEFAULT_POLICY


def default_policy() -> RetryPolicy:
    """The policy adapters use unless given one (tests shorten it with :func:`set_default_policy`)."""
    return _current_policy


def set_default_policy(policy: RetryPolicy) -> RetryPolicy:
    """Replace the default policy; returns the previous one."""
    global _current_policy
    previous, _current_policy = _current_policy, policy
    return previous


def is_retriable(error: BaseException) -> bool:
    return isinstance(error, RetriableError)


def may_retry(error: BaseException, *, idempotent: bool) -> bool:
    """Whether a failed request may be sent again: any retriable error when it is idempotent;
    for a create (which may have been committed) only the errors that prove it was not."""
    if not isinstance(error, RetriableError) or isinstance(error, UnreachableError):
        return False  # (an unreachable marketplace is tried again by the next run, not by this one's retries)
    return idempotent or isinstance(error, RateLimitedError) or error.params.get("sent") is False


async def call_with_retries(
    operation: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy | None = None,
    retry_if: Callable[[BaseException], bool] = is_retriable,
    before_retry: Callable[[int, BaseException], Awaitable[None]] | None = None,
    sleep: SleepFunction | None = None,
) -> T:
    """Run ``operation`` under the retry policy.

    Only errors for which ``retry_if`` is true are retried (default: :class:`RetriableError`);
    anything else propagates at once.  ``before_retry(attempt, error)`` runs before each new
    attempt (the sync engine looks a SKU up there and may raise to stop).  When attempts or the
    deadline run out, the last error is raised as it was.

    The first attempt runs directly (most calls succeed at once: no retry machinery for them);
    tenacity takes over from the first retriable failure, which it sees as attempt 1.
    """
    active = policy or default_policy()
    started = time.monotonic()
    try:
        return await operation()
    except Exception as error:
        if not retry_if(error) or active.max_attempts <= 1:
            raise
        first: list[BaseException] = [error]

    retrying = _retrying(active, started, retry_if=retry_if, before_retry=before_retry, sleep=sleep or asyncio.sleep)

    async def attempt() -> T:  # tenacity awaits only coroutine functions: a lambda must be wrapped
        if first:  # the attempt already made, failed as it did
            raise first.pop()
        return await operation()

    return await retrying(attempt)


def _retrying(
    policy: RetryPolicy,
    started: float,
    *,
    retry_if: Callable[[BaseException], bool],
    before_retry: Callable[[int, BaseException], Awaitable[None]] | None,
    sleep: SleepFunction,
) -> AsyncRetrying:
    """Tenacity, set to the policy: which errors, how long to wait, when to stop, what to log."""

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        delay = policy.backoff(state.attempt_number, getattr(error, "retry_after", None))
        remaining = policy.deadline - (time.monotonic() - started)
        return max(0.0, min(delay, remaining))

    async def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        logger.info(
            "retry after attempt %d: %s",
            state.attempt_number,
            redact_text(str(error)),
            extra={"attempt": state.attempt_number, "error_code": getattr(error, "code", None)},
        )
        if before_retry is not None and error is not None:
            await before_retry(state.attempt_number, error)

    return AsyncRetrying(
        retry=retry_if_exception(retry_if),
        stop=stop_after_attempt(policy.max_attempts) | _StopAt(started + policy.deadline),
        wait=wait,
        before_sleep=before_sleep,
        sleep=sleep,
        reraise=True,
    )


class _StopAt(stop_base):
    """Stop once the policy's deadline (counted from the first attempt) has passed."""

    def __init__(self, moment: float) -> None:
        self.moment = moment

    def __call__(self, retry_state: RetryCallState) -> bool:
        return time.monotonic() >= self.moment
