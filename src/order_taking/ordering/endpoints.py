"""/api/v1/product_order and /api/v1/product_order_item: thin endpoints over ordering.service."""

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response, status

from order_taking.clients.auth import CurrentClient
from order_taking.core.errors import InvalidState, NotFound, responses
from order_taking.core.http import NoNullBody, Transaction
from order_taking.idempotency.routes import ClientIdempotentRoute, is_keyed
from order_taking.ordering import repository, service
from order_taking.ordering.schemas import (
    LineCreate,
    LineFields,
    LineFilters,
    LineId,
    LineOut,
    LinePage,
    LineSummary,
    SessionDetail,
    SessionFields,
    SessionFilters,
    SessionId,
    SessionOut,
)

router = APIRouter(
    prefix="/api/v1", tags=["Order sessions and lines"], route_class=ClientIdempotentRoute
)


@router.post(
    "/product_order/",
    status_code=status.HTTP_201_CREATED,
    responses=responses(),
    summary="Create an order session",
    dependencies=[NoNullBody],
)
async def create_session(
    db: Transaction,
    client: CurrentClient,
    data: Annotated[SessionFields | None, Body()] = None,
) -> SessionOut:
    return SessionOut.of(await service.create_session(db, client, data or SessionFields()))


@router.get(
    "/product_order/",
    responses=responses()
    | {
        200: {
            "headers": {
                "X-Total-Count": {
                    "description": "Sessions matching the filters, all pages",
                    "schema": {"type": "integer"},
                }
            }
        }
    },
    summary="List order sessions",
)
async def list_sessions(
    db: Transaction,
    client: CurrentClient,
    filters: Annotated[SessionFilters, Query()],
    response: Response,
) -> list[SessionOut]:
    sessions, total = await repository.list_sessions(db, client.id, filters)
    response.headers["X-Total-Count"] = str(total)
    return [SessionOut.of(s) for s in sessions]


@router.get("/product_order/{id}/", responses=responses(NotFound), summary="Order session detail")
async def get_session(db: Transaction, client: CurrentClient, id: SessionId) -> SessionDetail:
    return SessionDetail.of(await service.get_session(db, client, id))


@router.patch(
    "/product_order/{id}/",
    responses=responses(NotFound, InvalidState),
    summary="Update an order session",
)
async def update_session(
    db: Transaction, client: CurrentClient, id: SessionId, data: SessionFields
) -> SessionDetail:
    await service.update_session(db, client, id, data)
    return SessionDetail.of(await service.get_session(db, client, id))


@router.delete(
    "/product_order/{id}/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(NotFound, InvalidState),
    summary="Delete an order session and its lines",
)
async def delete_session(db: Transaction, client: CurrentClient, id: SessionId) -> Response:
    await service.delete_session(db, client, id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch(
    "/product_order/{id}/confirm/",
    responses=responses(NotFound, InvalidState),
    summary="Confirm the order session: its orders are then created by the back end",
)
async def confirm_session(
    db: Transaction, client: CurrentClient, id: SessionId, request: Request
) -> SessionDetail:
    wake_workers = request.app.state.work_signal.set
    return SessionDetail.of(await service.confirm_session(db, client, id, wake_workers))


@router.post(
    "/product_order/{id}/product_order_item/",
    status_code=status.HTTP_201_CREATED,
    responses=responses(NotFound, InvalidState),
    summary="Create an order line",
)
async def add_line(
    db: Transaction, client: CurrentClient, id: SessionId, data: LineCreate, request: Request
) -> LineOut:
    # The line is the request's only write, unless an Idempotency-Key must commit with it.
    alone = not is_keyed(request)
    return LineOut.of(await service.add_line(db, client, id, data, committed_alone=alone))


@router.patch(
    "/product_order/{id}/product_order_item/{item_id}/",
    responses=responses(NotFound, InvalidState),
    summary="Update an order line",
)
async def update_line(
    db: Transaction, client: CurrentClient, id: SessionId, item_id: LineId, data: LineFields
) -> LineOut:
    return LineOut.of(await service.update_line(db, client, id, item_id, data))


@router.delete(
    "/product_order/{id}/product_order_item/{item_id}/",
    responses=responses(NotFound, InvalidState),
    summary="Delete an order line; answers the session's detail",
)
async def delete_line(
    db: Transaction, client: CurrentClient, id: SessionId, item_id: LineId
) -> SessionDetail:
    return SessionDetail.of(await service.delete_line(db, client, id, item_id))


@router.get("/product_order_item/", responses=responses(), summary="List order lines")
async def list_lines(
    db: Transaction, client: CurrentClient, filters: Annotated[LineFilters, Query()]
) -> LinePage:
    lines, total = await repository.list_lines(db, client.id, filters)
    return LinePage(count=total, items=LineSummary.page_of(lines))


@router.get(
    "/product_order_item/{item_id}/", responses=responses(NotFound), summary="Order line detail"
)
async def get_line(db: Transaction, client: CurrentClient, item_id: LineId) -> LineOut:
    return LineOut.of(await service.get_line(db, client, item_id))
