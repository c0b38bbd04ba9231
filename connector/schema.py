"""Every table of the project, imported in one place so ``SQLModel.metadata`` is complete
(for Alembic and for tests).  Add new table modules here."""

from __future__ import annotations

from sqlmodel import SQLModel

from catalog import admin_units, audit, categories, ocop, producers, products  # noqa: F401
from connector import accounts, meta  # noqa: F401
from connector.onboarding import models  # noqa: F401

metadata = SQLModel.metadata
