"""the catalogue's change log (kept by triggers) and the fingerprints of imported files

A re-import of the same file on an unchanged catalogue is answered without reading the file
(``catalog.importing.fingerprint``).  "Unchanged" is kept by the database itself, so every writer
counts: triggers on the tables an import reads record each change in ``catalogue_change``.

- SQLite (one writer at a time): one counter row (``txid = 0``), raised by a row trigger.
- PostgreSQL: one row per writing transaction (its id), from statement triggers; inserting
  distinct keys, concurrent writers never wait on each other.

A product's stock and stock version are not watched: sales move them, and an import without
``--set-stock`` never compares them.

Revision ID: 0011_catalogue_changes
Revises: 0010_funnel_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0011_catalogue_changes'
down_revision = '0010_funnel_indexes'
branch_labels = None
depends_on = None

PRODUCT_CONTENT = ('producer_id', 'sku', 'name', 'name_key', 'description', 'category_code', 'unit', 'net_qty',
                   'net_unit', 'price', 'weight_g', 'length_mm', 'width_mm', 'height_mm', 'barcode',
                   'shelf_life_days', 'status', 'content_version')
WATCHED: dict[str, tuple[str, ...] | None] = {  # table → the columns whose update counts (None: any)
    'producer': None, 'product': PRODUCT_CONTENT, 'product_image': None, 'ocop_certification': None,
    'category': None, 'admin_unit': None, 'unit_lineage': None,
}


def upgrade() -> None:
    op.create_table(
        'catalogue_change',
        sa.Column('txid', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('changes', sa.BigInteger(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('txid'),
    )
    op.create_table(
        'import_fingerprint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('options', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('token', sa.Text(), nullable=False),
        sa.Column('horizon', sa.BigInteger(), nullable=True),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_import_fingerprint_sha256', 'import_fingerprint', ['sha256'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    op.execute("INSERT INTO catalogue_change (txid, changes) VALUES (0, 0)")
    bump = "UPDATE catalogue_change SET changes = changes + 1 WHERE txid = 0;"
    for table, columns in WATCHED.items():
        update = 'UPDATE' if columns is None else f"UPDATE OF {', '.join(columns)}"
        for name, event in (('ins', 'INSERT'), ('del', 'DELETE'), ('upd', update)):
            op.execute(f"CREATE TRIGGER catalogue_change_{table}_{name} AFTER {event} ON {table} "
                       f"FOR EACH ROW BEGIN {bump} END")


def _postgresql_triggers() -> None:
    op.execute("""
        CREATE FUNCTION catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO catalogue_change (txid, changes, changed_at)
            VALUES (pg_current_xact_id()::text::bigint, 1, now())
            ON CONFLICT (txid) DO NOTHING;
            RETURN NULL;
        END $$""")
    for table, columns in WATCHED.items():
        update = 'UPDATE' if columns is None else f"UPDATE OF {', '.join(columns)}"
        op.execute(f"CREATE TRIGGER catalogue_change_{table} AFTER INSERT OR DELETE OR {update} OR TRUNCATE "
                   f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed()")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table in WATCHED:
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS catalogue_change_{table} ON {table}")
        else:
            for name in ('ins', 'del', 'upd'):
                op.execute(f"DROP TRIGGER IF EXISTS catalogue_change_{table}_{name}")
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS catalogue_changed()")
    op.drop_index('ix_import_fingerprint_sha256', table_name='import_fingerprint')
    op.drop_table('import_fingerprint')
    op.drop_table('catalogue_change')
