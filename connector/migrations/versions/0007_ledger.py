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


def _s(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table('sales_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('remote_id', _s(80), nullable=False),
    sa.Column('status', _s(16), nullable=False),
    sa.Column('raw_status', _s(60), nullable=False),
    _when('placed_at'),
    _when('updated_at'),
    sa.Column('total', sa.BigInteger(), nullable=False),
    _when('confirm_by', True),
    sa.Column('buyer_province', _s(80), nullable=True),
    sa.Column('counted', sa.Boolean(), nullable=False),
    sa.Column('stock_taken', sa.Boolean(), nullable=False),
    sa.Column('source', _s(120), nullable=False),
    sa.Column('recorded_by', _s(80), nullable=True),
    _when('first_seen_at'),
    sa.ForeignKeyConstraint(['account_id'], ['marketplace_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'remote_id', name='uq_sales_order_remote')
    )

    op.create_table('order_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('sku', _s(80), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('remote_listing_id', _s(80), nullable=True),
    sa.Column('title', _s(255), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_order_line_order_id', 'order_line', ['order_id'], unique=False)

    op.create_table('order_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('status', _s(16), nullable=False),
    sa.Column('raw_status', _s(60), nullable=False),
    _when('changed_at'),
    sa.Column('applied', sa.Boolean(), nullable=False),
    _when('recorded_at'),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_order_status_change_order_id', 'order_status_change', ['order_id'], unique=False)

    op.create_table('order_bookmark',
    sa.Column('account_id', sa.Integer(), nullable=False),
    _when('pulled_until'),
    _when('last_run_at', True),
    sa.Column('last_error', _s(500), nullable=True),
    sa.Column('orders_seen', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['marketplace_account.id'], ),
    sa.PrimaryKeyConstraint('account_id')
    )

    op.create_table('ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', _s(12), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('order_line_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('platform', _s(40), nullable=False),
    sa.Column('channel_kind', _s(12), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=True),
    sa.Column('producer_kind', _s(24), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('ocop_stars', sa.Integer(), nullable=True),
    sa.Column('unit_vn2004', _s(5), nullable=True),
    sa.Column('unit_vn2025', _s(5), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    _when('occurred_at'),
    _when('booked_at'),
    sa.Column('booked_day', sa.Date(), nullable=False),
    sa.Column('booked_month', sa.Integer(), nullable=False),
    sa.Column('adjusts', _s(40), nullable=True),
    sa.Column('source', _s(120), nullable=False),
    sa.Column('reference', _s(120), nullable=True),
    sa.Column('recorded_by', _s(80), nullable=True),
    _when('recorded_at'),
    sa.ForeignKeyConstraint(['account_id'], ['marketplace_account.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], ),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], ),
    sa.ForeignKeyConstraint(['producer_id'], ['producer.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('uq_ledger_source_reference', 'ledger_entry', ['source', 'reference'], unique=True,
                    sqlite_where=sa.text('reference IS NOT NULL'), postgresql_where=sa.text('reference IS NOT NULL'))
    op.create_index('ix_ledger_entry_order_id', 'ledger_entry', ['order_id'], unique=False)

    op.create_table('ledger_summary',
    sa.Column('booked_month', sa.Integer(), nullable=False),
    sa.Column('platform', _s(40), nullable=False),
    sa.Column('unit_vn2004', _s(5), nullable=False),
    sa.Column('unit_vn2025', _s(5), nullable=False),
    sa.Column('channel_kind', _s(12), nullable=False),
    sa.Column('producer_kind', _s(24), nullable=False),
    sa.Column('ocop_stars', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('booked_month', 'platform', 'unit_vn2004', 'unit_vn2025', 'channel_kind',
                            'producer_kind', 'ocop_stars'),
    sqlite_with_rowid=False
    )

    op.create_table('stock_movement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('reason', _s(16), nullable=False),
    _when('created_at'),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ),
    sa.PrimaryKeyConstraint('id')
    )

    op.create_table('ledger_period_close',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', _s(40), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('closed_by', _s(80), nullable=True),
    _when('closed_at'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('label', name='uq_ledger_close_label')
    )

    op.create_table('reported_total',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_label', _s(40), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.Column('reporter', _s(120), nullable=False),
    sa.Column('platform', _s(40), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('transactions', sa.Integer(), nullable=True),
    sa.Column('note', _s(500), nullable=True),
    sa.Column('recorded_by', _s(80), nullable=True),
    _when('recorded_at'),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    for index, table in (('uq_ledger_source_reference', 'ledger_entry'),
                         ('ix_ledger_entry_order_id', 'ledger_entry'),
                         ('ix_order_status_change_order_id', 'order_status_change'),
                         ('ix_order_line_order_id', 'order_line')):
        op.drop_index(index, table_name=table)
    for table in ('reported_total', 'ledger_period_close', 'stock_movement', 'ledger_summary', 'ledger_entry', 'order_bookmark',
                  'order_status_change', 'order_line', 'sales_order'):
        op.drop_table(table)
