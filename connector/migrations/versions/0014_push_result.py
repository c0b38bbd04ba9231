"""a binding's last push result is kept apart from its marketplace state

A failed push used to set the binding's state to ``error``, so "products listed" and the funnel
fell although the listing was still live.  The push result gets its own columns; every ``error``
row goes back to its last known marketplace state: with a remote id it was live (``active``),
without one it never got listed (``pending_create``: the next run looks its SKU up before
creating it).  Its error becomes the failed push's reason; other rows have no push result
recorded yet (NULL) until their next push.

Revision ID: 0014_push_result
Revises: 0013_login_client
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0014_push_result'
down_revision = '0013_login_client'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('binding') as batch:
        batch.add_column(sa.Column('push_result', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch.add_column(sa.Column('push_error', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('pushed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE binding SET push_result = 'failed', push_error = last_error, pushed_at = updated_at, "
               "last_error = NULL WHERE state = 'error'")
    op.execute("UPDATE binding SET state = 'active' WHERE state = 'error' AND remote_id IS NOT NULL")
    op.execute("UPDATE binding SET state = 'pending_create' WHERE state = 'error' AND remote_id IS NULL")


def downgrade() -> None:
    op.execute("UPDATE binding SET state = 'error', last_error = push_error "
               "WHERE push_result = 'failed' AND state IN ('active', 'pending_create')")
    with op.batch_alter_table('binding') as batch:
        batch.drop_column('pushed_at')
        batch.drop_column('push_error')
        batch.drop_column('push_result')
