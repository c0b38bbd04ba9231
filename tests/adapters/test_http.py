"""The HTTP core: the one retry policy, the limiter, classification, redaction, logging."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest
import respx
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.http import (
    Call,
    HttpCore,
    Redactor,
    RetryPolicy,
    Token,
    TokenAuth,
    TokenBucket,
    call_with_retries,
    dig,
    parse_retry_after,
)
from catalog.errors import (
    AuthError,
    AuthExpiredError,
    RateLimitedError,
    RejectedError,
    RemoteNotFoundError,
    RetriableError,
)

FAST = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.002, deadline=5.0)
BASE = "https://market.test/api"


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_retries_retriable_errors_until_success() -> None:
    calls = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise RetriableError("market.retriable", marketplace="m", detail="busy")
        return "done"

    assert run(call_with_retries(flaky, policy=FAST)) == "done"
    assert len(calls) == 3


def test_fatal_errors_are_not_retried() -> None:
    calls = []

    async def refused() -> None:
        calls.append(1)
        raise RejectedError("market.rejected", marketplace="m", detail="bad")

    with pytest.raises(RejectedError):
        run(call_with_retries(refused, policy=FAST))
    assert len(calls) == 1


def test_attempt_cap_raises_the_last_error() -> None:
    calls = []

    async def always() -> None:
        calls.append(1)
        raise RetriableError("market.retriable", marketplace="m", detail=f"try {len(calls)}")

    with pytest.raises(RetriableError) as caught:
        run(call_with_retries(always, policy=FAST))
    assert len(calls) == FAST.max_attempts
    assert caught.value.params["detail"] == f"try {FAST.max_attempts}"


def test_retry_after_is_honoured_and_backoff_grows() -> None:
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    calls = []

    async def limited() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise RateLimitedError("market.rate_limited", marketplace="m", retry_after=7.5)
        if len(calls) < 4:
            raise RetriableError("market.retriable", marketplace="m", detail="x")
        return "ok"

    policy = RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=100.0, deadline=100.0, jitter=0.0)
    assert run(call_with_retries(limited, policy=policy, sleep=fake_sleep)) == "ok"
    assert waits[0] == pytest.approx(7.5)
    assert waits[1:] == [pytest.approx(2.0), pytest.approx(4.0)]


def test_deadline_caps_the_wait() -> None:
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    async def limited() -> None:
        raise RateLimitedError("market.rate_limited", marketplace="m", retry_after=30.0)

    policy = RetryPolicy(max_attempts=3, base_delay=0.01, deadline=0.5)
    with pytest.raises(RateLimitedError):
        run(call_with_retries(limited, policy=policy, sleep=fake_sleep))
    assert waits and all(w <= 0.5 for w in waits)


def test_before_retry_runs_between_attempts() -> None:
    seen: list[int] = []

    async def before(attempt: int, error: BaseException) -> None:
        seen.append(attempt)

    calls = []

    async def flaky() -> int:
        calls.append(1)
        if len(calls) < 3:
            raise RetriableError("market.retriable", marketplace="m", detail="x")
        return len(calls)

    assert run(call_with_retries(flaky, policy=FAST, before_retry=before)) == 3
    assert seen == [1, 2]


def test_token_bucket_slows_down_on_429_and_recovers() -> None:
    bucket = TokenBucket(100.0, burst=1)
    assert bucket.reserve() == 0.0
    bucket.penalize(retry_after=2.0)
    bucket.penalize(retry_after=2.0)  # the same burst of 429s counts once
    assert bucket.rate == 50.0
    assert bucket.reserve() > 1.5  # blocked until the Retry-After
    for _ in range(10):
        bucket.reward()
    assert bucket.rate == 70.0
    for _ in range(100):
        bucket.reward()
    assert bucket.rate == 100.0
    floor = TokenBucket(100.0)
    for _ in range(10):
        floor._last_penalty = -1e9
        floor.penalize()
    assert floor.rate == 10.0


def test_token_bucket_spaces_requests_beyond_the_burst() -> None:
    bucket = TokenBucket(10.0, burst=2)
    waits = [bucket.reserve() for _ in range(5)]
    assert waits[0] == 0.0 and waits[1] == 0.0
    assert waits[2] < waits[3] < waits[4]
    assert waits[4] == pytest.approx(0.3, abs=0.05)


class _Clock:
    """A stand-in for the ``time`` module inside adapters.http.limiter: the limiter's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now


