"""Where a created line commits: with the request's transaction, or in its own statement."""

import httpx
import pytest
from sqlalchemy import func, select

from order_taking.clients.service import ClientIdentity, find_client
from order_taking.core.database import Database
from order_taking.ordering import service
from order_taking.ordering.models import OrderLine
from order_taking.ordering.schemas import LineCreate
from tests.ordering.factories import MINIMAL_LINE, create_session


class RolledBack(Exception):
    pass


async def lines_of(database: Database, session_id: str) -> int:
    async with database.transaction() as db:
        query = select(func.count()).where(OrderLine.session_id == session_id)
        return int(await db.scalar(query) or 0)


@pytest.mark.parametrize("committed_alone", [False, True])
async def test_a_line_committed_alone_outlives_the_transaction_on_postgresql(
    api: httpx.AsyncClient, database: Database, committed_alone: bool
) -> None:
    """Alone (a create without Idempotency-Key), the line is committed by its own statement on
    PostgreSQL; otherwise, and always on SQLite, it rolls back with the transaction."""
    async with database.transaction() as db:
        found = await find_client(db, "DC173")
    assert found is not None
    client = ClientIdentity(found.id, found.code)
    session = await create_session(api)

    with pytest.raises(RolledBack):
        async with database.transaction() as db:
            line = LineCreate(**MINIMAL_LINE)
            await service.add_line(db, client, session["id"], line, committed_alone=committed_alone)
            raise RolledBack

    kept = committed_alone and database.dialect == "postgresql"
    assert await lines_of(database, session["id"]) == (1 if kept else 0)
