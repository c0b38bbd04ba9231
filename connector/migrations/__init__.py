"""Alembic migrations, shipped in the package; ``python -m connector.migrations.check`` verifies them."""

__all__: list[str] = []
