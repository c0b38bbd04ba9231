"""indexes for the onboarding funnel: producers by unit, holding accounts by platform

The funnel reads every household's unit pair from ``ix_producer_units`` (grouped, without reading the
producer rows) and the holders of each platform from ``ix_marketplace_account_holding`` (in platform
order, without a sort).

Revision ID: 0010_funnel_indexes
Revises: 0009_web
"""

from __future__ import annotations

from alembic import op

revision = '0010_funnel_indexes'
down_revision = '0009_web'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_producer_units', 'producer', ['unit_vn2025', 'unit_vn2004'], unique=False)
    op.create_index('ix_marketplace_account_holding', 'marketplace_account',
                    ['marketplace', 'status', 'opened_on', 'producer_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_marketplace_account_holding', table_name='marketplace_account')
    op.drop_index('ix_producer_units', table_name='producer')
