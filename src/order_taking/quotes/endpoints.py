"""/api/v1/quote and /api/v1/quote_item: thin endpoints over quotes.service."""

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from order_taking.clients.auth import CurrentClient
from order_taking.core.errors import (
    InvalidState,
    NotFound,
    responses,
)
from order_taking.core.http import NoNullBody, Transaction
from order_taking.idempotency.routes import ClientIdempotentRoute
from order_taking.quotes import repository, service
from order_taking.quotes.schemas import (
    CartId,
    QuoteCartDetail,
    QuoteCartFields,
    QuoteCartFilters,
    QuoteCartOut,
    QuoteLineCreate,
    QuoteLineFields,
    QuoteLineFilters,
    QuoteLineId,
    QuoteLineOut,
    QuoteLinePage,
    QuoteLineSummary,
)

router = APIRouter(prefix="/api/v1", tags=["Quotes"], route_class=ClientIdempotentRoute)


@router.post(
    "/quote/",
    status_code=status.HTTP_201_CREATED,
    responses=responses(),
    summary="Create a quote cart",
    dependencies=[NoNullBody],
)
async def create_cart(
    db: Transaction,
    client: CurrentClient,
    data: Annotated[QuoteCartFields | None, Body()] = None,
) -> QuoteCartOut:
    return QuoteCartOut.of(await service.create_cart(db, client, data or QuoteCartFields()))


@router.get(
    "/quote/",
    responses=responses(),
    summary="List quote carts",
    description="A JSON array, newest first; `X-Total-Count` holds the number of carts matching.",
)
async def list_carts(
    db: Transaction,
    client: CurrentClient,
    filters: Annotated[QuoteCartFilters, Query()],
    response: Response,
) -> list[QuoteCartOut]:
    carts, total = await repository.list_carts(db, client.id, filters)
    response.headers["X-Total-Count"] = str(total)
    return [QuoteCartOut.of(cart) for cart in carts]


@router.get("/quote/{id}/", responses=responses(NotFound), summary="Quote cart detail")
async def get_cart(db: Transaction, client: CurrentClient, id: CartId) -> QuoteCartDetail:
    return QuoteCartDetail.of(await service.get_cart(db, client, id))


@router.patch(
    "/quote/{id}/",
    responses=responses(NotFound, InvalidState),
    summary="Update a quote cart",
)
async def update_cart(
    db: Transaction, client: CurrentClient, id: CartId, data: QuoteCartFields
) -> QuoteCartDetail:
    return QuoteCartDetail.of(await service.update_cart(db, client, id, data))


@router.patch(
    "/quote/{id}/confirm/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(NotFound, InvalidState),
    summary="Confirm a quote cart: the cart and its lines become confirmed",
    description="409 if the cart is already confirmed or has no quote line.",
)
async def confirm_cart(db: Transaction, client: CurrentClient, id: CartId) -> Response:
    await service.confirm_cart(db, client, id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/quote/{quote_id}/quote_item/",
    status_code=status.HTTP_201_CREATED,
    responses=responses(NotFound, InvalidState),
    summary="Add a quote line",
    description="422 `unknown_eligibility`, `unknown_offering`, `offer_not_eligible` or "
    "`unknown_option` when the line names what the catalog does not offer.",
)
async def add_line(
    db: Transaction, client: CurrentClient, quote_id: CartId, data: QuoteLineCreate
) -> QuoteLineOut:
    return QuoteLineOut.of(await service.add_line(db, client, quote_id, data))


@router.patch(
    "/quote/{quote_id}/quote_item/{quote_item_id}/",
    responses=responses(NotFound, InvalidState),
    summary="Update a quote line; answers the cart's detail",
    description="Only the fields sent change; the line as it will then be is checked against "
    "the catalog as on creation.",
)
async def update_line(
    db: Transaction,
    client: CurrentClient,
    quote_id: CartId,
    quote_item_id: QuoteLineId,
    data: QuoteLineFields,
) -> QuoteCartDetail:
    return QuoteCartDetail.of(await service.update_line(db, client, quote_id, quote_item_id, data))


@router.delete(
    "/quote/{quote_id}/quote_item/{quote_item_id}/",
    responses=responses(NotFound, InvalidState),
    summary="Delete a quote line; answers the cart's detail",
)
async def delete_line(
    db: Transaction, client: CurrentClient, quote_id: CartId, quote_item_id: QuoteLineId
) -> QuoteCartDetail:
    return QuoteCartDetail.of(await service.delete_line(db, client, quote_id, quote_item_id))


@router.get("/quote_item/", responses=responses(), summary="List quote lines")
async def list_lines(
    db: Transaction, client: CurrentClient, filters: Annotated[QuoteLineFilters, Query()]
) -> QuoteLinePage:
    lines, total = await repository.list_lines(db, client.id, filters)
    return QuoteLinePage(count=total, items=[QuoteLineSummary.of(line) for line in lines])


@router.get("/quote_item/{id}/", responses=responses(NotFound), summary="Quote line detail")
async def get_line(db: Transaction, client: CurrentClient, id: QuoteLineId) -> QuoteLineOut:
    return QuoteLineOut.of(await service.get_line(db, client, id))
