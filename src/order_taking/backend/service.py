"""What a worker writes: claims on jobs, the back end's outcomes, retries. Services flush, never
commit: the worker runs each function in its own short transaction."""

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.backend import repository
from order_taking.backend.interface import OrderCreated, OrderRejected, OrderRequest, Outcome
from order_taking.core.states import BACKEND
from order_taking.ordering.models import OrderLine
from order_taking.ordering.schemas import LineOut
from order_taking.ordering.states import (
    ORDER_CREATED_STATES,
    LineEvent,
    LineState,
    SessionEvent,
    move_line,
    move_session,
    record_line_attributes,
    session_outcome,
)

log = logging.getLogger(__name__)

# What a back end may set on a line besides its state: values only the order's creation knows.
BACKEND_SET_FIELDS = frozenset({"enni", "enni_2", "building_ref"})


@dataclass(frozen=True)
class ClaimedLine:
    """A line this worker holds until `token` is replaced (its lease expired) or the job is gone."""

    line: OrderLine
    client_id: str
    client_code: str
    token: str
    lease_ends: datetime
    request_id: str | None = None  # of the confirm that queued the line

    @property
    def line_id(self) -> str:
        return self.line.id

    def order_request(self) -> OrderRequest:
        return OrderRequest(
            line=LineOut.of(self.line), client_id=self.client_id, client_code=self.client_code
        )


async def claim_lines(
    db: AsyncSession, *, worker: str, at: datetime, lease: timedelta, limit: int
) -> list[ClaimedLine]:
    """Claims up to `limit` due lines: each job's `run_after` moves to the lease's end, so a
    worker that dies leaves its lines due again by themselves."""
    line_ids = await repository.lock_due_jobs(db, at=at, limit=limit)
    if not line_ids:
        return []
    token, lease_ends = str(uuid.uuid4()), at + lease
    await repository.mark_claimed(db, line_ids, token=token, worker=worker, until=lease_ends)
    return [
        ClaimedLine(
            line=line,
            client_id=line.client_id,
            client_code=code,
            token=token,
            lease_ends=lease_ends,
            request_id=request_id,
        )
        for line, code, request_id in await repository.lines_with_client_codes(db, line_ids)
    ]


async def record_outcome(
    db: AsyncSession, claimed: ClaimedLine, outcome: Outcome, at: datetime
) -> bool:
    """Applies the back end's answer to the line, once: False (nothing written) when the claim was
    lost meanwhile or the line was already answered, so a late or repeated answer changes nothing.
    """
    return bool(await record_outcomes(db, [(claimed, outcome)], at))


async def record_outcomes(
    db: AsyncSession, answers: Sequence[tuple[ClaimedLine, Outcome]], at: datetime
) -> set[str]:
    """`record_outcome` for many lines in one transaction: the ids of the lines recorded.

    Rows are locked in one order, jobs, then lines by id, then sessions by id, so that workers
    recording batches side by side never deadlock.
    """
    taken = await repository.take_claimed_jobs(db, [(c.line_id, c.token) for c, _ in answers])
    if not taken:
        return set()
    lines = {line.id: line for line in await repository.lock_lines(db, sorted(taken))}
    for claimed, outcome in answers:
        if claimed.line_id in taken:
            line = lines[claimed.line_id]  # the job's foreign key kept its line
            if isinstance(outcome, OrderCreated):
                _apply_created(db, line, outcome, at)
            else:
                _apply_rejected(db, line, outcome, at)
    await db.flush()
    await _settle_sessions(db, set(taken.values()), at)
    return set(taken)


def _apply_created(db: AsyncSession, line: OrderLine, outcome: OrderCreated, at: datetime) -> None:
    reason = outcome.reason or f"Order {outcome.backend_order_id} created."
    to = LineState(outcome.state)
    move_line(db, line, LineEvent.ORDER_CREATED, at=at, changed_by=BACKEND, reason=reason, to=to)
    line.backend_order_id = outcome.backend_order_id
    set_fields = []
    for name, value in outcome.updates.items():
        if name in BACKEND_SET_FIELDS:
            setattr(line, name, value)
            set_fields.append(name)
        else:
            log.warning("line %s: the back end's update of %r is ignored", line.id, name)
    if set_fields:
        record_line_attributes(db, line, set_fields, at)


def _apply_rejected(
    db: AsyncSession, line: OrderLine, outcome: OrderRejected, at: datetime
) -> None:
    reason = outcome.reason or f"Order not created: {len(outcome.errors)} rule(s) failed."
    line.termination_error = [entry.model_dump() for entry in outcome.errors]
    move_line(db, line, LineEvent.ORDER_REJECTED, at=at, changed_by=BACKEND, reason=reason)


async def _settle_sessions(db: AsyncSession, session_ids: set[str], at: datetime) -> None:
    """Once its last line is answered, a session takes its final state.

    The session row's lock orders the last answers of one session: whoever locks it last sees
    every other answer committed, and finds no job left.
    """
    sessions = await repository.lock_sessions(db, sorted(session_ids))
    waiting = await repository.sessions_with_jobs(db, session_ids)
    settled = [session for session in sessions if session.id not in waiting]
    if not settled:
        return
    states = await repository.line_states(db, [session.id for session in settled])
    for session in settled:
        final = session_outcome(states[session.id])
        move_session(db, session, SessionEvent.SETTLE, at=at, changed_by=BACKEND, to=final)
    await db.flush()


async def schedule_retry(
    db: AsyncSession,
    claimed: ClaimedLine,
    *,
    error: str,
    delay: Callable[[int], timedelta],
    at: datetime,
) -> bool:
    """Releases the claim and makes the line due again after `delay(attempts so far)`; never
    rejects it. False (nothing written) when the claim was lost meanwhile."""
    job = await repository.lock_claimed_job(db, claimed.line_id, claimed.token)
    if job is None:
        return False
    job.claim_token = None
    job.claimed_by = None
    job.run_after = at + delay(job.attempts)
    job.last_error = error
    await db.flush()
    return True


def check_outcome(outcome: object) -> Outcome:
    """The back end's answer, if it is one: anything else is its failure, retried like a timeout."""
    if isinstance(outcome, OrderRejected):
        return outcome
    if isinstance(outcome, OrderCreated) and outcome.state in ORDER_CREATED_STATES:
        return outcome
    raise TypeError(f"the back end answered {outcome!r}, not an order created or rejected")
