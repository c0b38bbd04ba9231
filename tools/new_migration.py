"""Autogenerate a migration against a scratch SQLite database at the current head.

    .venv/bin/python tools/new_migration.py "add bindings" 0002_bindings
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from connector.db import alembic_config, make_engine


def main(message: str, rev_id: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        config = alembic_config(engine)
        command.upgrade(config, "head")
        command.revision(config, message=message, autogenerate=True, rev_id=rev_id)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
