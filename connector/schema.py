"""Every table of the project, imported in one place so ``SQLModel.metadata`` is complete
(for Alembic and for tests).  Add new table modules here."""

from __future__ import annotations

from sqlmodel import SQLModel

from catalog import admin_units, audit, categories, ocop, producers, products  # noqa: F401
from catalog.importing import fingerprint  # noqa: F401
from connector import accounts, meta  # noqa: F401
from connector.ledger import models as ledger_models  # noqa: F401
from connector.listings import models as listings_models  # noqa: F401
from connector.onboarding import models as onboarding_models  # noqa: F401
from connector.orders import models as orders_models  # noqa: F401
from connector.sync import models as sync_models  # noqa: F401
from connector.web import models as web_models  # noqa: F401

metadata = SQLModel.metadata
