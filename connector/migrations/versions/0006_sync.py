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

_STATES = ('pending_create', 'active', 'pending_review', 'rejected', 'error', 'delisted')


def upgrade() -> None:
    op.create_table('binding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('remote_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('remote_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('state', sa.Enum(*_STATES, name='bindingstate'), nullable=False),
    sa.Column('payload_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('pending_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('plan_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('content_version', sa.Integer(), nullable=True),
    sa.Column('stock_version', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('image_refs', sa.JSON(), nullable=False),
    sa.Column('last_error', sa.JSON(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('manual', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['marketplace_account.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'product_id', name='uq_binding_account_product'),
    sa.UniqueConstraint('account_id', 'remote_id', name='uq_binding_account_remote')
    )
    with op.batch_alter_table('binding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_binding_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_binding_product_id'), ['product_id'], unique=False)

    op.create_table('remote_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['marketplace_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'sha256', name='uq_remote_image_account_sha')
    )
    with op.batch_alter_table('remote_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remote_image_account_id'), ['account_id'], unique=False)

    op.create_table('sync_lease',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['marketplace_account.id'], ),
    sa.PrimaryKeyConstraint('account_id')
    )


def downgrade() -> None:
    op.drop_table('sync_lease')
    with op.batch_alter_table('remote_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remote_image_account_id'))
    op.drop_table('remote_image')
    with op.batch_alter_table('binding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_binding_product_id'))
        batch_op.drop_index(batch_op.f('ix_binding_account_id'))
    op.drop_table('binding')
    sa.Enum(name='bindingstate').drop(op.get_bind(), checkfirst=True)
