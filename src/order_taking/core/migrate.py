"""Bring a database's schema up to date with the migrations shipped in the package, and tell
whether it is."""

from functools import lru_cache

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "order_taking:migrations")
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


@lru_cache
def head_revision() -> str | None:
    """The revision the code expects (read once: the migrations ship with the code)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The database's revision; None when it was never migrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current_revision)


def schema_problem(revision: str | None) -> str | None:
    """What is wrong with a database at `revision`, in words; None when it is at the head."""
    head = head_revision()
    if revision == head:
        return None
    if revision is None:
        return f"the database was never migrated (the code expects revision {head})"
    return f"the database is at revision {revision}, the code expects {head}"
