"""Life cycles of quote carts and quote lines: created → confirmed, the lines with their cart.
One table of allowed moves each, keyed by the event, and one function each that applies a move
and records it; the cart's moves are notified to the client's listeners."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.core.states import StateMachine
from order_taking.notifications.models import EventType
from order_taking.notifications.service import record_event


class QuoteState(StrEnum):
    CREATED = "created"  # being filled in
    CONFIRMED = "confirmed"  # sent for quotation; read-only, may be cited by order lines


class QuoteEvent(StrEnum):
    CONFIRM = "confirm"  # the client confirms the cart


QUOTE_CART = StateMachine[QuoteState, QuoteEvent](
    what="A quote cart",
    initial=QuoteState.CREATED,
    moves={QuoteEvent.CONFIRM: {QuoteState.CREATED: frozenset({QuoteState.CONFIRMED})}},
    dates={QuoteEvent.CONFIRM: ("quote_date",)},
)
QUOTE_LINE = StateMachine[QuoteState, QuoteEvent](
    what="A quote line",
    initial=QuoteState.CREATED,
    moves=QUOTE_CART.moves,
    dates=QUOTE_CART.dates,
)


class QuoteLike(Protocol):
    id: str
    client_id: str
    state: str
    state_change: list[dict[str, Any]]


def move_cart(
    db: AsyncSession, cart: QuoteLike, event: QuoteEvent, *, at: datetime, changed_by: str
) -> None:
    QUOTE_CART.apply(cart, event, at=at, changed_by=changed_by)
    record_event(
        db,
        client_id=cart.client_id,
        event_type=EventType.QUOTE_STATE,
        resource_id=cart.id,
        href=f"/api/v1/quote/{cart.id}/",
        at=at,
        details={"state": cart.state},
    )


def move_quote_line(line: QuoteLike, event: QuoteEvent, *, at: datetime, changed_by: str) -> None:
    """A quote line's moves are its cart's: they are notified with the cart's event."""
    QUOTE_LINE.apply(line, event, at=at, changed_by=changed_by)
