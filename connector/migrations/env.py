"""Alembic environment: runs on the engine handed in by ``connector.db.alembic_config``."""

from __future__ import annotations

from alembic import context

from connector.schema import metadata

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
