"""The life cycles of quote carts and quote lines."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from order_taking.core.states import MoveRefused
from order_taking.quotes.states import QUOTE_CART, QUOTE_LINE, QuoteEvent, QuoteState

AT = datetime(2025, 4, 23, 8, 24, 57, tzinfo=UTC)


@dataclass
class Quote:
    state: str
    state_change: list[dict[str, Any]] = field(default_factory=list)
    quote_date: datetime | None = None


@pytest.mark.parametrize("machine", [QUOTE_CART, QUOTE_LINE])
class TestQuoteMoves:
    def test_a_created_quote_is_confirmed_with_its_date(self, machine: Any) -> None:
        quote = Quote(state="created")

        machine.apply(quote, QuoteEvent.CONFIRM, at=AT, changed_by="client:DC173")

        assert (quote.state, quote.quote_date) == (QuoteState.CONFIRMED, AT)
        assert quote.state_change[-1]["changed_by"] == "client:DC173"

    def test_a_confirmed_quote_stays_confirmed(self, machine: Any) -> None:
        with pytest.raises(MoveRefused):
            machine.apply(
                Quote(state="confirmed"), QuoteEvent.CONFIRM, at=AT, changed_by="client:DC173"
            )
