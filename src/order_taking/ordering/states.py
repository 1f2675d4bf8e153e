"""Life cycles of order sessions and order lines: one table of allowed moves each, keyed by the
event, and one function each that applies a move, records it in `state_change` with who made it,
and records the event to notify, in the caller's transaction."""

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.core.states import StateMachine
from order_taking.notifications.models import EventType
from order_taking.notifications.service import record_event


class SessionState(StrEnum):
    CREATED = "created"  # being filled in by the client
    IN_PROGRESS = "in_progress"  # confirmed, the back end is creating its orders
    COMPLETED = "completed"  # every line's order was created
    PARTIAL = "partial"  # some orders created, some rejected
    REJECTED = "rejected"  # no order created


class LineState(StrEnum):
    CREATED = "created"  # a draft, editable while its session is `created`
    IN_PROGRESS = "in_progress"  # confirmed; or order created and being delivered
    ACKNOWLEDGED = "acknowledged"  # order created and accepted
    HELD_ADV_VALIDATION = "held_adv_validation"  # order created, waits for ADV's validation
    REJECTED_CREATION = "rejected_creation"  # the back end refused it: see termination_error
    CANCELLED = "cancelled"  # cancelled by the operator's staff
    COMPLETED = "completed"  # delivered


class SessionEvent(StrEnum):
    CONFIRM = "confirm"  # the client confirms the session
    SETTLE = "settle"  # its last line got the back end's answer


class LineEvent(StrEnum):
    CONFIRM = "confirm"  # its session is confirmed
    ORDER_CREATED = "order_created"  # the back end answered: order created
    ORDER_REJECTED = "order_rejected"  # the back end answered: order refused
    RELEASE = "release"  # ADV validated the held order
    CANCEL = "cancel"  # the operator's staff cancelled it
    COMPLETE = "complete"  # delivered


SESSION_FINAL_STATES = frozenset(
    {SessionState.COMPLETED, SessionState.PARTIAL, SessionState.REJECTED}
)
# Outcomes of order creation: the back end answers one of these.
ORDER_CREATED_STATES = frozenset(
    {LineState.ACKNOWLEDGED, LineState.HELD_ADV_VALIDATION, LineState.IN_PROGRESS}
)
LINE_FINAL_STATES = frozenset(
    {LineState.REJECTED_CREATION, LineState.CANCELLED, LineState.COMPLETED}
)

SESSION = StateMachine[SessionState, SessionEvent](
    what="An order session",
    initial=SessionState.CREATED,
    moves={
        SessionEvent.CONFIRM: {SessionState.CREATED: frozenset({SessionState.IN_PROGRESS})},
        SessionEvent.SETTLE: {SessionState.IN_PROGRESS: SESSION_FINAL_STATES},
    },
    dates={SessionEvent.CONFIRM: ("order_date",), SessionEvent.SETTLE: ("completion_date",)},
)

LINE = StateMachine[LineState, LineEvent](
    what="An order line",
    initial=LineState.CREATED,
    moves={
        LineEvent.CONFIRM: {LineState.CREATED: frozenset({LineState.IN_PROGRESS})},
        # in_progress → in_progress is the back end answering "order created, in progress".
        LineEvent.ORDER_CREATED: {LineState.IN_PROGRESS: ORDER_CREATED_STATES},
        LineEvent.ORDER_REJECTED: {LineState.IN_PROGRESS: frozenset({LineState.REJECTED_CREATION})},
        LineEvent.RELEASE: {LineState.HELD_ADV_VALIDATION: frozenset({LineState.IN_PROGRESS})},
        LineEvent.CANCEL: {
            state: frozenset({LineState.CANCELLED})
            for state in (
                LineState.IN_PROGRESS,
                LineState.HELD_ADV_VALIDATION,
                LineState.ACKNOWLEDGED,
            )
        },
        LineEvent.COMPLETE: {
            state: frozenset({LineState.COMPLETED})
            for state in (LineState.IN_PROGRESS, LineState.ACKNOWLEDGED)
        },
    },
    dates={
        LineEvent.CONFIRM: ("order_date",),
        LineEvent.ORDER_REJECTED: ("completion_date",),
        LineEvent.CANCEL: ("cancellation_date",),
        LineEvent.COMPLETE: ("completion_date",),
    },
)


class SessionLike(Protocol):
    id: str
    client_id: str
    state: str
    state_change: list[dict[str, Any]]


class LineLike(SessionLike, Protocol):
    session_id: str
    order_reference: str
    termination_error: list[dict[str, Any]]


def session_href(session_id: str) -> str:
    return f"/api/v1/product_order/{session_id}/"


def line_href(line_id: str) -> str:
    return f"/api/v1/product_order_item/{line_id}/"


def move_session(
    db: AsyncSession,
    session: SessionLike,
    event: SessionEvent,
    *,
    at: datetime,
    changed_by: str,
    reason: str = "",
    to: SessionState | None = None,
) -> None:
    SESSION.apply(session, event, at=at, changed_by=changed_by, reason=reason, to=to)
    record_event(
        db,
        client_id=session.client_id,
        event_type=EventType.ORDER_STATE,
        resource_id=session.id,
        href=session_href(session.id),
        at=at,
        details={"state": session.state},
    )


def _line_details(line: LineLike) -> dict[str, Any]:
    details: dict[str, Any] = {
        "state": line.state,
        "product_order_id": line.session_id,
        "order_reference": line.order_reference,
    }
    if line.state == LineState.REJECTED_CREATION:
        details["termination_error"] = line.termination_error
    return details


def move_line(
    db: AsyncSession,
    line: LineLike,
    event: LineEvent,
    *,
    at: datetime,
    changed_by: str,
    reason: str = "",
    to: LineState | None = None,
) -> None:
    LINE.apply(line, event, at=at, changed_by=changed_by, reason=reason, to=to)
    record_event(
        db,
        client_id=line.client_id,
        event_type=EventType.ORDER_ITEM_STATE,
        resource_id=line.id,
        href=line_href(line.id),
        at=at,
        details=_line_details(line),
    )


def record_line_attributes(
    db: AsyncSession, line: LineLike, names: Iterable[str], at: datetime
) -> None:
    """The event of fields the back end set on a line (`enni`, `building_ref`, ...)."""
    record_event(
        db,
        client_id=line.client_id,
        event_type=EventType.ORDER_ITEM_ATTRIBUTES,
        resource_id=line.id,
        href=line_href(line.id),
        at=at,
        details=_line_details(line) | {"attributes": sorted(names)},
    )


def session_outcome(line_states: Iterable[str]) -> SessionState:
    """The final state of a confirmed session whose lines have all been answered."""
    states = list(line_states)
    rejected = sum(1 for s in states if s == LineState.REJECTED_CREATION)
    if rejected == 0:
        return SessionState.COMPLETED
    if rejected == len(states):
        return SessionState.REJECTED
    return SessionState.PARTIAL
