"""Hard size limits: no module of ``catalog/``, ``adapters/``, ``connector/`` over 600 lines, no
function over 80 (STYLE's ~400 and ~50 stay the aim; these are the limits a change may not cross
unnoticed).  Migrations and tests are not counted.  A file or function over a limit is listed in
:data:`EXCEPTIONS` with the reason, and an exception that is no longer needed fails too, so that
the list only shrinks."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("catalog", "adapters", "connector")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80

_SPLIT = "split by the sandbox/adapters part of #22"
# a module by its path, a function by ``path::Qualified.name`` (nested: ``outer.inner``)
EXCEPTIONS: dict[str, str] = {}


def _functions(node: ast.AST, prefix: str = "") -> Iterator[tuple[str, int]]:
    """(qualified name, lines) of every function under ``node``, nested ones included."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = f"{prefix}{child.name}"
            if not isinstance(child, ast.ClassDef):
                yield name, (child.end_lineno or child.lineno) - child.lineno + 1
            yield from _functions(child, f"{name}.")
        else:
            yield from _functions(child, prefix)


def oversized(root: Path, packages: tuple[str, ...] = PACKAGES, *, module_lines: int = MAX_MODULE_LINES,
              function_lines: int = MAX_FUNCTION_LINES) -> dict[str, int]:
    """Every module and function over the limits under ``root``: its key (as in :data:`EXCEPTIONS`)
    → its length in lines."""
    found: dict[str, int] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "migrations/versions/" in relative or "/tests/" in f"/{relative}":
                continue
            text = path.read_text(encoding="utf-8")
            lines = len(text.splitlines())
            if lines > module_lines:
                found[relative] = lines
            for name, length in _functions(ast.parse(text, filename=relative)):
                if length > function_lines:
                    found[f"{relative}::{name}"] = length
    return found


def test_no_module_or_function_over_the_limits() -> None:
    over = {key: n for key, n in oversized(ROOT).items() if key not in EXCEPTIONS}
    assert not over, (f"over {MAX_MODULE_LINES} lines per module / {MAX_FUNCTION_LINES} per function "
                      f"(split it, or list it in EXCEPTIONS with the reason): {over}")


def test_every_exception_is_still_needed() -> None:
    stale = sorted(set(EXCEPTIONS) - set(oversized(ROOT)))
    assert not stale, f"no longer over the limits: remove from EXCEPTIONS {stale}"


def test_a_planted_violation_is_found(tmp_path: Path) -> None:
    package = tmp_path / "connector"
    (package / "migrations" / "versions").mkdir(parents=True)
    body = "".join(f"        x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))  # + the def line: one too many
    (package / "long.py").write_text(f"class Holder:\n    def method(self) -> None:\n{body}", encoding="utf-8")
    (package / "big.py").write_text("\n".join(f"X{i} = {i}" for i in range(MAX_MODULE_LINES + 1)) + "\n",
                                    encoding="utf-8")
    (package / "fine.py").write_text("def short() -> None:\n    pass\n", encoding="utf-8")
    (package / "migrations" / "versions" / "0001.py").write_text(
        "\n".join(f"X{i} = {i}" for i in range(MAX_MODULE_LINES + 1)) + "\n", encoding="utf-8")
    assert oversized(tmp_path, ("connector",)) == {
        "connector/big.py": MAX_MODULE_LINES + 1,
        "connector/long.py::Holder.method": MAX_FUNCTION_LINES + 1,
    }
