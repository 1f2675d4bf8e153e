"""The engine's pool, on PostgreSQL."""

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection

from order_taking.core import database as database_module
from order_taking.core.database import Database
from tests.databases import asyncpg_dsn
from tests.polling import eventually

pytestmark = pytest.mark.postgresql


async def current_backend(database: Database) -> int:
    async with database.reading() as db:
        pid: int = await db.scalar(text("SELECT pg_backend_pid()"))
        return pid


class TestPooledConnections:
    async def test_a_connection_the_server_closed_while_it_rested_is_replaced_before_use(
        self, postgresql_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Every rest is then longer than the limit past which a connection is pinged.
        monkeypatch.setattr(database_module, "IDLE_BEFORE_PING_SECONDS", 0.0)
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

    async def test_a_connection_in_steady_use_is_not_pinged(
        self, postgresql_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        pings: list[object] = []
        # The DB-API connection SQLAlchemy wraps asyncpg's in: the pool calls its ping.
        adapted = AsyncAdapt_asyncpg_connection
        original = adapted.ping
        monkeypatch.setattr(adapted, "ping", lambda self: (pings.append(self), original(self)))
        database = Database(postgresql_url, pool_size=1, max_overflow=0)
        try:
            first = await current_backend(database)
            second = await current_backend(database)
            assert (second, pings) == (first, [])
            monkeypatch.setattr(database_module, "IDLE_BEFORE_PING_SECONDS", 0.0)
            await current_backend(database)
        finally:
            await database.dispose()

        assert len(pings) == 1
