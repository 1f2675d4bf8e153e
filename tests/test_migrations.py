"""The schema the migrations build is the one the models describe, on the suite's database."""

import asyncio
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import column, insert, select, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.clients.service import (
    create_client,
    create_operator,
    hash_token,
    operator_for_token,
)
from order_taking.core.columns import new_id
from order_taking.core.database import Base, Database, create_engine
from order_taking.core.migrate import alembic_config, upgrade
from order_taking.core.time import UtcDateTime, now
from order_taking.ordering.models import OrderLine, OrderSession
from order_taking.ordering.repository import list_lines
from order_taking.ordering.schemas import LineFilters

# Made by the migrations only, on PostgreSQL: `search` reads them through LIKE '%term%'.
SESSION_ID = "5e55104d-0000-4000-8000-000000000001"
NOW = datetime(2026, 11, 27, 12, 0)
TRIGRAM_INDEXES = {"ix_order_lines_search_text", "ix_quote_lines_search_text"}


def _differences(connection: Connection) -> list[Any]:
    def include(item: Any, name: str | None, kind: str, reflected: bool, _other: Any) -> bool:
        return not (kind == "index" and name in TRIGRAM_INDEXES)

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include}
    )
    return list(compare_metadata(context, Base.metadata))


async def insert_as_then(db: AsyncSession, table_name: str, **values: Any) -> None:
    """A row written with the columns a table had at an older revision, created now."""
    columns = [column(name) for name in values] + [column("created_at", UtcDateTime())]
    await db.execute(insert(table(table_name, *columns)).values(**values, created_at=now()))


async def test_the_trigram_indexes_keep_short_pending_lists(postgresql_url: str) -> None:
    """Every search reads its index's pending list: the migrations keep it short."""
    engine = create_engine(postgresql_url)
    try:
        async with engine.connect() as connection:
            options = dict(
                (
                    await connection.execute(
                        text(
                            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(:names)"
                        ),
                        {"names": sorted(TRIGRAM_INDEXES)},
                    )
                ).all()
            )
    finally:
        await engine.dispose()

    assert options == {name: ["gin_pending_list_limit=256"] for name in TRIGRAM_INDEXES}


async def test_the_migrated_schema_matches_the_models(database: Database) -> None:
    async with database.engine.connect() as connection:
        differences = await connection.run_sync(_differences)

    assert differences == []


class TestSearchWithoutAccents:
    async def test_the_upgrade_folds_the_search_text_already_stored(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'before_0004.db'}"
        await asyncio.to_thread(upgrade, url, "0003")
        database = Database(url)
        try:
            async with database.transaction() as db:
                # The clients table as it was at 0003 (the model has columns added since).
                client_id = new_id()
                await insert_as_then(db, "clients", id=client_id, code="DC173", name="")
                # The session as revision 0003 knew it: no state history yet.
                await db.execute(
                    sa.table(
                        "order_sessions",
                        *(
                            sa.column(name)
                            for name in ("id", "client_id", "state", "creation_date")
                        ),
                    )
                    .insert()
                    .values(id=SESSION_ID, client_id=client_id, state="created", creation_date=NOW)
                )
                db.add(
                    OrderLine(
                        session_id=SESSION_ID,
                        client_id=client_id,
                        order_reference="PO_DC173_20261127_000001",
                        expiration_date=date(2027, 2, 25),
                        search_text="léa martin café",
                    )
                )

            await asyncio.to_thread(upgrade, url)

            async with database.transaction() as db:
                assert await db.scalar(select(OrderLine.search_text)) == "lea martin cafe"
        finally:
            await database.dispose()


class TestTokenLifeCycle:
    async def test_an_operator_keeps_its_token_through_the_upgrade(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'before_0009.db'}"
        await asyncio.to_thread(upgrade, url, "0004")
        database = Database(url)
        try:
            async with database.transaction() as db:
                await insert_as_then(
                    db, "operators", id=new_id(), name="Marie ADV", token_hash=hash_token("old")
                )

            await asyncio.to_thread(upgrade, url)

            async with database.transaction() as db:
                operator = await operator_for_token(db, "old")
            assert operator is not None and operator.name == "Marie ADV"
        finally:
            await database.dispose()

    async def test_the_downgrade_gives_each_operator_its_oldest_token_back(
        self, tmp_path: Path
    ) -> None:
        url = f"sqlite:///{tmp_path / 'downgraded.db'}"
        await asyncio.to_thread(upgrade, url)
        database = Database(url)
        try:
            async with database.transaction() as db:
                _, token = await create_operator(db, "Marie ADV")

            await asyncio.to_thread(command.downgrade, alembic_config(url), "0004")

            async with database.transaction() as db:
                stored = await db.scalar(text("SELECT token_hash FROM operators"))
            assert stored == hash_token(token)
        finally:
            await database.dispose()


class TestLineCounts:
    async def test_the_upgrade_counts_the_lines_already_stored(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'before_0011.db'}"
        await asyncio.to_thread(upgrade, url, "0010")
        database = Database(url)
        try:
            async with database.transaction() as db:
                client, _ = await create_client(db, "DC173")
                db.add(OrderSession(id=SESSION_ID, client_id=client.id))
                for number in (1, 2):
                    db.add(
                        OrderLine(
                            session_id=SESSION_ID,
                            client_id=client.id,
                            order_reference=f"PO_DC173_20261201_{number:06d}",
                            expiration_date=date(2027, 3, 1),
                        )
                    )

            await asyncio.to_thread(upgrade, url)

            async with database.transaction() as db:
                _, total = await list_lines(db, client.id, LineFilters(limit=1))
            assert total == 2
        finally:
            await database.dispose()
