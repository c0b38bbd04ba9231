"""orders and the sales ledger

Revision ID: 0007_ledger
Revises: 0006_sync
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007_ledger'
down_revision = '0006_sync'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
