"""ASGI middleware that applies the run's :class:`~connector.sandbox.faults.Faults` to marketplace
requests (``/_sandbox/...`` control routes are never faulted) and counts outcomes."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connector.sandbox.app import Sandbox
    from connector.sandbox.contract import Contract
    from connector.sandbox.faults import Faults

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class DroppedConnection(Exception):
    """Raised after a committed response was cut short: the server closes the connection."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection) and not isinstance(
            getattr(exc, "__cause__", None), DroppedConnection
        )


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


class FaultMiddleware:
    """Faults for the requests to a marketplace (``/<name>/...`` of one of ``contracts``), each
    answered in that marketplace's envelope."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox, contracts: dict[str, Contract]) -> None:
        self.app = app
        self.sandbox = sandbox
        self.contracts = contracts
        self.buckets: dict[str, tuple[float, float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        contract = self.contracts.get(path.split("/")[1] if path.count("/") >= 1 else "")
        if scope["type"] != "http" or contract is None:
            await self.app(scope, receive, send)
            return
        faults = self.sandbox.faults
        counts = self.sandbox.state.counts
        rng: random.Random = self.sandbox.fault_rng
        if faults.latency:
            await asyncio.sleep(faults.latency)
        if faults.rate is not None and not path.endswith("/login"):
            wait = self._take(contract.account_key(scope, self.sandbox.state), faults.rate)
            if wait > 0:
                counts["rate_limited"] += 1
                await _respond(
                    send,
                    429,
                    contract.error_body("too_many_requests", "Rate limit exceeded"),
                    {"Retry-After": f"{max(wait, 0.01):.2f}"},
                )
                return
        await self._roll(faults, rng, contract, scope, receive, send)

    async def _roll(
        self, faults: Faults, rng: random.Random, contract: Contract, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """One draw decides: a fault (5xx, 429, 429 in the body, timeout, drop) or the app's answer."""
        counts = self.sandbox.state.counts
        roll = rng.random()
        edge = faults.server_error
        if roll < edge:
            counts["5xx"] += 1
            await _respond(send, 503, contract.error_body("system_busy", "Service unavailable"))
            return
        edge += faults.too_many
        if roll < edge:
            counts["429"] += 1
            headers = {"Retry-After": "0.05"} if rng.random() < 0.5 else {}
            await _respond(send, 429, contract.error_body("too_many_requests", "Too many requests"), headers)
            return
        edge += faults.too_many_body
        if roll < edge:
            counts["429body"] += 1
            await _respond(send, 200, contract.rate_limit_body)
            return
        edge += faults.timeout
        if roll < edge:
            counts["timeout"] += 1
            await asyncio.sleep(faults.timeout_after)
            await _respond(send, 504, contract.error_body("system_busy", "Gateway timeout"))
            return
        edge += faults.drop
        if roll < edge:
            counts["drop"] += 1
            await self._commit_then_drop(scope, receive, send)
            return
        await self.app(scope, receive, _counting(send, counts))

    async def _commit_then_drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        await self.app(scope, receive, capture)
        start = next((m for m in captured if m["type"] == "http.response.start"), None)
        body = b"".join(m.get("body", b"") for m in captured if m["type"] == "http.response.body")
        if start is None:
            raise DroppedConnection("dropped")
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body) + 64).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
        raise DroppedConnection("connection dropped after commit")

    def _take(self, key: str, rate: float) -> float:
        """Seconds until this account may make a request (0: go on)."""
        now = time.monotonic()
        burst = max(1.0, rate / 5)
        tokens, last = self.buckets.get(key, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens >= 1.0:
            self.buckets[key] = (tokens - 1.0, now)
            return 0.0
        self.buckets[key] = (tokens, now)
        return (1.0 - tokens) / rate


def _counting(send: Send, counts: Any) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            status = int(message["status"])
            counts["ok" if status < 400 else f"http_{status}"] += 1
        await send(message)

    return wrapped


async def _respond(send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})
