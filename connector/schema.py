"""Every table of the project, imported in one place so ``SQLModel.metadata`` is complete
(for Alembic and for tests).  Add new table modules here."""

from __future__ import annotations

from sqlmodel import SQLModel

import catalog.admin_units
import catalog.audit
import catalog.categories
import catalog.ocop
import catalog.producers
import catalog.products
import connector.accounts
import connector.meta
import connector.onboarding.models  # noqa: F401

metadata = SQLModel.metadata
