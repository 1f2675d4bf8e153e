"""Every query on the order creation jobs, and on the lines and sessions they settle.

These run for the workers and the operator's staff, across clients: the job names its line.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.backend.models import OrderCreationJob
from order_taking.clients.models import Client
from order_taking.ordering.models import OrderLine, OrderSession


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


async def take_claimed_job(db: AsyncSession, line_id: str, token: str) -> str | None:
    """Deletes the job if the claim is still `token`'s, answering its session id; None if the job
    is gone or claimed by another worker since. The delete holds the job's lock till commit."""
    query = (
        delete(OrderCreationJob)
        .where(OrderCreationJob.line_id == line_id, OrderCreationJob.claim_token == token)
        .returning(OrderCreationJob.session_id)
    )
    return (await db.execute(query)).scalar_one_or_none()


async def job_pending(db: AsyncSession, line_id: str) -> bool:
    """Whether the line still waits for the back end to create its order."""
    return bool(await db.scalar(select(exists().where(OrderCreationJob.line_id == line_id))))


async def session_has_jobs(db: AsyncSession, session_id: str) -> bool:
    query = select(exists().where(OrderCreationJob.session_id == session_id))
    return bool(await db.scalar(query))


async def lock_line(db: AsyncSession, line_id: str) -> OrderLine | None:
    query = select(OrderLine).where(OrderLine.id == line_id).with_for_update()
    # populate_existing: the locked row's values win over any copy read before the lock.
    return await db.scalar(query.execution_options(populate_existing=True))


async def lock_session(db: AsyncSession, session_id: str) -> OrderSession | None:
    query = select(OrderSession).where(OrderSession.id == session_id).with_for_update()
    return await db.scalar(query.execution_options(populate_existing=True))


async def line_states(db: AsyncSession, session_id: str) -> Sequence[str]:
    return (
        await db.scalars(select(OrderLine.state).where(OrderLine.session_id == session_id))
    ).all()
