"""The built-in back end: creates an order when the line passes the rules against the catalog.

It stands in for the operator's ERP (settings may name another back end) and keeps no state of its
own: the order id is derived from the line id, so a line sent twice gets the same order.
"""

import hashlib
import uuid

from order_taking.backend import rules
from order_taking.backend.interface import OrderCreated, OrderRejected, OrderRequest, Outcome
from order_taking.backend.rules import CatalogFacts
from order_taking.catalog import service as catalog
from order_taking.core.batching import Batcher
from order_taking.core.database import Database
from order_taking.core.errors import ErrorEntry
from order_taking.core.settings import Settings
from order_taking.core.time import now
from order_taking.ordering.states import LineState
from order_taking.quotes import repository as quotes

# Namespace of the UUID v5 order ids; changing it would give already-sent lines new order ids.
ORDER_ID_NAMESPACE = uuid.UUID("6f1d3c52-8a0e-4b8e-9d7a-2c5e4f1b9a30")
REASON_ERRORS_SHOWN = 5


def backend_order_id(line_id: str) -> str:
    return str(uuid.uuid5(ORDER_ID_NAMESPACE, line_id))


def dia_enni(eligibility_item_id: str) -> str:
    """The ENNI of the DIA collection point serving the address: `DI` and 6 digits, the same for
    every DIA order at that eligibility item."""
    digest = hashlib.sha256(eligibility_item_id.encode()).digest()
    return f"DI{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def rejection_reason(errors: list[ErrorEntry]) -> str:
    shown = ", ".join(f"{e.property_path} {e.code}" for e in errors[:REASON_ERRORS_SHOWN])
    more = len(errors) - REASON_ERRORS_SHOWN
    return f"Order not created, {len(errors)} rule(s) failed: {shown}" + (
        f" and {more} more." if more > 0 else "."
    )


class CatalogBackend:
    """`ORDER_TAKING_BACKEND=order_taking.backend.builtin:CatalogBackend`, the default."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        # The calls a worker has in flight read the catalog together, in a few queries for all,
        # each in a read that starts after the call: never an answer from an older catalog.
        self._facts = Batcher[OrderRequest, CatalogFacts](self.read_facts)

    async def create_order(self, request: OrderRequest) -> Outcome:
        line = request.line
        facts = await self._facts.submit(request)
        errors = rules.check_line(line, facts)
        if errors:
            return OrderRejected(errors=errors, reason=rejection_reason(errors))
        order_id = backend_order_id(line.id)
        updates: dict[str, str] = {}
        if facts.eligibility is not None:  # always, once the rules passed
            updates["building_ref"] = facts.eligibility.item.building_ref
        if rules.is_dia(facts.offering):
            updates["enni"] = dia_enni(line.product_offering_qualification_item_id)
        if held_because := rules.manual_validation_reasons(line, facts.offering):
            state = LineState.HELD_ADV_VALIDATION
            reason = f"Order {order_id} created, held for ADV validation: " + " and ".join(
                held_because
            )
        else:
            state, reason = LineState.ACKNOWLEDGED, f"Order {order_id} created"
        return OrderCreated(
            state=state, backend_order_id=order_id, reason=reason + ".", updates=updates
        )

    async def read_facts(self, requests: list[OrderRequest]) -> list[CatalogFacts]:
        """What the catalog and the quotes say about each request's line, in a few queries."""
        lines = [request.line for request in requests]
        quoted = {(r.client_id, r.line.quote_item_id) for r in requests if r.line.quote_item_id}
        option_ids = {option_id for line in lines for option_id in line.option_ids}
        async with self.database.reading() as db:
            offerings = await catalog.find_offerings(
                db, {line.product_offering_id for line in lines}
            )
            eligibilities = await catalog.find_eligibilities(
                db, {line.product_offering_qualification_item_id for line in lines}
            )
            known = await catalog.known_option_ids(db, option_ids) if option_ids else set()
            allowed = await catalog.allowed_options(db, offerings.keys()) if offerings else {}
            confirmed = await quotes.confirmed_lines(db, quoted) if quoted else set()
        today = now().astimezone(self.settings.zone).date()
        facts = []
        for request in requests:
            line = request.line
            offering = offerings.get(line.product_offering_id)
            facts.append(
                CatalogFacts(
                    offering=offering,
                    eligibility=eligibilities.get(line.product_offering_qualification_item_id),
                    known_option_ids=frozenset(known.intersection(line.option_ids)),
                    allowed_option_ids=allowed.get(line.product_offering_id, frozenset()),
                    quote_confirmed=(request.client_id, line.quote_item_id) in confirmed,
                    today=today,
                    confirmed_on=(
                        line.order_date.astimezone(self.settings.zone).date()
                        if line.order_date
                        else today
                    ),
                )
            )
        return facts
