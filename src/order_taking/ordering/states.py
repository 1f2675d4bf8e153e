"""Life cycles of order sessions and order lines: one table of allowed moves each, one function each
that applies a move and records it in `state_change`."""

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from order_taking.core.errors import InvalidState


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

SESSION_MOVES: dict[SessionState, frozenset[SessionState]] = {
    SessionState.CREATED: frozenset({SessionState.IN_PROGRESS}),
    SessionState.IN_PROGRESS: SESSION_FINAL_STATES,
}

LINE_MOVES: dict[LineState, frozenset[LineState]] = {
    LineState.CREATED: frozenset({LineState.IN_PROGRESS}),
    # in_progress → in_progress is the back end answering "order created, in progress".
    LineState.IN_PROGRESS: ORDER_CREATED_STATES
    | {LineState.REJECTED_CREATION, LineState.CANCELLED, LineState.COMPLETED},
    LineState.HELD_ADV_VALIDATION: frozenset({LineState.IN_PROGRESS, LineState.CANCELLED}),
    LineState.ACKNOWLEDGED: frozenset({LineState.CANCELLED, LineState.COMPLETED}),
}


class HasStateHistory(Protocol):
    state: str
    state_change: list[dict[str, Any]]


def state_change_entry(state: str, at: datetime, reason: str) -> dict[str, Any]:
    return {"state": state, "change_date": at.isoformat(), "change_reason": reason}


def _move(
    thing: HasStateHistory,
    moves: dict[Any, frozenset[Any]],
    to: StrEnum,
    at: datetime,
    reason: str,
    what: str,
) -> None:
    if to not in moves.get(thing.state, frozenset()):
        raise InvalidState(f"{what} in state {thing.state!r} cannot move to {to.value!r}.")
    thing.state = to.value
    # A new list, so that the ORM sees the JSON column change.
    thing.state_change = [*thing.state_change, state_change_entry(to.value, at, reason)]


def move_line(line: HasStateHistory, to: LineState, at: datetime, reason: str = "") -> None:
    _move(line, LINE_MOVES, to, at, reason, "An order line")


def check_session_move(current: str, to: SessionState) -> None:
    if to not in SESSION_MOVES.get(SessionState(current), frozenset()):
        raise InvalidState(f"An order session in state {current!r} cannot move to {to.value!r}.")


def session_outcome(line_states: Iterable[str]) -> SessionState:
    """The final state of a confirmed session whose lines have all been answered."""
    states = list(line_states)
    rejected = sum(1 for s in states if s == LineState.REJECTED_CREATION)
    if rejected == 0:
        return SessionState.COMPLETED
    if rejected == len(states):
        return SessionState.REJECTED
    return SessionState.PARTIAL
