"""failed logins remember the client's address (throttling per name, per client, per pair)

Revision ID: 0013_login_client
Revises: 0012_area_touches
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0013_login_client'
down_revision = '0012_area_touches'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('web_login_attempt') as batch:
        batch.add_column(sa.Column('client', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.create_index('ix_web_login_attempt_client', ['client'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_login_attempt') as batch:
        batch.drop_index('ix_web_login_attempt_client')
        batch.drop_column('client')
