"""Alembic environment: migrates the database named by the settings (or by the caller's config)."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from order_taking.core.database import Base, create_engine
from order_taking.core.settings import get_settings
from order_taking.models import load_all_models

load_all_models()
target_metadata = Base.metadata


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run() -> None:
    url = context.config.attributes.get("database_url") or get_settings().database_url
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_migrate)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("order-taking migrations run online only")
asyncio.run(_run())
