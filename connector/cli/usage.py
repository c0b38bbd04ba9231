"""Usage mistakes (an unknown option, a missing argument, a bad value) in the user's language.

Click words them in English and, with ``--json``, would still print plain text.  :func:`as_error`
turns Click's exception into a registered :class:`ConfigurationError` so the command line answers
a usage mistake like any other error: ``Lỗi (usage.missing): …`` or the JSON envelope, exit code 2.
"""

from __future__ import annotations

import re
from typing import Any

from catalog.errors import ConfigurationError

try:  # typer ≥ 0.23 carries its own copy of Click, whose exceptions are not click's
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer runs on click itself
    import click.exceptions as click_errors  # type: ignore[no-redef]

UsageError = click_errors.UsageError
NoArgsIsHelpError = click_errors.NoArgsIsHelpError
ClickException = click_errors.ClickException

_NO_SUCH_COMMAND = re.compile(r"No such command '(?P<name>.*)'\.")


def _name(param: Any, hint: str | None = None) -> str:
    if param is None:
        return hint or "?"
    if param.param_type_name == "option":
        return " / ".join(param.opts)
    return str(getattr(param, "name", None) or "?").upper()


def as_error(exc: UsageError) -> ConfigurationError:
    """The registered error for one of Click's usage exceptions."""
    command = exc.ctx.command_path if exc.ctx is not None else "agri"
    if isinstance(exc, click_errors.NoSuchOption):
        close = sorted(exc.possibilities or ())
        suggestion = f" ({', '.join(close)}?)" if close else ""
        return ConfigurationError("usage.no_such_option", command=command, option=exc.option_name,
                                  suggestion=suggestion)
    if isinstance(exc, click_errors.MissingParameter):
        return ConfigurationError("usage.missing", command=command, name=_name(exc.param))
    if isinstance(exc, click_errors.BadParameter):
        detail = exc.message.rstrip(".")
        return ConfigurationError("usage.bad_value", command=command, detail=detail,
                                  name=_name(exc.param, exc.param_hint if isinstance(exc.param_hint, str) else None))
    found = _NO_SUCH_COMMAND.match(exc.message)
    if found:
        return ConfigurationError("usage.no_such_command", command=command, name=found["name"])
    return ConfigurationError("usage.other", command=command, detail=exc.message.rstrip("."))
