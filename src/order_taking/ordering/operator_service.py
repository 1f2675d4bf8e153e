"""What the operator's own staff (ADV) do with created orders: release, cancel, complete.

Staff act on any client's line; a line whose order the back end has not created yet is out of
their reach (409), so an action never races the worker's answer.
"""

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.backend import repository as jobs
from order_taking.clients.service import OperatorIdentity
from order_taking.core.errors import InvalidState, NotFound
from order_taking.core.time import now
from order_taking.ordering.models import OrderLine
from order_taking.ordering.states import LINE_MOVES, LineState, move_line

log = logging.getLogger(__name__)


# The move each staff action makes; a release is ADV's validation of a held order only.
ACTION_MOVES = {
    "release": LineState.IN_PROGRESS,
    "cancel": LineState.CANCELLED,
    "complete": LineState.COMPLETED,
}
RELEASABLE = LineState.HELD_ADV_VALIDATION


def order_exists(state: str, job_pending: bool) -> bool:
    return state != LineState.CREATED and not job_pending


def possible_actions(state: str, job_pending: bool) -> list[str]:
    """The staff actions a line in this state allows (the buttons of the back office)."""
    if not order_exists(state, job_pending):
        return []
    moves = LINE_MOVES.get(LineState(state), frozenset())
    return [
        action
        for action, to in ACTION_MOVES.items()
        if to in moves and (action != "release" or state == RELEASABLE)
    ]


async def _created_order(db: AsyncSession, line_id: str) -> OrderLine:
    """The line, locked, if its order exists."""
    line = await jobs.lock_line(db, line_id)
    if line is None:
        raise NotFound(f"No order line {line_id}.")
    if not order_exists(line.state, await jobs.job_pending(db, line.id)):
        raise InvalidState(f"Order line {line_id} has no order yet: it is not created.")
    return line


async def release_line(db: AsyncSession, operator: OperatorIdentity, line_id: str) -> OrderLine:
    """ADV validated the order held for it: delivery goes on."""
    line = await _created_order(db, line_id)
    # in_progress → in_progress is a back end's move, not a release.
    if line.state != RELEASABLE:
        raise InvalidState(
            f"Order line {line_id} is {line.state}: only a held_adv_validation line is released."
        )
    move_line(line, LineState.IN_PROGRESS, now(), "Released by the sales administration (ADV).")
    await db.flush()
    log.info("operator %s released line %s", operator.name, line_id)
    return line


async def cancel_line(
    db: AsyncSession, operator: OperatorIdentity, line_id: str, reason: str
) -> OrderLine:
    line = await _created_order(db, line_id)
    at = now()
    move_line(line, LineState.CANCELLED, at, reason)
    line.cancellation_date = at
    line.cancellation_reason = reason
    await db.flush()
    log.info("operator %s cancelled line %s: %s", operator.name, line_id, reason)
    return line


async def complete_line(db: AsyncSession, operator: OperatorIdentity, line_id: str) -> OrderLine:
    """The order is delivered."""
    line = await _created_order(db, line_id)
    at = now()
    move_line(line, LineState.COMPLETED, at, "Delivered: completed by the sales administration.")
    line.completion_date = at
    await db.flush()
    log.info("operator %s completed line %s", operator.name, line_id)
    return line
