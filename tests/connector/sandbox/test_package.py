"""The sandbox package: what it declares it offers, each part loaded only when used."""

from __future__ import annotations

import subprocess
import sys

import connector.sandbox


def test_every_declared_name_is_offered() -> None:
    for name in connector.sandbox.__all__:
        assert getattr(connector.sandbox, name) is not None, name
    assert not hasattr(connector.sandbox, "no_such_name")


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_each_name_loads_only_its_own_module() -> None:
    # ``agri sandbox`` needs no export code, ``agri listings sandbox-export`` no app or web server
    assert not {m for m in _loaded_after("import connector.sandbox") if m.startswith("connector.sandbox.")}
    started = _loaded_after("from connector.sandbox import Sandbox, parse_faults, serve")
    assert "connector.sandbox.app" in started and "connector.sandbox.exports" not in started
    exported = _loaded_after("from connector.sandbox import export_sandbox_orders")
    assert "connector.sandbox.app" not in exported and "connector.sandbox.server" not in exported

