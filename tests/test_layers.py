"""The layer graph, pinned: what may import what (``docs/ARCHITECTURE.md`` draws it).

    catalog  ←  adapters  ←  connector core  ←  faces (connector/cli, connector/web, connector/demo.py)
                                   ↑
                          connector/sandbox (imported only by the CLI, the demo and tests)

A *room* is a direct child of ``catalog``, ``adapters`` or ``connector``: a module
(``catalog/producers.py``, ``connector/db.py``) or a package (``connector/sync/``,
``catalog/importing/``).  Read by parsing, never by importing, every import of the three packages —
at the top of a module, inside a function, under ``TYPE_CHECKING`` alike — is checked:

- layers: nothing imports a layer above its own; the sandbox only from the CLI and the demo; a face
  is imported by no one, except that the CLI (the ``agri`` command tree, which starts them) imports
  the web app and the demo;
- rooms: from outside a package room only the names its ``__init__`` declares in ``__all__``
  (``from connector.sync import plan_sync``, not ``from connector.sync.plan import plan_sync``);
- no cycle between rooms (the cycle's path is reported, each step with a file and line);
- no loading of the project's own modules by name string (``importlib.import_module``,
  ``__import__``, ``optional_module``) outside ``connector/cli``.

:func:`check_layers` takes a root folder, so a test plants each kind of violation in a tmp tree and
checks that it is caught.
"""

from __future__ import annotations

import ast
import importlib
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOPS = ("catalog", "adapters", "connector")
FACES = ("connector.cli", "connector.web", "connector.demo")
SANDBOX = "connector.sandbox"
COMMAND_TREE = "connector.cli"  # the one place that may load modules by name, and start the other faces
NAME_LOADERS = {"import_module", "__import__", "optional_module"}
LAYERS = {"catalog": 0, "adapters": 1, "core": 2, "sandbox": 3, "face": 4}


@dataclass(frozen=True)
class Import:
    path: Path  # the importing file, relative to the root
    line: int
    module: str  # absolute module imported
    names: tuple[str, ...]  # the names of ``from module import …`` (empty for ``import module``)

    def where(self) -> str:
        what = f"from {self.module} import {', '.join(self.names)}" if self.names else f"import {self.module}"
        return f"{self.path}:{self.line}: {what}"


def room(module: str) -> str:
    """``connector.sync.plan`` → ``connector.sync``; ``catalog`` → ``catalog``."""
    return ".".join(module.split(".")[:2])


def layer(module: str) -> str:
    top, the_room = module.split(".")[0], room(module)
    if top in ("catalog", "adapters"):
        return top
    if the_room in FACES:
        return "face"
    return "sandbox" if the_room == SANDBOX else "core"


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(importer: str, is_package: bool, level: int, module: str | None) -> str:
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, *([module] if module else [])])


