"""Life cycle of a quote cart: created → confirmed; its lines follow the cart."""

from enum import StrEnum

from order_taking.core.errors import InvalidState


class QuoteState(StrEnum):
    CREATED = "created"  # being filled in
    CONFIRMED = "confirmed"  # sent for quotation; read-only, may be cited by order lines


QUOTE_MOVES: dict[QuoteState, frozenset[QuoteState]] = {
    QuoteState.CREATED: frozenset({QuoteState.CONFIRMED}),
}


def check_quote_move(current: str, to: QuoteState) -> None:
    if to not in QUOTE_MOVES.get(QuoteState(current), frozenset()):
        raise InvalidState(f"A quote cart in state {current!r} cannot move to {to.value!r}.")
