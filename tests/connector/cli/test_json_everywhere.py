"""Every command has ``--json`` (docs/CLI.md), except the long-running servers."""

import typer

from connector.cli.main import app
from connector.cli.reference import _walk

SERVERS = {"serve", "media serve", "sandbox", "worker"}


def test_every_command_but_the_servers_has_json() -> None:
    commands = _walk(typer.main.get_command(app), [])
    assert len(commands) > 40
    missing = [" ".join(path) for path, command in commands
               if " ".join(path) not in SERVERS and not any("--json" in p.opts for p in command.params)]
    assert missing == []
