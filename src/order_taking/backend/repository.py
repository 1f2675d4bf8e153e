"""Every query on the order creation jobs, and on the lines and sessions they settle.

These run for the workers and the operator's staff, across clients: the job names its line.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Row, delete, exists, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from order_taking.backend.models import OrderCreationJob
from order_taking.clients.models import Client
from order_taking.ordering.models import OrderLine, OrderSession

# Workers LISTEN on it; a confirm NOTIFYs it when it commits (PostgreSQL).
JOBS_CHANNEL = "order_creation_jobs"


async def announce_jobs(db: AsyncSession) -> None:
    """Wakes the listening workers when the transaction commits (PostgreSQL; SQLite's poll)."""
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text(f"NOTIFY {JOBS_CHANNEL}"))


async def lock_due_jobs(db: AsyncSession, *, at: datetime, limit: int) -> Sequence[str]:
    """Line ids of the jobs due at `at`, oldest first, locked; jobs another worker holds are
    skipped (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's BEGIN IMMEDIATE serializes instead)."""
    query = (
        select(OrderCreationJob.line_id)
        .where(OrderCreationJob.run_after <= at)
        .order_by(OrderCreationJob.run_after, OrderCreationJob.line_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await db.scalars(query)).all()


async def mark_claimed(
    db: AsyncSession, line_ids: Sequence[str], *, token: str, worker: str, until: datetime
) -> None:
    await db.execute(
        update(OrderCreationJob)
        .where(OrderCreationJob.line_id.in_(line_ids))
        .values(
            claim_token=token,
            claimed_by=worker,
            attempts=OrderCreationJob.attempts + 1,
            run_after=until,
        )
        .execution_options(synchronize_session=False)
    )


async def lines_with_client_codes(
    db: AsyncSession, line_ids: Sequence[str]
) -> Sequence[Row[OrderLine, str, str | None]]:
    """Each line with its client's code and the request id of the confirm that queued it (None
    once the line's job is done)."""
    query = (
        select(OrderLine, Client.code, OrderCreationJob.request_id)
        .join(Client, Client.id == OrderLine.client_id)
        .outerjoin(OrderCreationJob, OrderCreationJob.line_id == OrderLine.id)
        .where(OrderLine.id.in_(line_ids))
    )
    return (await db.execute(query)).all()


async def lock_claimed_job(db: AsyncSession, line_id: str, token: str) -> OrderCreationJob | None:
    """The job, locked, if it still exists and the claim is still `token`'s; None otherwise."""
    query = (
        select(OrderCreationJob)
        .where(OrderCreationJob.line_id == line_id, OrderCreationJob.claim_token == token)
        .with_for_update()
    )
    return await db.scalar(query)


async def take_claimed_jobs(db: AsyncSession, claims: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Deletes the jobs of the (line id, token) claims still held with that token, answering
    their session id by line id; a job gone or claimed by another worker since is left alone.
    The delete holds the jobs' locks till commit."""
    query = (
        delete(OrderCreationJob)
        .where(tuple_(OrderCreationJob.line_id, OrderCreationJob.claim_token).in_(claims))
        .returning(OrderCreationJob.line_id, OrderCreationJob.session_id)
    )
    return {line_id: session_id for line_id, session_id in (await db.execute(query)).all()}


async def job_pending(db: AsyncSession, line_id: str) -> bool:
    """Whether the line still waits for the back end to create its order."""
    return bool(await db.scalar(select(exists().where(OrderCreationJob.line_id == line_id))))


async def sessions_with_jobs(db: AsyncSession, session_ids: Iterable[str]) -> set[str]:
    """Which of these sessions still have a line waiting for the back end."""
    query = select(OrderCreationJob.session_id).where(
        OrderCreationJob.session_id.in_(list(session_ids))
    )
    return set((await db.scalars(query.distinct())).all())


async def lock_line(db: AsyncSession, line_id: str) -> OrderLine | None:
    query = select(OrderLine).where(OrderLine.id == line_id).with_for_update()
    # populate_existing: the locked row's values win over any copy read before the lock.
    return await db.scalar(query.execution_options(populate_existing=True))


# What recording an answer reads of a line: its state machine's and its events' fields. The rest
# (contacts, notes...) is neither read nor decoded; touching it raises.
ANSWERED_LINE_FIELDS = (
    OrderLine.id,
    OrderLine.session_id,
    OrderLine.client_id,
    OrderLine.order_reference,
    OrderLine.state,
    OrderLine.state_change,
    OrderLine.termination_error,
)


async def lock_lines(db: AsyncSession, line_ids: Sequence[str]) -> Sequence[OrderLine]:
    """The lines, locked in id order, with their ANSWERED_LINE_FIELDS only."""
    query = (
        select(OrderLine)
        .options(load_only(*ANSWERED_LINE_FIELDS, raiseload=True))
        .where(OrderLine.id.in_(line_ids))
        .order_by(OrderLine.id)
        .with_for_update()
    )
    # populate_existing: the locked rows' values win over any copy read before the lock.
    return (await db.scalars(query.execution_options(populate_existing=True))).all()


async def lock_sessions(db: AsyncSession, session_ids: Sequence[str]) -> Sequence[OrderSession]:
    """The sessions, locked in id order."""
    query = (
        select(OrderSession)
        .where(OrderSession.id.in_(session_ids))
        .order_by(OrderSession.id)
        .with_for_update()
    )
    return (await db.scalars(query.execution_options(populate_existing=True))).all()


async def line_states(db: AsyncSession, session_ids: Sequence[str]) -> dict[str, list[str]]:
    """The states of each session's lines."""
    query = select(OrderLine.session_id, OrderLine.state).where(
        OrderLine.session_id.in_(session_ids)
    )
    states: dict[str, list[str]] = {session_id: [] for session_id in session_ids}
    for session_id, state in (await db.execute(query)).all():
        states[session_id].append(state)
    return states
