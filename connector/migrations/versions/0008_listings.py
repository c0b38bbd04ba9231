"""listing packs and manual binding

Revision ID: 0008_listings
Revises: 0007_ledger
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0008_listings'
down_revision = '0007_ledger'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