def test_token_bucket_releases_one_burst_after_a_stall(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests waiting for their turn while the event loop stalls leave one burst at a time, not
    all at once (a marketplace would count them as one burst and answer 429)."""
    import adapters.http.limiter as limiter_module

    clock = _Clock()
    monkeypatch.setattr(limiter_module, "time", clock)

    async def scenario() -> list[int]:
        bucket = TokenBucket(100.0, burst=2)
        tasks = [asyncio.ensure_future(bucket.acquire()) for _ in range(10)]
        for _ in range(3):
            await asyncio.sleep(0)
        seen = [sum(t.done() for t in tasks)]
        clock.now += 1.0  # the loop was busy for a second: every waiter's turn has passed
        assert bucket._timer is not None
        bucket._timer.cancel()
        bucket._release()
        await asyncio.sleep(0)
        seen.append(sum(t.done() for t in tasks))
        clock.now += 1 / (100 * TokenBucket.HEADROOM)  # one more token
        bucket._timer.cancel()
        bucket._release()
        await asyncio.sleep(0)
        seen.append(sum(t.done() for t in tasks))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return seen

    assert run(scenario()) == [2, 4, 5]


def test_token_bucket_caps_requests_in_flight(monkeypatch: pytest.MonkeyPatch) -> None:
    import adapters.http.limiter as limiter_module

    clock = _Clock()
    monkeypatch.setattr(limiter_module, "time", clock)

    async def scenario() -> None:
        bucket = TokenBucket(1000.0, burst=2)
        await bucket.acquire(in_flight=True)
        await bucket.acquire(in_flight=True)
        clock.now += 1.0  # tokens enough, but two requests (the burst) are still out
        third = asyncio.ensure_future(bucket.acquire(in_flight=True))
        await asyncio.sleep(0)
        assert not third.done() and bucket.in_flight == 2
        bucket.done(0.05)  # an answer: the third goes
        await asyncio.sleep(0)
        assert third.done() and bucket.in_flight == 2
        assert bucket.max_in_flight == 101  # twice what a 50 ms round trip needs at 1,000/s
        bucket.done(None)
        bucket.done(None)
        assert bucket.in_flight == 0

    run(scenario())


def test_parse_retry_after() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.25") == 0.25
    assert parse_retry_after(None) is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None


def test_dig() -> None:
    data = {"a": {"b": [{"c": 1}]}}
    assert dig(data, "a.b.0.c") == 1
    assert dig(data, "a.x", "d") == "d"
    assert dig(data, "a.b.5") is None


def test_redactor_scrubs_plain_and_url_encoded_forms() -> None:
    redactor = Redactor(["s3cr3t/key+value"])
    text = "url?key=s3cr3t%2Fkey%2Bvalue and s3cr3t/key+value"
    assert "s3cr3t" not in redactor.redact(text)
    assert redactor.redact("abc") == "abc"


def _core(client: httpx.AsyncClient, **kwargs: Any) -> HttpCore:
    defaults: dict[str, Any] = {"client": client, "marketplace": "test", "account": f"acc-{id(kwargs)}",
                                "base_url": BASE, "secrets": ["topsecretvalue"], "rate": 1000.0, "policy": FAST}
    defaults.update(kwargs)
    return HttpCore(**defaults)


@respx.mock
def test_core_retries_429_then_succeeds() -> None:
    route = respx.get(f"{BASE}/x").mock(side_effect=[
        httpx.Response(429, headers={"Retry-After": "0"}),
        httpx.Response(503),
        httpx.Response(200, json={"ok": True}),
    ])

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            return await _core(client).request("GET", "/x")

    reply = run(go())
    assert reply.body == {"ok": True}
    assert route.call_count == 3


@respx.mock
def test_core_does_not_retry_a_create_that_may_have_been_committed() -> None:
    route = respx.post(f"{BASE}/create").mock(side_effect=httpx.ReadTimeout("slow"))

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            return await _core(client).request("POST", "/create", json_body={}, idempotent=False)

    with pytest.raises(RetriableError) as caught:
        run(go())
    assert caught.value.code == "adapters.timeout"
    assert route.call_count == 1


@respx.mock
def test_core_retries_a_create_that_never_left() -> None:
    route = respx.post(f"{BASE}/create").mock(side_effect=[httpx.ConnectError("refused"),
                                                           httpx.Response(200, json={"id": 1})])

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            return await _core(client).request("POST", "/create", json_body={}, idempotent=False)

    assert run(go()).body == {"id": 1}
    assert route.call_count == 2


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(401), AuthExpiredError),
        (httpx.Response(403), AuthError),
        (httpx.Response(404), RemoteNotFoundError),
        (httpx.Response(422, json={"message": "bad"}), RejectedError),
    ],
)
@respx.mock
def test_core_classifies_status(response: httpx.Response, error: type[Exception]) -> None:
    respx.get(f"{BASE}/y").mock(return_value=response)

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            return await _core(client).request("GET", "/y")

    with pytest.raises(error):
        run(go())


@respx.mock
def test_core_classifies_body_codes_through_the_hook() -> None:
    respx.get(f"{BASE}/z").mock(side_effect=[httpx.Response(200, json={"error": "slow_down"}),
                                             httpx.Response(200, json={"error": ""})])

    def classify(response: httpx.Response, body: Any) -> Any:
        if body.get("error") == "slow_down":
            return RateLimitedError("market.rate_limited", marketplace="test")
        return None

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            return await _core(client, classify=classify).request("GET", "/z")

    assert run(go()).body == {"error": ""}


class _KeyAuth(httpx.Auth):
    """A key in the query, numbered per attempt; ``refresh`` counts (a :class:`Refreshable` auth)."""

    def __init__(self) -> None:
        self.signed: list[str] = []
        self.refreshed = 0

    def auth_flow(self, request: httpx.Request) -> Any:
        self.signed.append(str(len(self.signed)))
        request.url = request.url.copy_merge_params({"key": "topsecretvalue", "n": self.signed[-1]})
        yield request

    async def refresh(self) -> None:
        self.refreshed += 1


@respx.mock
def test_core_refreshes_once_on_expired_auth() -> None:
    route = respx.get(f"{BASE}/me").mock(side_effect=[httpx.Response(401), httpx.Response(200, json={"me": 1})])
    auth = _KeyAuth()

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            return await _core(client, auth=auth).request("GET", "/me")

    assert run(go()).body == {"me": 1}
    assert auth.refreshed == 1 and route.calls[1].request.url.params["n"] == "1"


@respx.mock
def test_expired_auth_without_refresh_is_raised() -> None:
    respx.get(f"{BASE}/me").mock(return_value=httpx.Response(401))

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            return await _core(client, auth=httpx.BasicAuth("user", "topsecretvalue")).request("GET", "/me")

    with pytest.raises(AuthExpiredError):
        run(go())


@respx.mock
def test_core_signs_every_attempt_and_logs_without_secrets(caplog: pytest.LogCaptureFixture) -> None:
    route = respx.get(f"{BASE}/s").mock(side_effect=[httpx.Response(503, text="topsecretvalue leaked?"),
                                                     httpx.Response(200, json={})])
    auth = _KeyAuth()

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            return await _core(client, auth=auth).request("GET", "/s")

    with caplog.at_level(logging.DEBUG):
        run(go())
    assert route.call_count == 2 and auth.signed == ["0", "1"]
    assert route.calls[1].request.url.params["n"] == "1"
    records = [r for r in caplog.records if r.name == "adapters.http"]
    assert any(getattr(r, "status", None) == 503 and getattr(r, "attempt", None) == 1 for r in records)
    assert all(hasattr(r, "duration_ms") for r in records if hasattr(r, "status"))
    assert "topsecretvalue" not in caplog.text


@respx.mock
def test_an_unauthenticated_call_skips_the_auth() -> None:
    route = respx.post(f"{BASE}/login").mock(return_value=httpx.Response(200, json={}))
    auth = _KeyAuth()

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            return await _core(client, auth=auth).send(Call("POST", "/login", json_body={}, authenticated=False))

    run(go())
    assert auth.signed == [] and "key" not in route.calls[0].request.url.params


@respx.mock
def test_an_auth_flow_of_two_requests_is_followed() -> None:
    """httpx's digest auth answers the server's challenge with a second request: both are sent."""
    challenge = 'Digest realm="m", nonce="abc", qop="auth", algorithm=MD5'
    route = respx.get(f"{BASE}/d").mock(side_effect=[httpx.Response(401, headers={"WWW-Authenticate": challenge}),
                                                     httpx.Response(200, json={"ok": 1})])

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            return await _core(client, auth=httpx.DigestAuth("user", "topsecretvalue")).request("GET", "/d")

    assert run(go()).body == {"ok": 1}
    assert route.call_count == 2 and route.calls[1].request.headers["Authorization"].startswith("Digest ")


@respx.mock
def test_token_auth_logs_in_once_for_concurrent_requests_and_again_when_refused() -> None:
    logins: list[int] = []
    respx.post(f"{BASE}/login").mock(side_effect=lambda request: httpx.Response(
        200, json={"token": f"token{len(logins):04d}"}))
    seen: list[str] = []

    def data(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        if request.headers["Authorization"] == "Bearer token0001" and len(seen) > 5:
            return httpx.Response(401)
        return httpx.Response(200, json={})

    respx.get(f"{BASE}/data").mock(side_effect=data)

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            core: HttpCore

            async def login() -> Token:
                logins.append(1)
                reply = await core.request("POST", "/login", authenticated=False)
                core.add_secret(reply.body["token"])
                return Token(reply.body["token"], 3600)

            core = _core(client, auth=TokenAuth(login))
            await asyncio.gather(*(core.request("GET", "/data") for _ in range(5)))
            await core.request("GET", "/data")  # refused: a new login, then the same call again

    run(go())
    assert len(logins) == 2
    assert seen == ["Bearer token0001"] * 6 + ["Bearer token0002"]


def test_token_auth_is_async_only() -> None:
    async def login() -> Token:
        return Token("t", 60)

    with pytest.raises(RuntimeError):
        next(TokenAuth(login).sync_auth_flow(httpx.Request("GET", BASE)))


@respx.mock
def test_error_text_never_carries_a_secret() -> None:
    respx.get(f"{BASE}/e").mock(return_value=httpx.Response(400, json={"message": "key topsecretvalue is bad"}))

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            return await _core(client).request("GET", "/e")

    with pytest.raises(RejectedError) as caught:
        run(go())
    assert "topsecretvalue" not in str(caught.value)
    assert "topsecretvalue" not in caught.value.message("vi")
    assert "topsecretvalue" not in repr(caught.value.to_dict())


def test_a_lambda_returning_a_coroutine_is_awaited() -> None:
    async def value() -> int:
        return 42

    assert run(call_with_retries(lambda: value(), policy=FAST)) == 42


@settings(max_examples=200, deadline=None)
@given(secret=st.text(min_size=4, max_size=40).filter(lambda s: s.strip() == s and s.strip()),
       before=st.text(max_size=30), after=st.text(max_size=30))
def test_redaction_never_leaves_a_secret(secret: str, before: str, after: str) -> None:
    redactor = Redactor([secret])
    text = f"{before}{secret}{after} {httpx.QueryParams({'k': secret})}"
    assert secret not in redactor.redact(text)
