"""`PO_DC173_20250423_003363`: a counter per client, kind and day, unique under concurrency."""

import asyncio
import uuid
from datetime import UTC, datetime

from sqlalchemy import text

from order_taking.clients.service import ClientIdentity, create_client
from order_taking.core.database import Database
from order_taking.core.references import next_reference, next_references

APRIL_10 = datetime(2025, 4, 10, 9, 0, tzinfo=UTC)


async def a_client(database: Database, code: str = "DC173") -> ClientIdentity:
    async with database.transaction() as db:
        client, _ = await create_client(db, code)
        return ClientIdentity(id=client.id, code=client.code)


async def reference(
    database: Database, client: ClientIdentity, *, kind: str = "PO", at: datetime = APRIL_10
) -> str:
    async with database.transaction() as db:
        return await next_reference(
            db, kind=kind, client_id=client.id, client_code=client.code, at=at
        )


class TestNextReference:
    async def test_counts_up_from_one(self, database: Database) -> None:
        client = await a_client(database)

        references = [await reference(database, client) for _ in range(3)]

        assert references == [f"PO_DC173_20250410_00000{n}" for n in (1, 2, 3)]

    async def test_counts_each_client_kind_and_day_apart(self, database: Database) -> None:
        dc173, xy999 = await a_client(database, "DC173"), await a_client(database, "XY999")
        await reference(database, dc173)

        assert await reference(database, xy999) == "PO_XY999_20250410_000001"
        assert await reference(database, dc173, kind="QT") == "QT_DC173_20250410_000001"
        assert (
            await reference(database, dc173, at=datetime(2025, 4, 11, 9, tzinfo=UTC))
            == "PO_DC173_20250411_000001"
        )

    async def test_the_day_is_the_service_zones(self, database: Database) -> None:
        client = await a_client(database)
        # 00:30 in Paris: already the 11th there.
        late = datetime(2025, 4, 10, 22, 30, tzinfo=UTC)

        assert await reference(database, client, at=late) == "PO_DC173_20250411_000001"

    async def test_is_unique_under_concurrent_transactions(self, database: Database) -> None:
        client = await a_client(database)

        references = await asyncio.gather(*(reference(database, client) for _ in range(12)))

        assert sorted(references) == [f"PO_DC173_20250410_{n:06d}" for n in range(1, 13)]


class TestNextReferences:
    async def test_reserves_a_run_the_next_reference_follows(self, database: Database) -> None:
        client = await a_client(database)
        await reference(database, client)

        async with database.transaction() as db:
            run = await next_references(
                db, kind="PO", client_id=client.id, client_code="DC173", at=APRIL_10, count=3
            )

        assert run == [f"PO_DC173_20250410_00000{n}" for n in (2, 3, 4)]
        assert await reference(database, client) == "PO_DC173_20250410_000005"


class TestCountersOfPostgresql:
    async def test_a_connection_the_database_dropped_costs_no_create(
        self, postgresql_url: str
    ) -> None:
        database = Database(postgresql_url)
        code = f"R{uuid.uuid4().hex[:8].upper()}"
        try:
            async with database.engine.connect() as connection:
                started = await connection.scalar(text("SELECT clock_timestamp()"))
            client = await a_client(database, code)
            await reference(database, client)  # the counters' pool now keeps a connection
            # The database drops this test's other connections, as a restart or a failover
            # would (not the suite's, opened before it, whose pool need not see it).
            async with database.engine.connect() as connection:
                await connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                        "AND backend_start >= :started"
                    ),
                    {"started": started},
                )

            assert await reference(database, client) == f"PO_{code}_20250410_000002"
        finally:
            await database.dispose()
