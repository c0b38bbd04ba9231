"""row triggers that tell an area check which producers a write touched (PostgreSQL)

``connector.touches`` opens a capture around a write decided by a file or a matcher (the web's
catalogue import, field form and merges) and reads back which producers the write touched, with
the commune each changed producer had before.  On PostgreSQL the recording is done by these
row triggers, each guarded by ``WHEN (current_setting('agri.area_capture', true) = 'on')``: outside
a capture (every CLI import, sync, ledger ingest) the function is never called.  On SQLite the
capture creates TEMP triggers on its own connection instead, so this revision changes nothing there.

Revision ID: 0012_area_touches
Revises: 0011_catalogue_changes
"""

from __future__ import annotations

from alembic import op

revision = '0012_area_touches'
down_revision = '0011_catalogue_changes'
branch_labels = None
depends_on = None

# table → (the table whose producer_id a key names, '' when the key is a producer id; the key columns)
OWNED: dict[str, tuple[str, tuple[str, ...]]] = {
    'product': ('', ('producer_id',)),
    'marketplace_account': ('', ('producer_id',)),
    'onboarding_registration': ('', ('producer_id',)),
    'training_record': ('', ('producer_id',)),
    'merge_candidate': ('', ('producer_a_id', 'producer_b_id')),
    'web_user': ('', ('producer_id',)),
    'ledger_entry': ('', ('producer_id',)),
    'ocop_certification': ('product', ('product_id',)),
    'product_image': ('product', ('product_id',)),
    'binding': ('product', ('product_id',)),
    'stock_movement': ('product', ('product_id',)),
    'order_line': ('product', ('product_id',)),
    'listing_pack_snapshot': ('product', ('product_id',)),
    'sales_order': ('marketplace_account', ('account_id',)),
    'order_bookmark': ('marketplace_account', ('account_id',)),
    'remote_image': ('marketplace_account', ('account_id',)),
    'web_one_time_code': ('web_user', ('user_id',)),
}
WHEN = "WHEN (current_setting('agri.area_capture', true) = 'on')"


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("""
        CREATE FUNCTION agri_area_note(lookup text, key_value text) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE owner bigint := key_value::bigint;
        BEGIN
            IF owner IS NULL THEN RETURN; END IF;
            IF lookup <> '' THEN
                EXECUTE format('SELECT producer_id FROM %I WHERE id = $1', lookup) INTO owner USING owner;
            END IF;
            INSERT INTO pg_temp.agri_area_touched (producer_id, commune_before, existed) VALUES (owner, NULL, false);
        END $$""")
    op.execute("""
        CREATE FUNCTION agri_area_touch() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE i integer;
        BEGIN
            IF TG_TABLE_NAME = 'producer' THEN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    INSERT INTO pg_temp.agri_area_touched (producer_id, commune_before, existed)
                    VALUES (OLD.id, OLD.unit_vn2025, true);
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    PERFORM agri_area_note('', NEW.id::text);
                END IF;
                RETURN NULL;
            END IF;
            FOR i IN 1 .. TG_NARGS - 1 LOOP
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    PERFORM agri_area_note(TG_ARGV[0], to_jsonb(OLD) ->> TG_ARGV[i]);
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    PERFORM agri_area_note(TG_ARGV[0], to_jsonb(NEW) ->> TG_ARGV[i]);
                END IF;
            END LOOP;
            RETURN NULL;
        END $$""")
    op.execute(f"CREATE TRIGGER agri_area_producer AFTER INSERT OR UPDATE OR DELETE ON producer "
               f"FOR EACH ROW {WHEN} EXECUTE FUNCTION agri_area_touch()")
    for table, (lookup, keys) in OWNED.items():
        arguments = ", ".join(f"'{a}'" for a in (lookup, *keys))
        op.execute(f"CREATE TRIGGER agri_area_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW {WHEN} EXECUTE FUNCTION agri_area_touch({arguments})")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in ('producer', *OWNED):
        op.execute(f"DROP TRIGGER IF EXISTS agri_area_{table} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS agri_area_touch()")
    op.execute("DROP FUNCTION IF EXISTS agri_area_note(text, text)")