def imports_of(root: Path, path: Path, tree: ast.AST) -> list[Import]:
    """Every import of the project's own modules in ``tree``, made absolute."""
    name = module_name(root, path)
    rel = path.relative_to(root)
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(rel, node.lineno, alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = (_absolute(name, path.name == "__init__.py", node.level, node.module) if node.level
                      else node.module or "")
            found.append(Import(rel, node.lineno, module, tuple(alias.name for alias in node.names)))
    return [found_import for found_import in found if found_import.module.split(".")[0] in TOPS]


def _declared(root: Path, package: str) -> set[str] | None:
    """The names a package room's ``__init__`` lists in ``__all__``; None when it is a module room."""
    init = root.joinpath(*package.split("."), "__init__.py")
    if not init.exists():
        return None
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and node.value is not None:
            return set(ast.literal_eval(node.value))
    return set()


def _layer_problem(imp: Import, importer: str) -> str | None:
    target, source = imp.module, importer
    if room(target) == room(source):
        return None
    if room(target) == SANDBOX:
        if room(source) not in (COMMAND_TREE, "connector.demo"):
            return "the sandbox is imported only by the CLI, the demo and tests"
        return None
    if layer(target) == "face":
        if room(source) == COMMAND_TREE:
            return None
        return f"{room(target)} is a face: nothing imports it (only the CLI starts the web app and the demo)"
    if LAYERS[layer(target)] > LAYERS[layer(source)]:
        return f"{layer(source)} may not import {layer(target)} (catalog ← adapters ← connector core ← faces)"
    return None


def _room_problem(root: Path, imp: Import, importer: str) -> str | None:
    target = imp.module
    if room(target) == room(importer) or target.split(".")[0] not in TOPS:
        return None
    if len(target.split(".")) > 2:
        return f"reaches inside {room(target)}: import its declared names from {room(target)}"
    if len(target.split(".")) == 2 and imp.names:
        declared = _declared(root, target)
        if declared is not None and (hidden := sorted(set(imp.names) - declared)):
            return f"{', '.join(hidden)} not in {target}.__all__"
    return None


def _name_loads(imp_path: Path, tree: ast.AST) -> list[str]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if called in NAME_LOADERS:
                out.append(f"{imp_path}:{node.lineno}: {called}(…) — no loading of the project's modules by name "
                           "string outside connector/cli: import it")
    return out


def _cycles(edges: dict[str, dict[str, Import]]) -> list[str]:
    """One path for each strongly connected group of rooms (Tarjan), each step with the import making it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, {})):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    out = []
    for group in groups:
        start, members = group[0], set(group)
        paths = {start: [start]}
        queue = [start]
        cycle: list[str] = []
        while queue and not cycle:  # the shortest way back to start
            here = queue.pop(0)
            for nxt in sorted(edges[here]):
                if nxt == start:
                    cycle = [*paths[here], start]
                    break
                if nxt in members and nxt not in paths:
                    paths[nxt] = [*paths[here], nxt]
                    queue.append(nxt)
        steps = "; ".join(edges[a][b].where() for a, b in pairwise(cycle))
        rest = f"; the cycle group: {', '.join(group)}" if len(group) > len(cycle) - 1 else ""
        out.append(f"cycle {' → '.join(cycle)} ({steps}){rest}")
    return out


def check_layers(root: Path) -> list[str]:
    """Every violation of the layer rules under ``root`` (which holds catalog/, adapters/, connector/)."""
    problems: list[str] = []
    edges: dict[str, dict[str, Import]] = defaultdict(dict)
    for top in TOPS:
        for path in sorted((root / top).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            importer = module_name(root, path)
            for imp in imports_of(root, path, tree):
                for problem in (_layer_problem(imp, importer), _room_problem(root, imp, importer)):
                    if problem:
                        problems.append(f"{imp.where()} — {problem}")
                if room(imp.module) != room(importer):
                    edges[room(importer)].setdefault(room(imp.module), imp)
            if room(importer) != COMMAND_TREE:
                problems += _name_loads(path.relative_to(root), tree)
    return problems + _cycles(edges)


def test_the_project_keeps_its_layers() -> None:
    problems = check_layers(ROOT)
    assert problems == [], "\n".join(problems)


def _package_rooms() -> list[str]:
    return sorted(module_name(ROOT, init.parent / "__init__.py") for top in TOPS
                  for init in (ROOT / top).glob("*/__init__.py"))


@pytest.mark.parametrize("package", _package_rooms())
def test_every_package_declares_what_it_offers(package: str) -> None:
    """``__all__`` in every package room (empty for the CLI and the migrations, which offer nothing), and every
    name it lists is there (loaded on first use by the package's ``__getattr__``)."""
    init = ast.parse(ROOT.joinpath(*package.split("."), "__init__.py").read_text(encoding="utf-8"))
    assert any(isinstance(node, ast.Assign | ast.AnnAssign) and "__all__" in ast.unparse(node).split("=")[0]
               for node in init.body), f"{package}/__init__.py declares no __all__"
    module = importlib.import_module(package)
    missing = [name for name in sorted(_declared(ROOT, package) or ()) if not hasattr(module, name)]
    assert missing == [], f"{package}.__all__ names what it does not have: {missing}"


PLANTED = {
    "catalog/__init__.py": "",
    "catalog/text.py": "from adapters.base import Listing\n",  # a layer upside down
    "adapters/__init__.py": "",
    "adapters/base.py": "Listing = 1\n",
    "connector/__init__.py": "",
    "connector/db.py": "",
    "connector/sync/__init__.py": '__all__ = ["plan_sync"]\nfrom connector.sync.plan import plan_sync\n',
    "connector/sync/plan.py": "from connector.orders import pull_orders\n\ndef plan_sync(): ...\n",
    "connector/orders/__init__.py": '__all__ = ["pull_orders"]\n',
    "connector/orders/pull.py": ("def pull_orders():\n    from connector.sync import plan_sync\n"
                                 "    from connector.sandbox import server\n"),  # a cycle, and the sandbox
    "connector/ledger/__init__.py": '__all__ = ["turnover"]\n',
    "connector/ledger/reports.py": ("from connector.sync.plan import plan_sync\n"  # inside another room
                                    "from connector.sync import apply\n"  # a name not declared
                                    "from connector.web import app\n"),  # a face
    "connector/sandbox/__init__.py": '__all__ = ["server"]\n',
    "connector/web/__init__.py": '__all__ = ["app"]\n',
    "connector/web/app.py": ("import importlib\n\ndef load():\n"
                             "    return importlib.import_module('connector.ledger.reports')\n"),
    "connector/cli/__init__.py": '__all__ = []\n',
    "connector/cli/main.py": ("import importlib\nfrom connector.web import app\nfrom connector.sandbox import server\n"
                              "importlib.import_module('connector.cli.sync')\n"),  # all allowed here
}


def test_the_checker_catches_each_kind_of_violation(tmp_path: Path) -> None:
    for name, text in PLANTED.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    problems = check_layers(tmp_path)
    expected = [
        "catalog/text.py:1: from adapters.base import Listing — catalog may not import adapters",
        "connector/ledger/reports.py:1: from connector.sync.plan import plan_sync — reaches inside connector.sync",
        "connector/ledger/reports.py:2: from connector.sync import apply — apply not in connector.sync.__all__",
        "connector/ledger/reports.py:3: from connector.web import app — connector.web is a face",
        "connector/orders/pull.py:3: from connector.sandbox import server — the sandbox is imported only by",
        "connector/web/app.py:4: import_module(…) — no loading of the project's modules by name string",
        "cycle connector.orders → connector.sync → connector.orders (connector/orders/pull.py:2: from "
        "connector.sync import plan_sync; connector/sync/plan.py:1: from connector.orders import pull_orders)",
    ]
    for start in expected:
        assert any(problem.startswith(start) for problem in problems), (start, problems)
    assert len(problems) == len(expected), problems
    assert not [p for p in problems if p.startswith("connector/cli/")]
