"""web app users and sessions

Revision ID: 0009_web
Revises: 0008_listings
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009_web'
down_revision = '0008_listings'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
