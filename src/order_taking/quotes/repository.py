"""Every query on quote carts and quote lines, each scoped to one client."""

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from order_taking.core.listing import contains, date_range, equal, fetch_page, order_by
from order_taking.quotes.models import QuoteCart, QuoteLine, QuoteLineOffering
from order_taking.quotes.schemas import QuoteCartFilters, QuoteLineFilters
from order_taking.quotes.states import QuoteState


async def find_cart(
    db: AsyncSession,
    client_id: str,
    cart_id: str,
    *,
    with_lines: bool = False,
    for_update: bool = False,
) -> QuoteCart | None:
    query = select(QuoteCart).where(QuoteCart.id == cart_id, QuoteCart.client_id == client_id)
    if with_lines:
        # populate_existing: the lines are read afresh even if the cart was loaded before.
        query = query.options(selectinload(QuoteCart.lines)).execution_options(
            populate_existing=True
        )
    if for_update:
        query = query.with_for_update()
    return await db.scalar(query)


async def find_line(
    db: AsyncSession,
    client_id: str,
    line_id: str,
    *,
    cart_id: str | None = None,
    with_offerings: bool = False,
) -> QuoteLine | None:
    query = select(QuoteLine).where(QuoteLine.id == line_id, QuoteLine.client_id == client_id)
    if cart_id is not None:
        query = query.where(QuoteLine.quote_id == cart_id)
    if with_offerings:
        query = query.options(selectinload(QuoteLine.offerings))
    return await db.scalar(query)


async def list_carts(
    db: AsyncSession, client_id: str, filters: QuoteCartFilters
) -> tuple[list[QuoteCart], int]:
    cart = QuoteCart
    conditions = [
        cart.client_id == client_id,
        *equal(cart.state, filters.state),
        *equal(cart.external_id, filters.external_id),
        *equal(cart.project_id, filters.project_id),
        *date_range(cart.creation_date, filters.creation_date_gt, filters.creation_date_lt),
        *date_range(cart.quote_date, filters.quote_date_gt, filters.quote_date_lt),
    ]
    query: Select[Any] = select(cart).where(and_(*conditions))
    return await fetch_page(db, query, filters, [cart.creation_date.desc(), cart.id.desc()])


LINE_SORT_COLUMNS: dict[str, Any] = {
    "creation_date": QuoteLine.creation_date,
    "quote_date": QuoteLine.quote_date,
    "order_date": QuoteLine.quote_date,
    "reference": QuoteLine.reference,
    "state": QuoteLine.state,
    "customer_order_name": QuoteLine.customer_order_name,
    "end_customer_name": QuoteLine.end_customer_name,
    "business_sector": QuoteLine.business_sector,
    "expected_response_date": QuoteLine.expected_response_date,
}


def _quotes_offering(column: Any, value: str | None) -> list[Any]:
    """The line quotes at least one offering whose `column` is `value`."""
    if value is None:
        return []
    return [
        exists().where(QuoteLineOffering.quote_line_id == QuoteLine.id, column == value),
    ]


async def list_lines(
    db: AsyncSession, client_id: str, filters: QuoteLineFilters
) -> tuple[list[QuoteLine], int]:
    line = QuoteLine
    conditions = [
        line.client_id == client_id,
        *equal(line.reference, filters.reference),
        *equal(line.customer_order_name, filters.customer_order_name),
        *equal(line.end_customer_name, filters.end_customer_name),
        *equal(line.business_sector, filters.business_sector),
        *equal(line.project_id, filters.project_id),
        *equal(line.state, filters.state),
        *_quotes_offering(QuoteLineOffering.offer_family, filters.offer_family),
        *_quotes_offering(QuoteLineOffering.offer_technology, filters.technology_family),
        *date_range(line.creation_date, filters.creation_date_gt, filters.creation_date_lt),
        *contains(line.search_text, filters.search),
    ]
    query: Select[Any] = select(line).where(and_(*conditions))
    order = order_by(filters.sort or "-creation_date", LINE_SORT_COLUMNS, line.id)
    return await fetch_page(db, query, filters, order)


async def confirmed_lines(
    db: AsyncSession, client_line_ids: Collection[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which of these (client id, quote line id) pairs name a confirmed quote line of that client
    (an order may follow it)."""
    query = select(QuoteLine.client_id, QuoteLine.id).where(
        QuoteLine.id.in_({line_id for _, line_id in client_line_ids}),
        QuoteLine.state == QuoteState.CONFIRMED.value,
    )
    return {(client_id, line_id) for client_id, line_id in await db.execute(query)} & set(
        client_line_ids
    )
