"""The life cycles of sessions and lines, as plain rules: no database, no HTTP."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import product
from typing import Any

import pytest

from order_taking.core.states import MoveRefused, state_change_entry
from order_taking.ordering.states import (
    LINE,
    SESSION,
    LineEvent,
    LineState,
    SessionEvent,
    SessionState,
    session_outcome,
)

AT = datetime(2025, 4, 23, 8, 24, 57, 225000, tzinfo=UTC)
ALLOWED_LINE_MOVES = [
    (event, src, to)
    for event, by_state in LINE.moves.items()
    for src, targets in by_state.items()
    for to in targets
]
FORBIDDEN_LINE_MOVES = [
    (event, src, to)
    for event, src, to in product(LineEvent, LineState, LineState)
    if to not in LINE.targets(event, src)
]


@dataclass
class Line:
    state: str
    state_change: list[dict[str, Any]] = field(default_factory=list)
    order_date: datetime | None = None
    completion_date: datetime | None = None
    cancellation_date: datetime | None = None


class TestLineMoves:
    @pytest.mark.parametrize(("event", "src", "to"), ALLOWED_LINE_MOVES)
    def test_an_allowed_move_is_applied_and_recorded(
        self, event: LineEvent, src: LineState, to: LineState
    ) -> None:
        earlier = state_change_entry(src.value, AT, "", "client:DC173")
        line = Line(state=src.value, state_change=[earlier])

        LINE.apply(line, event, at=AT, changed_by="backend", reason="because", to=to)

        assert line.state == to.value
        assert line.state_change == [
            earlier,
            {
                "state": to.value,
                "change_date": AT.isoformat(),
                "change_reason": "because",
                "changed_by": "backend",
            },
        ]

    @pytest.mark.parametrize(("event", "src", "to"), FORBIDDEN_LINE_MOVES)
    def test_any_other_move_is_refused(
        self, event: LineEvent, src: LineState, to: LineState
    ) -> None:
        line = Line(state=src.value)

        with pytest.raises(MoveRefused):
            LINE.apply(line, event, at=AT, changed_by="backend", to=to)

        assert (line.state, line.state_change) == (src.value, [])

    @pytest.mark.parametrize(
        ("event", "date"),
        [
            (LineEvent.CONFIRM, "order_date"),
            (LineEvent.ORDER_REJECTED, "completion_date"),
            (LineEvent.CANCEL, "cancellation_date"),
            (LineEvent.COMPLETE, "completion_date"),
        ],
    )
    def test_a_move_sets_the_date_it_implies(self, event: LineEvent, date: str) -> None:
        [src] = [state for state in LineState if LINE.targets(event, state)][:1]
        line = Line(state=src.value)

        LINE.apply(line, event, at=AT, changed_by="operator:ADV")

        assert getattr(line, date) == AT

    def test_an_event_leading_to_several_states_needs_its_target(self) -> None:
        line = Line(state=LineState.IN_PROGRESS.value)

        with pytest.raises(MoveRefused):
            LINE.apply(line, LineEvent.ORDER_CREATED, at=AT, changed_by="backend")

    def test_the_history_is_a_new_list(self) -> None:
        """The ORM notices a JSON column change only when the value is replaced."""
        line = Line(state=LineState.CREATED.value)
        history = line.state_change

        LINE.apply(line, LineEvent.CONFIRM, at=AT, changed_by="client:DC173")

        assert line.state_change is not history

    def test_the_documented_life_cycle_is_allowed(self) -> None:
        line = Line(state=LineState.CREATED.value)
        LINE.apply(line, LineEvent.CONFIRM, at=AT, changed_by="client:DC173")
        LINE.apply(
            line,
            LineEvent.ORDER_CREATED,
            at=AT,
            changed_by="backend",
            to=LineState.HELD_ADV_VALIDATION,
        )
        LINE.apply(line, LineEvent.RELEASE, at=AT, changed_by="operator:ADV")

        assert [(c["state"], c["changed_by"]) for c in line.state_change] == [
            ("in_progress", "client:DC173"),
            ("held_adv_validation", "backend"),
            ("in_progress", "operator:ADV"),
        ]

    @pytest.mark.parametrize("final", [LineState.REJECTED_CREATION, LineState.COMPLETED])
    def test_a_final_state_is_final(self, final: LineState) -> None:
        assert not any(final in by_state for by_state in LINE.moves.values())


class TestSessionMoves:
    @pytest.mark.parametrize("to", sorted(SESSION.targets(SessionEvent.SETTLE, "in_progress")))
    def test_a_confirmed_session_settles_in_a_final_state(self, to: SessionState) -> None:
        session = Line(state=SessionState.IN_PROGRESS.value)

        SESSION.apply(session, SessionEvent.SETTLE, at=AT, changed_by="backend", to=to)

        assert (session.state, session.completion_date) == (to.value, AT)

    @pytest.mark.parametrize(
        ("event", "src"),
        [
            (event, src)
            for event, src in product(SessionEvent, SessionState)
            if not SESSION.targets(event, src)
        ],
    )
    def test_any_other_move_is_refused(self, event: SessionEvent, src: SessionState) -> None:
        with pytest.raises(MoveRefused):
            SESSION.apply(Line(state=src.value), event, at=AT, changed_by="backend")


class TestSessionOutcome:
    @pytest.mark.parametrize(
        ("line_states", "outcome"),
        [
            (["acknowledged"], SessionState.COMPLETED),
            (["acknowledged", "held_adv_validation", "in_progress"], SessionState.COMPLETED),
            (["acknowledged", "rejected_creation"], SessionState.PARTIAL),
            (["rejected_creation"], SessionState.REJECTED),
            (["rejected_creation", "rejected_creation"], SessionState.REJECTED),
        ],
    )
    def test_follows_the_lines(self, line_states: list[str], outcome: SessionState) -> None:
        assert session_outcome(line_states) == outcome


def test_a_state_change_entry_has_the_documented_keys_and_who_made_it() -> None:
    assert state_change_entry("created", AT, "", "client:DC173") == {
        "state": "created",
        "change_date": "2025-04-23T08:24:57.225000+00:00",
        "change_reason": "",
        "changed_by": "client:DC173",
    }
