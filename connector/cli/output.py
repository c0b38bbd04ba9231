"""How every command speaks: one JSON envelope, Rich tables for people, one exit-code table.

``--json`` prints exactly one document::

    {"ok": bool, "data": …, "errors": [{"code", "message", …}], "summary": {…}}

VND amounts are integers; times are ISO 8601 with their offset (Asia/Ho_Chi_Minh, +07:00).

Exit codes (``docs/CLI.md``): 0 all done; 1 done, with rejected rows or failed items (they are
reported); 2 usage or configuration error; 3 nothing could be done (database, network).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path
from typing import Any, NoReturn

import typer
from sqlalchemy.exc import SQLAlchemyError
from xlsxwriter.exceptions import FileCreateError

from catalog.errors import (
    AgriConnectorError,
    CatalogueValidationError,
    ConfigurationError,
    LedgerError,
    MarketplaceError,
    NotFoundError,
)
from catalog.jsonable import to_jsonable
from connector.console import console, err_console, table
from connector.db import DatabaseOutdated, DatabaseUnavailable, database_failure
from connector.settings import chosen_lang


class ExitCode(IntEnum):
    OK = 0
    PARTIAL = 1
    USAGE = 2
    UNAVAILABLE = 3


def lang() -> str:
    """The language of messages; the default when the settings themselves cannot be read."""
    return chosen_lang()


def emit_json(*, data: Any, errors: Sequence[dict[str, Any]] = (), summary: dict[str, Any] | None = None,
              ok: bool | None = None) -> None:
    document = {"ok": not errors if ok is None else ok, "data": to_jsonable(data),
                "errors": to_jsonable(list(errors)), "summary": to_jsonable(summary or {})}
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def exit_code_for(error: AgriConnectorError) -> ExitCode:
    if isinstance(error, DatabaseUnavailable):
        return ExitCode.UNAVAILABLE
    if isinstance(error, ConfigurationError | NotFoundError | DatabaseOutdated | CatalogueValidationError
                  | LedgerError):  # the ledger refuses a period or an account it was given: a bad argument
        return ExitCode.USAGE
    if isinstance(error, MarketplaceError):
        return ExitCode.UNAVAILABLE
    return ExitCode.PARTIAL


@contextmanager
def reporting(json_mode: bool) -> Iterator[None]:
    """Turn an error from below into a message (or a JSON document) and its exit code."""
    try:
        yield
    except AgriConnectorError as error:
        _fail(error, json_mode)
    except (SQLAlchemyError, OSError, FileCreateError) as exc:
        failure = known_failure(exc)
        if failure is None:
            raise
        _fail(failure, json_mode)


def known_failure(exc: BaseException) -> AgriConnectorError | None:
    """The registered error for a failure of the machine or of a file, or None when it is none of those."""
    if isinstance(exc, SQLAlchemyError):
        return database_failure(exc)
    if isinstance(exc, OSError | FileCreateError):  # a file that cannot be read or written, whoever opened it
        cause = exc.args[0] if isinstance(exc, FileCreateError) and exc.args else exc
        path = getattr(cause, "filename", None) or "?"
        detail = getattr(cause, "strerror", None) or str(cause)
        return ConfigurationError("file.unusable", path=str(path), detail=detail)
    return None


def _fail(error: AgriConnectorError, json_mode: bool) -> NoReturn:
    report_error(error, json_mode)
    raise typer.Exit(int(exit_code_for(error))) from None


def report_error(error: AgriConnectorError, json_mode: bool) -> None:
    """Print one error: a line in the user's language, or the JSON envelope."""
    if json_mode:
        emit_json(data=None, errors=[error.to_dict(lang())], ok=False)
    else:
        err_console.print(f"[bold red]Lỗi[/] [dim]({error.code})[/]: {error.message(lang())}"
                          if lang() == "vi" else
                          f"[bold red]Error[/] [dim]({error.code})[/]: {error.message('en')}")


def run_outcome(*, ok: bool, nothing_done: bool, errors: Sequence[dict[str, Any]]) -> ExitCode:
    """The exit code of a run over accounts: 0 all done; 1 some failed; when none could run, 2 if every
    account was stopped by the configuration (a wrong ``AGRI_SECRET_KEY``: nothing to wait for, something to
    fix), else 3 (the network, a marketplace that does not answer)."""
    if ok:
        return ExitCode.OK
    if not nothing_done:
        return ExitCode.PARTIAL
    codes = [str(e.get("code", "")) for e in errors]
    return ExitCode.USAGE if codes and all(c.startswith("config.") for c in codes) else ExitCode.UNAVAILABLE


def finish(code: ExitCode) -> None:
    if code != ExitCode.OK:
        raise typer.Exit(int(code))


JsonOption = typer.Option(False, "--json", help="Print one JSON document instead of a table.")


def emit_import_json(result: Any, written: Path | None, *, summary: dict[str, Any] | None = None) -> None:
    """The JSON document of an import result (catalogue-style ``ImportResult``) and its report file."""
    language = lang()
    emit_json(data={**result.to_dict(language), "report": str(written) if written else None},
              errors=[p.to_dict(language) for p in result.errors],
              summary=result.summary() if summary is None else summary, ok=not result.errors)


def print_problems(problems: Sequence[Any], written: Path | None, *, limit: int = 40) -> None:
    """An import's problems (sheet, row, column, code, message) and where its report went."""
    if problems:
        language = lang()
        console.print(table(f"Vấn đề / problems ({len(problems)})", ["Trang", "Dòng", "Cột", "Mã", "Nội dung"],
                            [(p.sheet, p.row, p.column, p.code, p.message(language)) for p in problems[:limit]]))
    if written:
        console.print(f"Báo cáo / report: [bold]{written}[/]")
