"""Every table of the project, imported in one place so ``SQLModel.metadata`` is complete
(for Alembic and for tests).  Add new table modules here."""

from __future__ import annotations

from sqlmodel import SQLModel

import connector.accounts
import connector.meta
import connector.onboarding.models  # noqa: F401

metadata = SQLModel.metadata
