"""The CLI reference in docs/CLI.md must be what --help says (regenerate it with
`python -m connector.cli.reference --write`), and every command must have help text."""

from typing import Any

import typer

from connector.cli.main import app
from connector.cli.reference import DOC, current_section, render


def test_docs_match_help() -> None:
    assert current_section(DOC.read_text(encoding="utf-8")) == render(app), (
        "docs/CLI.md is out of date: run `.venv/bin/python -m connector.cli.reference --write`")


def test_every_command_has_help_and_json() -> None:
    root = typer.main.get_command(app)

    def leaves(group: Any, path: str) -> list[tuple[str, Any]]:
        out = []
        for name, command in group.commands.items():
            if getattr(command, "commands", None):
                out += leaves(command, f"{path} {name}")
            else:
                out.append((f"{path} {name}", command))
        return out

    for path, command in leaves(root, "agri"):
        assert command.help, f"{path} has no help text"
        options = {opt for p in command.params if p.param_type_name == "option" for opt in p.opts}
        long_running = {"agri serve", "agri sandbox", "agri media serve", "agri worker"}
        if path not in long_running:
            assert "--json" in options or "--format" in options, f"{path} has no --json"
