"""The unfiltered line list's count, which the database keeps as lines are written (migration
0011): it must say what a count of the lines would, however the lines were written."""

import asyncio

import httpx
from sqlalchemy import delete, func, select

from order_taking.clients.models import Client
from order_taking.core.database import Database
from order_taking.demo import load_demo_lines
from order_taking.ordering import repository
from order_taking.ordering.models import LineCount, OrderLine
from order_taking.ordering.schemas import LineFilters
from tests.ordering.factories import create_line, create_session, create_session_with_line


async def listed_total(api: httpx.AsyncClient) -> int:
    """The count of a full page (a page of one line), which the list cannot know by itself."""
    response = await api.get("/api/v1/product_order_item", params={"limit": 1})
    assert response.status_code == 200, response.text
    total: int = response.json()["count"]
    return total


async def counted(database: Database, client_id: str | None = None) -> int:
    """What walking the lines says."""
    query = select(func.count()).select_from(OrderLine)
    if client_id is not None:
        query = query.where(OrderLine.client_id == client_id)
    async with database.reading() as db:
        return await db.scalar(query) or 0


async def client_id_of(database: Database, code: str) -> str:
    async with database.reading() as db:
        client_id = await db.scalar(select(Client.id).where(Client.code == code))
    assert client_id is not None
    return client_id


class TestKeptLineCount:
    async def test_follows_lines_created_and_deleted(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)
        lines = [(await create_line(api, session["id"]))["id"] for _ in range(3)]
        await create_session_with_line(api)
        assert await listed_total(api) == 4

        response = await api.delete(
            f"/api/v1/product_order/{session['id']}/product_order_item/{lines[0]}"
        )
        assert response.status_code == 200, response.text
        assert await listed_total(api) == 3

        response = await api.delete(f"/api/v1/product_order/{session['id']}")
        assert response.status_code == 204, response.text
        assert await listed_total(api) == 1

    async def test_each_client_sees_its_own_count(
        self, api: httpx.AsyncClient, other_api: httpx.AsyncClient
    ) -> None:
        session = await create_session(api)
        for _ in range(3):
            await create_line(api, session["id"])
        await create_session_with_line(other_api)

        assert (await listed_total(api), await listed_total(other_api)) == (3, 1)

    async def test_the_staff_count_every_client_s_lines(
        self, api: httpx.AsyncClient, other_api: httpx.AsyncClient, database: Database
    ) -> None:
        await create_session_with_line(api)
        await create_session_with_line(api)
        await create_session_with_line(other_api)

        async with database.reading() as db:
            _, total = await repository.list_lines(db, None, LineFilters(limit=1))

        assert (type(total), total) == (int, 3)
        assert await counted(database) == 3

    async def test_counts_lines_inserted_in_bulk(self, database: Database) -> None:
        await load_demo_lines(
            database, client_code="BULK1", lines=1200, lines_per_session=7, seed=3
        )
        client_id = await client_id_of(database, "BULK1")

        async with database.reading() as db:
            _, total = await repository.list_lines(db, client_id, LineFilters(limit=1))

        assert total == 1200 == await counted(database, client_id)

    async def test_agrees_with_the_lines_after_concurrent_creates(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        sessions = [(await create_session(api))["id"] for _ in range(4)]
        # Side by side: on PostgreSQL each create has a connection of its own.
        await asyncio.gather(*(create_line(api, sessions[n % 4]) for n in range(24)))
        for session_id in sessions[:2]:
            response = await api.delete(f"/api/v1/product_order/{session_id}")
            assert response.status_code == 204, response.text

        client_id = await client_id_of(database, "DC173")
        assert await listed_total(api) == 12 == await counted(database, client_id)

    async def test_a_deleted_client_takes_its_count_with_it(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        await create_session_with_line(api)
        client_id = await client_id_of(database, "DC173")

        async with database.transaction() as db:
            await db.execute(delete(Client).where(Client.id == client_id))

        async with database.reading() as db:
            left = await db.scalar(select(func.count()).select_from(LineCount))
        assert left == 0
