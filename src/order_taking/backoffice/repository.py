"""The back office's own queries: its sessions, and the views across every client that the API
(scoped to one client) has no query for."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.backend.models import OrderCreationJob
from order_taking.backoffice.models import BackofficeSession
from order_taking.clients.models import Client, Operator
from order_taking.ordering.models import OrderLine, OrderSession
from order_taking.ordering.states import LineState


async def find_session(
    db: AsyncSession, session_id: str
) -> Row[BackofficeSession, Operator] | None:
    query = (
        select(BackofficeSession, Operator)
        .join(Operator, Operator.id == BackofficeSession.operator_id)
        .where(BackofficeSession.id == session_id)
    )
    return (await db.execute(query)).first()


async def delete_session(db: AsyncSession, session_id: str) -> None:
    await db.execute(delete(BackofficeSession).where(BackofficeSession.id == session_id))


async def delete_sessions_idle_since(db: AsyncSession, moment: datetime) -> None:
    await db.execute(delete(BackofficeSession).where(BackofficeSession.last_seen_at < moment))


async def line_counts_by_state(
    db: AsyncSession, *, today: datetime, week: datetime
) -> Sequence[Row[str, int, int]]:
    """(state, lines created since `today`, since `week`), for `today` after `week`."""
    line = OrderLine
    query = (
        select(
            line.state,
            func.count().filter(line.creation_date >= today),
            func.count(),
        )
        .where(line.creation_date >= week)
        .group_by(line.state)
    )
    return (await db.execute(query)).all()


async def count_lines_in_state(db: AsyncSession, state: LineState) -> int:
    return await db.scalar(select(func.count()).where(OrderLine.state == state.value)) or 0


async def held_lines(db: AsyncSession, *, limit: int) -> Sequence[Row[OrderLine, str]]:
    """The ADV queue: lines held for validation, with their client's code, oldest order first."""
    line = OrderLine
    query = (
        select(line, Client.code)
        .join(Client, Client.id == line.client_id)
        .where(line.state == LineState.HELD_ADV_VALIDATION.value)
        .order_by(line.order_date, line.id)
        .limit(limit)
    )
    return (await db.execute(query)).all()


async def lines_rejected_since(
    db: AsyncSession, moment: datetime, *, limit: int
) -> Sequence[Row[OrderLine, str]]:
    """Lines the back end rejected after `moment` (their completion date), newest first."""
    line = OrderLine
    query = (
        select(line, Client.code)
        .join(Client, Client.id == line.client_id)
        .where(
            line.state == LineState.REJECTED_CREATION.value,
            line.completion_date >= moment,
        )
        .order_by(line.completion_date.desc())
        .limit(limit)
    )
    return (await db.execute(query)).all()


async def work_list_health(db: AsyncSession, at: datetime) -> Row[int, Any, int]:
    """(jobs due at `at`, when the oldest due job was created, jobs tried before)."""
    job = OrderCreationJob
    query = select(
        func.count().filter(job.run_after <= at),
        func.min(job.created_at).filter(job.run_after <= at),
        func.count().filter(job.attempts > 0),
    )
    return (await db.execute(query)).one()


async def retrying_jobs(db: AsyncSession, *, limit: int) -> Sequence[Row[OrderCreationJob, str]]:
    """Jobs tried at least once and not done, with their line's reference, most tried first."""
    job = OrderCreationJob
    query = (
        select(job, OrderLine.order_reference)
        .join(OrderLine, OrderLine.id == job.line_id)
        .where(job.attempts > 0)
        .order_by(job.attempts.desc(), job.created_at)
        .limit(limit)
    )
    return (await db.execute(query)).all()


async def find_job(db: AsyncSession, line_id: str) -> OrderCreationJob | None:
    return await db.get(OrderCreationJob, line_id)


async def session_counts_by_client(db: AsyncSession) -> Sequence[Row[str, str, int]]:
    """(client id, state, sessions)."""
    s = OrderSession
    query = select(s.client_id, s.state, func.count()).group_by(s.client_id, s.state)
    return (await db.execute(query)).all()


async def line_counts_by_client(db: AsyncSession) -> Sequence[Row[str, str, int]]:
    """(client id, state, lines)."""
    line = OrderLine
    query = select(line.client_id, line.state, func.count()).group_by(line.client_id, line.state)
    return (await db.execute(query)).all()
