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
    op.create_table('listing_pack_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('packed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['marketplace_account.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'product_id', name='uq_pack_snapshot')
    )
    with op.batch_alter_table('listing_pack_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_pack_snapshot_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_pack_snapshot_product_id'), ['product_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('listing_pack_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_pack_snapshot_product_id'))
        batch_op.drop_index(batch_op.f('ix_listing_pack_snapshot_account_id'))

    op.drop_table('listing_pack_snapshot')
