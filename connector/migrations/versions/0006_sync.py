"""sync engine (bindings, rules, leases)

Revision ID: 0006_sync
Revises: 0005_onboarding
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006_sync'
down_revision = '0005_onboarding'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
