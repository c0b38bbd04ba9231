"""The whole ``agri`` command tree, walked, and a command line for each command that its parser accepts:
for the tests that must hold for every command (broken settings, a missing database)."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from connector.cli.main import app

# Commands that write a blank file and read no setting: they work whatever the settings say.
READS_NO_SETTINGS = {"onboarding template", "sales template"}


def _leaves(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command of the tree with its path (a group that runs itself, like ``agri sync``, counts)."""
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        yield path, command
        return
    if getattr(command, "invoke_without_command", False) and path:
        yield path, command
    for name, sub in sorted(subcommands.items()):
        yield from _leaves(sub, (*path, name))


COMMANDS = list(_leaves(typer.main.get_command(app)))
NAMES = [" ".join(path) for path, _ in COMMANDS]


def _value(param: Any, existing: Path) -> str:
    """A value the parser accepts: a choice, a number, else an existing file (it may have to exist)."""
    annotation = param.type_descriptor.annotation
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return str(next(iter(annotation)).value)
    if annotation in (int, float):
        return "1"
    return str(existing)


def command_line(path: tuple[str, ...], command: Any, existing: Path) -> list[str]:
    """The command with a value for each required argument and option."""
    argv = list(path)
    for param in command.params:
        if not param.required:
            continue
        if param.param_type_name == "argument":
            argv.extend([_value(param, existing)] * (1 if param.nargs == 1 else 2 if param.nargs == -1
                                                     else param.nargs))
        else:
            argv.extend([param.opts[0], _value(param, existing)])
    if any(param.name == "json_mode" for param in command.params):
        argv.append("--json")
    return argv
