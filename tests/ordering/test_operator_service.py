"""The staff actions a line's state allows, read from the one table of moves."""

import pytest

from order_taking.ordering.operator_service import possible_actions
from order_taking.ordering.states import LineState


class TestPossibleActions:
    @pytest.mark.parametrize(
        ("state", "actions"),
        [
            (LineState.HELD_ADV_VALIDATION, ["release", "cancel"]),
            (LineState.ACKNOWLEDGED, ["cancel", "complete"]),
            (LineState.IN_PROGRESS, ["cancel", "complete"]),
            (LineState.REJECTED_CREATION, []),
            (LineState.CANCELLED, []),
            (LineState.COMPLETED, []),
            (LineState.CREATED, []),
        ],
    )
    def test_once_the_order_exists(self, state: LineState, actions: list[str]) -> None:
        assert possible_actions(state, job_pending=False) == actions

    def test_none_while_the_back_end_has_not_answered(self) -> None:
        assert possible_actions(LineState.IN_PROGRESS, job_pending=True) == []
