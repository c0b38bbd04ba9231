"""The root of the command tree, which no error passes without being said.

Each command turns the errors it expects into a message and an exit code (``reporting``); whatever
escapes it — settings that cannot be read before a command even opens its ``reporting`` block, a
failure of the machine, a bug — is caught here, around every command of the tree, so that nobody ever
sees a Python traceback: a registered error is said like any other (exit 2 for configuration), anything
else is ``cli.unexpected`` (exit 1) with the hint to run again under ``AGRI_DEBUG=1``, which lets the
traceback through for whoever must fix it.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import typer
from typer.core import TyperGroup

from connector.cli.usage import ClickException
from connector.settings import debug_enabled


def wants_json(args: Sequence[str]) -> bool:
    """Whether the command line asks for one JSON document (``--json``, ``--format json``)."""
    words = list(args)
    return ("--json" in words or "--format=json" in words
            or any(a == "--format" and b == "json" for a, b in pairwise(words)))


class GuardedGroup(TyperGroup):
    """The ``agri`` group: runs the chosen command and says, rather than shows, what escapes it."""

    def invoke(self, ctx: Any) -> Any:
        json_mode = wants_json([*ctx._protected_args, *ctx.args])
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, ClickException):
            raise
        except Exception as exc:
            if debug_enabled():
                raise
            code = say_escaped(exc, json_mode=json_mode)
        raise typer.Exit(code)


def say_escaped(exc: Exception, *, json_mode: bool) -> int:
    """Say an error that escaped its command; the exit code it deserves."""
    from catalog.errors import AgriConnectorError
    from connector.cli.output import ExitCode, exit_code_for, known_failure, report_error

    error = exc if isinstance(exc, AgriConnectorError) else known_failure(exc)
    if error is None:
        first_line = str(exc).splitlines()[0][:160] if str(exc).strip() else ""
        detail = f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__
        report_error(AgriConnectorError("cli.unexpected", detail=detail), json_mode)
        return int(ExitCode.PARTIAL)
    report_error(error, json_mode)
    return int(exit_code_for(error))
