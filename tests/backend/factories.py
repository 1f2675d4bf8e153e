"""Small factories for the worker and operator tests: sessions through the API, jobs and lines
read straight from the database."""

from typing import Any

import httpx
from sqlalchemy import select

from order_taking.backend.models import OrderCreationJob
from order_taking.clients.service import ClientIdentity, create_client
from order_taking.core.database import Database
from order_taking.ordering import service as ordering
from order_taking.ordering.models import OrderLine, OrderSession
from order_taking.ordering.schemas import LineCreate, SessionFields
from order_taking.ordering.states import ORDER_CREATED_STATES, LineState
from tests.backend.backends import HELD, REJECTED

ELIGIBILITY_ITEM = "d5a4a9aa-ba2c-4f53-95c7-0c1ce6f6e7fa"
OUTCOME_STATES = {*ORDER_CREATED_STATES, LineState.REJECTED_CREATION}


def line_body(**fields: Any) -> dict[str, Any]:
    return {
        "product_offering_id": "2173",
        "product_offering_qualification_item_id": ELIGIBILITY_ITEM,
        **fields,
    }


async def new_session(api: httpx.AsyncClient, *, lines: int = 1, **line_fields: Any) -> str:
    """A created session with `lines` lines; answers its id."""
    response = await api.post("/api/v1/product_order/", json={"external_id": "test"})
    assert response.status_code == 201, response.text
    session_id: str = response.json()["id"]
    for _ in range(lines):
        response = await api.post(
            f"/api/v1/product_order/{session_id}/product_order_item/", json=line_body(**line_fields)
        )
        assert response.status_code == 201, response.text
    return session_id


async def confirmed_session(api: httpx.AsyncClient, *outcomes: str) -> dict[str, Any]:
    """A confirmed session with one line per outcome asked of `backends.Scripted` (its
    external_id); answers the confirm's response, the session detail."""
    session_id = await new_session(api, lines=0)
    for outcome in outcomes or ("",):
        response = await api.post(
            f"/api/v1/product_order/{session_id}/product_order_item/",
            json=line_body(external_id=outcome),
        )
        assert response.status_code == 201, response.text
    response = await api.patch(f"/api/v1/product_order/{session_id}/confirm/")
    assert response.status_code == 200, response.text
    detail: dict[str, Any] = response.json()
    return detail


async def jobs_of(database: Database, *session_ids: str) -> list[OrderCreationJob]:
    async with database.transaction() as db:
        query = select(OrderCreationJob).where(OrderCreationJob.session_id.in_(session_ids))
        return list((await db.scalars(query)).all())


async def lines_of(database: Database, *session_ids: str) -> list[OrderLine]:
    async with database.transaction() as db:
        query = (
            select(OrderLine).where(OrderLine.session_id.in_(session_ids)).order_by(OrderLine.id)
        )
        return list((await db.scalars(query)).all())


async def session_row(database: Database, session_id: str) -> OrderSession:
    async with database.transaction() as db:
        session = await db.get(OrderSession, session_id)
        assert session is not None
        return session


def outcome_entries(line: OrderLine | dict[str, Any]) -> list[dict[str, Any]]:
    """The line's state_change entries that are an answer of the back end."""
    history = line["state_change"] if isinstance(line, dict) else line.state_change
    # The first in_progress entry is the confirmation; what follows it is the back end's.
    confirmed = next(i for i, entry in enumerate(history) if entry["state"] == "in_progress")
    return [entry for entry in history[confirmed + 1 :] if entry["state"] in OUTCOME_STATES]


async def confirmed_sessions(
    database: Database, client_code: str, *, lines: int, per_session: int
) -> list[str]:
    """Confirmed sessions of a new client holding `lines` lines in all, written with the services
    (every 10th line asks `backends.Scripted` for a rejection, every 10th plus one to be held)."""
    async with database.transaction() as db:
        client, _ = await create_client(db, client_code)
        identity = ClientIdentity(id=client.id, code=client.code)
    # A client exists before its lines: their references are counted beside this transaction.
    async with database.transaction() as db:
        session_ids: list[str] = []
        for first in range(0, lines, per_session):
            session = await ordering.create_session(db, identity, SessionFields())
            for index in range(first, min(first + per_session, lines)):
                wanted = {0: REJECTED, 1: HELD}.get(index % 10, "")
                await ordering.add_line(
                    db,
                    identity,
                    session.id,
                    LineCreate.model_validate(line_body(external_id=wanted)),
                )
            await ordering.confirm_session(db, identity, session.id)
            session_ids.append(session.id)
    return session_ids
