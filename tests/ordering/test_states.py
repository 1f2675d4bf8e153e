"""The life cycles of sessions and lines, as plain rules: no database, no HTTP."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import product
from typing import Any

import pytest

from order_taking.core.errors import InvalidState
from order_taking.ordering.states import (
    LINE_MOVES,
    SESSION_MOVES,
    LineState,
    SessionState,
    check_session_move,
    move_line,
    session_outcome,
    state_change_entry,
)

AT = datetime(2025, 4, 23, 8, 24, 57, 225000, tzinfo=UTC)
ALLOWED_LINE_MOVES = [(src, to) for src, targets in LINE_MOVES.items() for to in targets]
FORBIDDEN_LINE_MOVES = [
    (src, to) for src, to in product(LineState, LineState) if to not in LINE_MOVES.get(src, ())
]


@dataclass
class Line:
    state: str
    state_change: list[dict[str, Any]] = field(default_factory=list)


class TestMoveLine:
    @pytest.mark.parametrize(("src", "to"), ALLOWED_LINE_MOVES)
    def test_an_allowed_move_is_applied_and_recorded(self, src: LineState, to: LineState) -> None:
        earlier = state_change_entry(src.value, AT, "")
        line = Line(state=src.value, state_change=[earlier])

        move_line(line, to, AT, reason="because")

        assert line.state == to.value
        assert line.state_change == [
            earlier,
            {"state": to.value, "change_date": AT.isoformat(), "change_reason": "because"},
        ]

    @pytest.mark.parametrize(("src", "to"), FORBIDDEN_LINE_MOVES)
    def test_any_other_move_is_refused(self, src: LineState, to: LineState) -> None:
        line = Line(state=src.value)

        with pytest.raises(InvalidState):
            move_line(line, to, AT)

        assert (line.state, line.state_change) == (src.value, [])

    def test_the_history_is_a_new_list(self) -> None:
        """The ORM notices a JSON column change only when the value is replaced."""
        line = Line(state=LineState.CREATED.value)
        history = line.state_change

        move_line(line, LineState.IN_PROGRESS, AT)

        assert line.state_change is not history

    def test_the_documented_life_cycle_is_allowed(self) -> None:
        line = Line(state=LineState.CREATED.value)
        for state in (LineState.IN_PROGRESS, LineState.HELD_ADV_VALIDATION, LineState.IN_PROGRESS):
            move_line(line, state, AT)

        assert [c["state"] for c in line.state_change] == [
            "in_progress",
            "held_adv_validation",
            "in_progress",
        ]

    @pytest.mark.parametrize("final", [LineState.REJECTED_CREATION, LineState.COMPLETED])
    def test_a_final_state_is_final(self, final: LineState) -> None:
        assert final not in LINE_MOVES


class TestCheckSessionMove:
    @pytest.mark.parametrize(
        ("src", "to"), [(src, to) for src, targets in SESSION_MOVES.items() for to in targets]
    )
    def test_an_allowed_move_passes(self, src: SessionState, to: SessionState) -> None:
        check_session_move(src.value, to)

    @pytest.mark.parametrize(
        ("src", "to"),
        [
            (src, to)
            for src, to in product(SessionState, SessionState)
            if to not in SESSION_MOVES.get(src, ())
        ],
    )
    def test_any_other_move_is_refused(self, src: SessionState, to: SessionState) -> None:
        with pytest.raises(InvalidState):
            check_session_move(src.value, to)


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


def test_a_state_change_entry_has_the_documented_keys() -> None:
    assert state_change_entry("created", AT, "") == {
        "state": "created",
        "change_date": "2025-04-23T08:24:57.225000+00:00",
        "change_reason": "",
    }
