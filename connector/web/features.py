"""Services written by other parts of the project, found when they are installed.

The web app wires the sync, ledger, listings and orders pages to their service modules when
those modules exist; a page whose service is missing says so instead of failing.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def optional_module(name: str) -> ModuleType | None:
    """``importlib.import_module(name)``, or None when exactly that module (or its package) is missing."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name and (name == error.name or name.startswith(error.name + ".")):
            return None
        raise
