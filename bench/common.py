"""Shared by the benchmark scripts: each measures this project and a reference (the raw limit
or the naive way) in the same run, and prints one line per figure.

A script calls :func:`figure` for every figure; ``bench/run_all.py`` runs every script, collects
the lines that start with ``BENCH `` (JSON) and prints the table written to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def figure(
    name: str,
    *,
    project: float,
    unit: str,
    target: str,
    met: bool,
    reference: float | None = None,
    ratio: float | None = None,
) -> None:
    """Print a human line and a machine line (``BENCH {json}``) for one figure."""
    ref = f"{reference:,.3f} {unit}" if reference is not None else "—"
    rat = f"{ratio:.2f}" if ratio is not None else "—"
    print(f"{name}: project {project:,.3f} {unit}; reference {ref}; ratio {rat}; target {target}; "
          f"{'MET' if met else 'NOT MET'}")
    print("BENCH " + json.dumps({"figure": name, "project": project, "reference": reference, "unit": unit,
                                 "ratio": ratio, "target": target, "met": met}, ensure_ascii=False))


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
