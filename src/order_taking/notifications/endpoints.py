"""/api/v1/hub (a client's listeners) and /api/v1/event (its event feed): thin endpoints over
notifications.service and its repository."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from order_taking.clients.auth import CurrentClient
from order_taking.core.errors import NotFound, responses
from order_taking.core.fields import RequiredId
from order_taking.core.http import Transaction
from order_taking.core.settings import Settings
from order_taking.idempotency.routes import ClientIdempotentRoute
from order_taking.notifications import repository, service
from order_taking.notifications.schemas import (
    EventFilters,
    EventOut,
    EventPage,
    ListenerCreate,
    ListenerCreated,
    ListenerOut,
)

router = APIRouter(prefix="/api/v1", tags=["Notifications"], route_class=ClientIdempotentRoute)

ListenerId = Annotated[RequiredId, Path(description="Listener identifier (UUID)")]


@router.post(
    "/hub/",
    status_code=status.HTTP_201_CREATED,
    responses=responses(),
    summary="Register a listener: the changes of your orders and quotes are POSTed to it",
)
async def register_listener(
    db: Transaction, client: CurrentClient, data: ListenerCreate, request: Request
) -> ListenerCreated:
    settings: Settings = request.app.state.settings
    allow_private = settings.webhook_allow_private_networks
    listener = await service.register_listener(db, client, data, allow_private=allow_private)
    return ListenerCreated.of(listener)


@router.get("/hub/", responses=responses(), summary="List your listeners")
async def list_listeners(db: Transaction, client: CurrentClient) -> list[ListenerOut]:
    return [ListenerOut.of(listener) for listener in await repository.list_listeners(db, client.id)]


@router.get("/hub/{id}/", responses=responses(NotFound), summary="Listener detail (no secret)")
async def get_listener(db: Transaction, client: CurrentClient, id: ListenerId) -> ListenerOut:
    return ListenerOut.of(await service.get_listener(db, client, id))


@router.delete(
    "/hub/{id}/",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(NotFound),
    summary="Delete a listener: it gets nothing more",
)
async def delete_listener(db: Transaction, client: CurrentClient, id: ListenerId) -> Response:
    await service.delete_listener(db, client, id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/event/",
    responses=responses(),
    summary="Your events in the order they were recorded, page after page",
)
async def list_events(
    db: Transaction, client: CurrentClient, filters: Annotated[EventFilters, Query()]
) -> EventPage:
    rows = await repository.client_events(
        db,
        client.id,
        after=int(filters.after or 0),
        limit=filters.limit,
        event_type=filters.eventType,
        resource_id=filters.id,
    )
    return EventPage(
        items=[EventOut.of(row.body) for row in rows],
        next=str(rows[-1].position) if rows else filters.after,
    )
