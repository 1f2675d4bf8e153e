"""Test databases: SQLite files, or fresh PostgreSQL databases created and dropped by the suite."""

import asyncio
import os
import uuid
from types import TracebackType

import asyncpg
from sqlalchemy.engine import make_url

from order_taking.core.migrate import upgrade

DEFAULT_POSTGRESQL_URL = "postgresql://postgres@127.0.0.1:5432/test"


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _execute(url: str, statement: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def postgresql_unreachable_reason(url: str) -> str | None:
    try:
        asyncio.run(_execute(url, "SELECT 1"))
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        return f"no PostgreSQL at {make_url(url).render_as_string()} ({error})"
    return None


class TestDatabase:
    """A migrated database for one test run: the SQLite file given, or a new PostgreSQL one."""

    def __init__(self, url: str) -> None:
        self.admin_url = url
        self.url = url
        self.created: str | None = None

    def __enter__(self) -> "TestDatabase":
        if make_url(self.admin_url).get_backend_name() == "postgresql":
            if reason := postgresql_unreachable_reason(self.admin_url):
                raise RuntimeError(reason)
            self.created = f"order_taking_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            asyncio.run(_execute(self.admin_url, f'CREATE DATABASE "{self.created}"'))
            self.url = (
                make_url(self.admin_url)
                .set(database=self.created)
                .render_as_string(hide_password=False)
            )
        upgrade(self.url)
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        if self.created:
            asyncio.run(
                _execute(self.admin_url, f'DROP DATABASE IF EXISTS "{self.created}" WITH (FORCE)')
            )
