"""Files the importers write (templates, exports, reports): refused clearly before any work when
the name cannot be right (a folder, another kind of file), and an operating-system error while
writing (no such folder, no permission, disk full) becomes ``import.out_unwritable``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from xlsxwriter.exceptions import FileCreateError

from catalog.errors import CatalogueValidationError

_A_FOLDER = "là thư mục / a folder"


def check_out(out: Path, suffixes: tuple[str, ...] = (".xlsx",)) -> None:
    """Refuse ``out`` when it is a folder or its suffix is not one of ``suffixes``."""
    if out.suffix.lower() not in suffixes:
        raise CatalogueValidationError("import.out_type", path=out.name, allowed=", ".join(suffixes))
    if out.is_dir():
        raise CatalogueValidationError("import.out_unwritable", path=str(out), detail=_A_FOLDER)


@contextmanager
def writing(out: Path) -> Iterator[Path]:
    """Create ``out``'s folder, then run the block that writes ``out``; OS errors become clear ones."""
    try:
        if out.is_dir():
            raise IsADirectoryError(21, _A_FOLDER)
        out.parent.mkdir(parents=True, exist_ok=True)
        yield out
    except (OSError, FileCreateError) as exc:
        cause = exc.args[0] if isinstance(exc, FileCreateError) and exc.args else exc
        raise CatalogueValidationError("import.out_unwritable", path=str(out),
                                       detail=getattr(cause, "strerror", None) or type(cause).__name__) from None
