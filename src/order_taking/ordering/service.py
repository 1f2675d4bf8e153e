"""What a client does with its order sessions and order lines. Services flush, never commit."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, delete
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.backend import repository as jobs
from order_taking.backend.models import OrderCreationJob
from order_taking.clients.service import ClientIdentity
from order_taking.core.columns import new_id, new_row
from order_taking.core.database import after_commit
from order_taking.core.errors import InvalidState, NotFound
from order_taking.core.listing import search_text
from order_taking.core.references import next_reference
from order_taking.core.states import client_actor
from order_taking.core.time import local_date, now
from order_taking.ordering import repository
from order_taking.ordering.contacts import address_words
from order_taking.ordering.models import OrderLine, OrderSession
from order_taking.ordering.schemas import LineCreate, LineFields, SessionFields
from order_taking.ordering.states import (
    LINE,
    SESSION,
    LineEvent,
    LineState,
    SessionEvent,
    SessionState,
    move_line,
    move_session,
)

DRAFT_LIFETIME = timedelta(days=90)


async def create_session(
    db: AsyncSession, client: ClientIdentity, data: SessionFields
) -> OrderSession:
    at = now()
    session = OrderSession(
        client_id=client.id,
        creation_date=at,
        state_change=SESSION.start(at, client_actor(client.code)),
        **data.model_dump(),
    )
    db.add(session)
    await db.flush()
    return session


async def get_session(
    db: AsyncSession,
    client: ClientIdentity,
    session_id: str,
    *,
    with_lines: bool = True,
    for_update: bool = False,
) -> OrderSession:
    session = await repository.find_session(
        db,
        client.id,
        session_id,
        with_lines=with_lines,
        for_update=for_update,
    )
    if session is None:
        raise NotFound(f"No order session {session_id}.")
    return session


async def _editable_session(
    db: AsyncSession, client: ClientIdentity, session_id: str
) -> OrderSession:
    """The session, locked against a concurrent confirm or line change, if it may still change."""
    session = await get_session(db, client, session_id, with_lines=False, for_update=True)
    _check_editable(session_id, session.state)
    return session


async def _share_editable_session(
    db: AsyncSession, client: ClientIdentity, session_id: str
) -> None:
    """Shares the session's lock (FOR SHARE) if its lines may still change: lines of one session
    are changed side by side, while a confirm or a change of the session itself (FOR UPDATE)
    waits for them all. Only its state is read."""
    state = await repository.share_session_state(db, client.id, session_id)
    if state is None:
        raise NotFound(f"No order session {session_id}.")
    _check_editable(session_id, state)


def _check_editable(session_id: str, state: str) -> None:
    if state != SessionState.CREATED:
        raise InvalidState(
            f"Order session {session_id} is {state}: only a created session can change."
        )


async def update_session(
    db: AsyncSession, client: ClientIdentity, session_id: str, data: SessionFields
) -> OrderSession:
    session = await _editable_session(db, client, session_id)
    for name, value in data.model_dump(include=data.model_fields_set).items():
        setattr(session, name, value)
    await db.flush()
    return session


async def delete_session(db: AsyncSession, client: ClientIdentity, session_id: str) -> None:
    await _editable_session(db, client, session_id)
    await db.execute(delete(OrderLine).where(OrderLine.session_id == session_id))
    await db.execute(delete(OrderSession).where(OrderSession.id == session_id))


def line_search_text(
    *,
    order_reference: str,
    external_id: str,
    end_customer_name: str,
    customer_order_name: str,
    related_contact_information: list[dict[str, Any]],
) -> str:
    """What `search` looks in: the reference, external id, names and the contacts' addresses."""
    return search_text(
        order_reference,
        external_id,
        end_customer_name,
        customer_order_name,
        *address_words(related_contact_information),
    )


SEARCHED_FIELDS = (
    "order_reference",
    "external_id",
    "end_customer_name",
    "customer_order_name",
    "related_contact_information",
)


