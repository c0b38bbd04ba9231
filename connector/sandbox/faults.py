"""The fault-injection spec of the sandbox: one string, parsed once per run.

``latency=50ms,5xx=0.1,429=0.05,429body=0.05,timeout=0.02,drop=0.05,token-ttl=200,rate=100/s``

- ``latency``: added to every marketplace request (``ms`` or ``s``);
- ``5xx``: fraction answered 503 (nothing is done);
- ``429``: fraction answered 429 (half with a ``Retry-After``, half without);
- ``429body``: fraction answered 200 with the marketplace's rate-limit code in the body;
- ``timeout``: fraction held for ``timeout-after`` (default 1 s) then answered 504, nothing done;
- ``drop``: fraction **done** (the listing is created) and then the connection is dropped;
- ``token-ttl``: a bearer token expires after this many requests;
- ``rate``: a rate limit per account, in requests per second (answered 429 with Retry-After);
- ``seed``: the random seed (default 7), so a run is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from catalog.errors import ConfigurationError


@dataclass(frozen=True, slots=True)
class Faults:
    latency: float = 0.0  # seconds
    server_error: float = 0.0
    too_many: float = 0.0
    too_many_body: float = 0.0
    timeout: float = 0.0
    timeout_after: float = 1.0
    drop: float = 0.0
    token_ttl: int | None = None
    rate: float | None = None
    seed: int = 7

    def describe(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_FRACTIONS = {
    "5xx": "server_error",
    "429": "too_many",
    "429body": "too_many_body",
    "timeout": "timeout",
    "drop": "drop",
}


def _with_fraction(faults: Faults, name: str, fraction: float) -> Faults:
    values = faults.describe()
    values[name] = fraction
    return Faults(**values)


def _seconds(text: str) -> float:
    text = text.strip().lower()
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    if text.endswith("s"):
        return float(text[:-1])
    return float(text) / 1000  # a bare number is milliseconds


_EXAMPLES = {**{key: f"{key}=0.1 (0…1)" for key in _FRACTIONS}, "latency": "latency=50ms", "timeout-after":
             "timeout-after=2s", "token-ttl": "token-ttl=200 (≥ 1)", "rate": "rate=100/s (> 0)", "seed": "seed=7"}
ALL_EXAMPLES = "latency=50ms,5xx=0.1,429=0.05,429body=0.05,timeout=0.02,drop=0.05,token-ttl=200,rate=100/s"


def _refuse(spec: str, part: str, example: str) -> ConfigurationError:
    return ConfigurationError("adapters.sandbox_fault_spec", value=spec, part=part, example=example)


def parse_faults(spec: str | None) -> Faults:
    """Parse a spec string; ConfigurationError ``adapters.sandbox_fault_spec`` names the part that
    is wrong and shows how to write it (examples need no translation)."""
    faults = Faults()
    if not spec or not spec.strip():
        return faults
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        if key not in _EXAMPLES:
            raise _refuse(spec, part, ALL_EXAMPLES)
        if not sep or not value:
            raise _refuse(spec, part, _EXAMPLES[key])
        try:
            if key in _FRACTIONS:
                fraction = float(value)
                if not 0.0 <= fraction <= 1.0:
                    raise ValueError(key)
                faults = _with_fraction(faults, _FRACTIONS[key], fraction)
            elif key == "latency":
                faults = replace(faults, latency=max(0.0, _seconds(value)))
            elif key == "timeout-after":
                faults = replace(faults, timeout_after=max(0.0, _seconds(value)))
            elif key == "token-ttl":
                ttl = int(value)
                if ttl < 1:
                    raise ValueError(key)
                faults = replace(faults, token_ttl=ttl)
            elif key == "rate":
                number = value.lower().removesuffix("/s")
                rate = float(number)
                if rate <= 0:
                    raise ValueError(key)
                faults = replace(faults, rate=rate)
            else:  # seed
                faults = replace(faults, seed=int(value))
        except ValueError:
            raise _refuse(spec, part, _EXAMPLES[key]) from None
    total = faults.server_error + faults.too_many + faults.too_many_body + faults.timeout + faults.drop
    if total > 1.0:
        raise _refuse(spec, "5xx + 429 + 429body + timeout + drop > 1", "5xx=0.1,429=0.05,drop=0.05 (Σ ≤ 1)")
    return faults
