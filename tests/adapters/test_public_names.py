"""``adapters`` and each of its packages declare their public names (``__all__``), and the rest of
the project needs no other: every name it imports from ``adapters`` is declared."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import adapters

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = sorted(
    ".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "adapters").rglob("__init__.py")
)
OUTSIDE = [p for top in ("catalog", "connector", "bench", "tests") for p in sorted((ROOT / top).rglob("*.py"))
           if not p.is_relative_to(ROOT / "tests" / "adapters")]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_declares_existing_names(package: str) -> None:
    module = importlib.import_module(package)
    declared = getattr(module, "__all__", None)
    assert declared, f"{package} declares no __all__"
    assert [name for name in declared if not hasattr(module, name)] == []


def _declared(module: str) -> set[str]:
    """What ``from <module> import …`` may take: the package's own ``__all__`` and ``adapters.__all__``."""
    return set(adapters.__all__) | set(getattr(importlib.import_module(module), "__all__", ()))


def _is_module(package: str, name: str) -> bool:
    return (ROOT / package.replace(".", "/") / f"{name}.py").exists()


def hidden_imports(paths: list[Path]) -> list[str]:
    """``file:line: module.name`` for each undeclared name imported from ``adapters``."""
    hidden = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "adapters":
                module = node.module or ""
                declared = _declared(module)
                hidden += [f"{path.name}:{node.lineno}: {module}.{alias.name}" for alias in node.names
                           if alias.name not in declared and not _is_module(module, alias.name)]
    return hidden


def test_the_rest_of_the_project_imports_only_declared_names() -> None:
    assert hidden_imports(OUTSIDE) == []


def test_the_checker_finds_an_undeclared_name(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from adapters import registry, Listing\nfrom adapters.base import ImageTransport\n"
                      "from adapters.http.core import HttpCore\n", encoding="utf-8")
    assert hidden_imports([sample]) == ["sample.py:2: adapters.base.ImageTransport",
                                        "sample.py:3: adapters.http.core.HttpCore"]
