"""The life cycle of a quote cart."""

import pytest

from order_taking.core.errors import InvalidState
from order_taking.quotes.states import QuoteState, check_quote_move


class TestCheckQuoteMove:
    def test_a_created_cart_may_be_confirmed(self) -> None:
        check_quote_move("created", QuoteState.CONFIRMED)

    @pytest.mark.parametrize(
        ("current", "to"),
        [("confirmed", QuoteState.CONFIRMED), ("confirmed", QuoteState.CREATED)],
    )
    def test_a_confirmed_cart_stays_confirmed(self, current: str, to: QuoteState) -> None:
        with pytest.raises(InvalidState):
            check_quote_move(current, to)
