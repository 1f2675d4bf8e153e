"""What the operator's own staff (ADV) do with created orders: release, cancel, complete; and
what they see of a line's notifications.

Staff act on any client's line; a line whose order the back end has not created yet is out of
their reach (409), so an action never races the worker's answer.
"""

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.backend import repository as jobs
from order_taking.clients.service import OperatorIdentity
from order_taking.core.errors import InvalidState, NotFound
from order_taking.core.states import operator_actor
from order_taking.core.time import now
from order_taking.notifications import repository as notifications
from order_taking.notifications.repository import DeliveryRecord
from order_taking.ordering.models import OrderLine
from order_taking.ordering.states import LINE, LineEvent, LineState, move_line

log = logging.getLogger(__name__)


# The event each staff action applies to the line.
ACTION_EVENTS = {
    "release": LineEvent.RELEASE,
    "cancel": LineEvent.CANCEL,
    "complete": LineEvent.COMPLETE,
}


def order_exists(state: str, job_pending: bool) -> bool:
    return state != LineState.CREATED and not job_pending


def possible_actions(state: str, job_pending: bool) -> list[str]:
    """The staff actions a line in this state allows (the buttons of the back office)."""
    if not order_exists(state, job_pending):
        return []
    return [action for action, event in ACTION_EVENTS.items() if LINE.targets(event, state)]


async def _created_order(db: AsyncSession, line_id: str) -> OrderLine:
    """The line, locked, if its order exists."""
    line = await jobs.lock_line(db, line_id)
    if line is None:
        raise NotFound(f"No order line {line_id}.")
    if line.state == LineState.CREATED:
        raise InvalidState(
            f"Order line {line_id} has no order yet: the client has not confirmed it, so there "
            "is no order to release, cancel or complete."
        )
    if await jobs.job_pending(db, line.id):
        raise InvalidState(
            f"Order line {line_id} has no order yet: the back end is still creating it. Try "
            "again once the line is acknowledged or held for validation."
        )
    return line


async def release_line(db: AsyncSession, operator: OperatorIdentity, line_id: str) -> OrderLine:
    """ADV validated the order held for it: delivery goes on."""
    line = await _created_order(db, line_id)
    # in_progress → in_progress is a back end's move, not a release.
    if line.state != LineState.HELD_ADV_VALIDATION:
        raise InvalidState(
            f"Order line {line_id} is {line.state}: only a held_adv_validation line is released."
        )
    move_line(
        db,
        line,
        LineEvent.RELEASE,
        at=now(),
        changed_by=operator_actor(operator.name),
        reason="Released by the sales administration (ADV).",
    )
    await db.flush()
    log.info("operator %s released line %s", operator.name, line_id)
    return line


async def cancel_line(
    db: AsyncSession, operator: OperatorIdentity, line_id: str, reason: str
) -> OrderLine:
    line = await _created_order(db, line_id)
    move_line(
        db,
        line,
        LineEvent.CANCEL,
        at=now(),
        changed_by=operator_actor(operator.name),
        reason=reason,
    )
    line.cancellation_reason = reason
    await db.flush()
    log.info("operator %s cancelled line %s: %s", operator.name, line_id, reason)
    return line


async def complete_line(db: AsyncSession, operator: OperatorIdentity, line_id: str) -> OrderLine:
    """The order is delivered."""
    line = await _created_order(db, line_id)
    move_line(
        db,
        line,
        LineEvent.COMPLETE,
        at=now(),
        changed_by=operator_actor(operator.name),
        reason="Delivered: completed by the sales administration.",
    )
    await db.flush()
    log.info("operator %s completed line %s", operator.name, line_id)
    return line


async def line_notifications(db: AsyncSession, line_id: str) -> list[DeliveryRecord]:
    """Every delivery of the line's events to its client's listeners, with their attempts."""
    if await db.get(OrderLine, line_id) is None:
        raise NotFound(f"No order line {line_id}.")
    return await notifications.deliveries_for_line(db, line_id)