def _refresh_search_text(line: OrderLine) -> None:
    line.search_text = line_search_text(**{name: getattr(line, name) for name in SEARCHED_FIELDS})


async def add_line(
    db: AsyncSession,
    client: ClientIdentity,
    session_id: str,
    data: LineCreate,
    *,
    committed_alone: bool = False,
) -> OrderLine:
    """The line written, in `db`'s transaction, or with `committed_alone` in a statement that
    commits on its own (for a request with nothing else to commit: about 40% more creates a
    second at 32 connections)."""
    at = now()
    # Taken first, as the line is written with it: a create refused below leaves its number
    # unused, as one that rolls back does.
    reference = await next_reference(
        db, kind="PO", client_id=client.id, client_code=client.code, at=at
    )
    row = new_row(
        repository.LINES,
        id=new_id(),
        session_id=session_id,
        client_id=client.id,
        order_reference=reference,
        state=LineState.CREATED.value,
        creation_date=at,
        expiration_date=local_date(at) + DRAFT_LIFETIME,
        state_change=LINE.start(at, client_actor(client.code)),
        termination_error=[],
        **data.model_dump(),
    )
    row["search_text"] = line_search_text(**{name: row[name] for name in SEARCHED_FIELDS})
    # Core, not the unit of work: the line is new, so its bookkeeping buys nothing here; the
    # line answered is the row as written.
    if not await repository.insert_line_of_editable_session(
        db, row, committed_alone=committed_alone
    ):
        await _share_editable_session(db, client, session_id)  # raises why it was refused
        raise AssertionError("a line of an editable session was not written")
    return OrderLine(**row)


async def _editable_line(
    db: AsyncSession, client: ClientIdentity, session_id: str, line_id: str
) -> OrderLine:
    await _share_editable_session(db, client, session_id)
    line = await repository.find_line(db, client.id, line_id, session_id=session_id)
    if line is None:
        raise NotFound(f"No order line {line_id} in order session {session_id}.")
    return line


async def update_line(
    db: AsyncSession, client: ClientIdentity, session_id: str, line_id: str, data: LineFields
) -> OrderLine:
    line = await _editable_line(db, client, session_id, line_id)
    for name, value in data.model_dump(include=data.model_fields_set).items():
        setattr(line, name, value)
    _refresh_search_text(line)
    await db.flush()
    return line


async def delete_line(
    db: AsyncSession, client: ClientIdentity, session_id: str, line_id: str
) -> OrderSession:
    line = await _editable_line(db, client, session_id, line_id)
    await db.delete(line)
    await db.flush()
    return await get_session(db, client, session_id)


async def get_line(db: AsyncSession, client: ClientIdentity, line_id: str) -> Row[Any]:
    line = await repository.line_detail(db, client.id, line_id)
    if line is None:
        raise NotFound(f"No order line {line_id}.")
    return line


async def confirm_session(
    db: AsyncSession,
    client: ClientIdentity,
    session_id: str,
    on_committed: Callable[[], None] = lambda: None,
) -> OrderSession:
    """Moves the session and its lines to in_progress and queues each line for the back end.

    The queue rows are written in this same transaction: once the client has its 200, no
    confirmed line can be lost, whichever process dies afterwards.
    """
    session = await get_session(db, client, session_id, for_update=True)
    if session.state == SessionState.CREATED and not session.lines:
        raise InvalidState(f"Order session {session_id} has no order line to confirm.")
    at, by = now(), client_actor(client.code)
    move_session(db, session, SessionEvent.CONFIRM, at=at, changed_by=by)
    for line in session.lines:
        move_line(db, line, LineEvent.CONFIRM, at=at, changed_by=by)
        db.add(OrderCreationJob(line_id=line.id, session_id=session.id, run_after=at))
    await db.flush()
    await jobs.announce_jobs(db)
    after_commit(db, on_committed)
    return session
