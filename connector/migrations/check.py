"""``python -m connector.migrations.check``: the migrations have exactly one head, and the
models match what the migrations build (no table or column left without a migration)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from connector.db import MIGRATIONS, init_db, make_engine
from connector.schema import metadata


def main() -> int:
    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    if len(heads) != 1:
        print(f"migrations: expected one head, found {len(heads)}: {heads}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'check.db'}")
        init_db(engine)
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), metadata)
        engine.dispose()
    if diff:
        print("migrations: the models differ from the migrations; write a migration for:")
        for item in diff:
            print("  ", item)
        return 1
    print(f"migrations: one head ({heads[0]}), models and migrations agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
