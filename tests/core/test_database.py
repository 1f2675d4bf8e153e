"""The engine's pool, on PostgreSQL."""

import asyncpg
import pytest
from sqlalchemy import text

from order_taking.core.database import Database
from tests.databases import asyncpg_dsn
from tests.polling import eventually

pytestmark = pytest.mark.postgresql


async def current_backend(database: Database) -> int:
    async with database.reading() as db:
        pid: int = await db.scalar(text("SELECT pg_backend_pid()"))
        return pid


class TestPooledConnections:
    async def test_a_connection_the_server_closed_is_replaced_before_use(
        self, postgresql_url: str
    ) -> None:
        database = Database(postgresql_url, pool_size=1, max_overflow=0)
        admin = await asyncpg.connect(asyncpg_dsn(postgresql_url))
        try:
            before = await current_backend(database)
            await admin.execute("SELECT pg_terminate_backend($1)", before)

            async def gone() -> bool:
                query = "SELECT count(*) FROM pg_stat_activity WHERE pid = $1"
                return await admin.fetchval(query, before) == 0

            await eventually(gone, what="the server closed the pooled connection")
            after = await current_backend(database)
        finally:
            await admin.close()
            await database.dispose()

        assert after != before
