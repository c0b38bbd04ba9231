"""The retry policy is defined once (adapters/http/retry.py): no other sleep-and-retry loop in the packages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "adapters" / "http" / "retry.py"
RETRY_ERRORS = {"RetriableError", "RateLimitedError", "TimeoutException", "HTTPError", "TransportError",
                "ConnectError", "ReadTimeout", "RemoteProtocolError", "HTTPStatusError"}


def _sources() -> list[Path]:
    return sorted(p for top in ("adapters", "connector") for p in (ROOT / top).rglob("*.py"))


def _names(node: ast.AST | None) -> set[str]:
    out: set[str] = set()
    for sub in ast.walk(node) if node is not None else ():
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.add(sub.attr)
    return out


def _retry_loops(tree: ast.AST) -> list[int]:
    """Loops that sleep and swallow a retriable error: a hand-made retry."""
    found = []
    for loop in ast.walk(tree):
        if not isinstance(loop, ast.While | ast.For | ast.AsyncFor):
            continue
        sleeps = any(isinstance(n, ast.Call) and "sleep" in _names(n.func) for n in ast.walk(loop))
        catches = any(isinstance(n, ast.ExceptHandler) and _names(n.type) & RETRY_ERRORS for n in ast.walk(loop))
        if sleeps and catches:
            found.append(loop.lineno)
    return found


def test_tenacity_is_used_in_one_place_only() -> None:
    assert re.search(r"^from tenacity import", HOME.read_text(encoding="utf-8"), re.M), "the policy moved: update HOME"
    offenders = [str(p.relative_to(ROOT)) for p in _sources()
                 if p != HOME and re.search(r"^\s*(from|import)\s+tenacity", p.read_text(encoding="utf-8"), re.M)]
    assert offenders == []


def test_no_hand_made_retry_loops() -> None:
    offenders = {}
    for path in _sources():
        if path == HOME:
            continue
        text = path.read_text(encoding="utf-8")
        lines = _retry_loops(ast.parse(text))
        pattern = re.compile(r"for\s+\w*attempt\w*\s+in\s+range")
        lines += [i for i, line in enumerate(text.splitlines(), 1) if pattern.search(line)]
        if lines:
            offenders[str(path.relative_to(ROOT))] = lines
    assert offenders == {}


def test_adapters_never_sleep_outside_the_http_core() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "adapters").rglob("*.py")
                 if p != HOME and re.search(r"\bsleep\(", p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_checker_finds_a_hand_made_retry() -> None:
    sample = """
async def pull():
    for _ in range(3):
        try:
            return await fetch()
        except RetriableError:
            await asyncio.sleep(1)
"""
    assert _retry_loops(ast.parse(sample)) == [3]
