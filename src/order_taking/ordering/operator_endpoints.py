"""/api/v1/operator: the staff's actions on created orders, with an operator's token only."""

from fastapi import APIRouter

from order_taking.clients.auth import CurrentOperator
from order_taking.core.errors import InvalidState, NotFound, responses
from order_taking.core.http import Transaction
from order_taking.idempotency.routes import OperatorIdempotentRoute
from order_taking.notifications.schemas import DeliveryOut
from order_taking.ordering import operator_service
from order_taking.ordering.operator_schemas import Cancellation
from order_taking.ordering.schemas import LineId, LineOut

router = APIRouter(
    prefix="/api/v1/operator",
    tags=["Operator actions (staff)"],
    route_class=OperatorIdempotentRoute,
)


@router.post(
    "/product_order_item/{item_id}/release/",
    responses=responses(NotFound, InvalidState),
    summary="Release an order held for ADV validation (→ in_progress)",
)
async def release_line(db: Transaction, operator: CurrentOperator, item_id: LineId) -> LineOut:
    return LineOut.of(await operator_service.release_line(db, operator, item_id))


@router.post(
    "/product_order_item/{item_id}/cancel/",
    responses=responses(NotFound, InvalidState),
    summary="Cancel an order (→ cancelled, with cancellation_date and cancellation_reason)",
)
async def cancel_line(
    db: Transaction, operator: CurrentOperator, item_id: LineId, data: Cancellation
) -> LineOut:
    return LineOut.of(await operator_service.cancel_line(db, operator, item_id, data.reason))


@router.post(
    "/product_order_item/{item_id}/complete/",
    responses=responses(NotFound, InvalidState),
    summary="Complete a delivered order (→ completed, with completion_date)",
)
async def complete_line(db: Transaction, operator: CurrentOperator, item_id: LineId) -> LineOut:
    return LineOut.of(await operator_service.complete_line(db, operator, item_id))


@router.get(
    "/product_order_item/{item_id}/notifications/",
    responses=responses(NotFound),
    summary="The notifications of a line's changes: each delivery, its attempts and what is next",
)
async def line_notifications(
    db: Transaction, _operator: CurrentOperator, item_id: LineId
) -> list[DeliveryOut]:
    return [DeliveryOut.of(r) for r in await operator_service.line_notifications(db, item_id)]
