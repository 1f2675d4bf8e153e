"""State machines: each life cycle is one table of allowed moves keyed by the event, and one
function (`StateMachine.apply`) that checks a move, sets the state and the dates it implies, and
records it in `state_change` with who made it. Plain Python: no database, no HTTP."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from order_taking.core.errors import InvalidState

S = TypeVar("S", bound=StrEnum)
E = TypeVar("E", bound=StrEnum)

# Who made a change, as stored beside each `state_change` entry (shown to operators only).
BACKEND = "backend"
SYSTEM = "system"


def client_actor(code: str) -> str:
    return f"client:{code}"


def operator_actor(name: str) -> str:
    return f"operator:{name}"


class MoveRefused(InvalidState):
    """The state machine has no such move from the current state: 409."""


class HasStateHistory(Protocol):
    state: str
    state_change: list[dict[str, Any]]


def state_change_entry(state: str, at: datetime, reason: str, changed_by: str) -> dict[str, Any]:
    """The three documented keys, and who made the change beside them."""
    return {
        "state": state,
        "change_date": at.isoformat(),
        "change_reason": reason,
        "changed_by": changed_by,
    }


@dataclass(frozen=True)
class StateMachine(Generic[S, E]):
    """`moves[event][current]` is the set of states the event may lead to from `current`;
    `dates[event]` names the date fields the move sets to its moment."""

    what: str
    initial: S
    moves: Mapping[E, Mapping[S, frozenset[S]]]
    dates: Mapping[E, tuple[str, ...]] = field(default_factory=dict)

    def targets(self, event: E, current: str) -> frozenset[S]:
        by_state: Mapping[Any, frozenset[S]] = self.moves.get(event, {})
        return by_state.get(current, frozenset())

    def allows(self, current: str, to: str) -> bool:
        """Whether any event moves `current` to `to`."""
        tables: list[Mapping[Any, frozenset[S]]] = list(self.moves.values())
        return any(to in by_state.get(current, ()) for by_state in tables)

    def start(self, at: datetime, changed_by: str) -> list[dict[str, Any]]:
        """The history of a thing just created in the initial state."""
        return [state_change_entry(self.initial.value, at, "", changed_by)]

    def apply(
        self,
        thing: HasStateHistory,
        event: E,
        *,
        at: datetime,
        changed_by: str,
        reason: str = "",
        to: S | None = None,
    ) -> S:
        """Applies `event` to `thing` (to `to`, where the event may lead to several states);
        MoveRefused when the table has no such move. Answers the new state."""
        allowed = self.targets(event, thing.state)
        if to is None and len(allowed) == 1:
            (to,) = allowed
        if to is None or to not in allowed:
            target = f" to {to.value!r}" if to is not None else ""
            raise MoveRefused(
                f"{self.what} in state {thing.state!r} cannot {event.value.replace('_', ' ')}"
                f"{target}."
            )
        thing.state = to.value
        for name in self.dates.get(event, ()):
            setattr(thing, name, at)
        # A new list, so that the ORM sees the JSON column change.
        thing.state_change = [
            *thing.state_change,
            state_change_entry(to.value, at, reason, changed_by),
        ]
        return to
