"""Request and response bodies of the hub and the event feed."""

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from order_taking.core.errors import ErrorEntry
from order_taking.core.fields import StorableText
from order_taking.core.schemas import ApiDateTime
from order_taking.notifications.models import DeliveryStatus, EventType, Listener
from order_taking.notifications.repository import DeliveryRecord


def event_types_of(query: str) -> list[str]:
    """`eventType=A,B` → `["A", "B"]`; an empty query is every type (`[]`)."""
    query = query.strip()
    if not query:
        return []
    name, _, value = query.partition("=")
    if name.strip() != "eventType" or not value.strip():
        raise ValueError("the query must be eventType=<type>[,<type>...]")
    types = [t.strip() for t in value.split(",") if t.strip()]
    unknown = [t for t in types if t not in set(EventType)]
    if unknown:
        raise ValueError(f"unknown event type(s) {', '.join(unknown)}: one of {list(EventType)}")
    return types


class ListenerCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    callback: Annotated[str, StringConstraints(min_length=1, max_length=2000), StorableText()] = (
        Field(description="Where the events are POSTed: an https URL to a public address")
    )
    query: Annotated[str, StringConstraints(max_length=255), StorableText()] = Field(
        "", description="`eventType=A,B` for some types only; empty: every type"
    )

    @field_validator("query")
    @classmethod
    def _known_types(cls, value: str) -> str:
        event_types_of(value)
        return value


class ListenerOut(BaseModel):
    id: str = Field(description="Listener id")
    callback: str = Field(description="Where the events are POSTed")
    query: str = Field(description="Which event types it gets; empty: every type")
    state: str = Field(
        description="`enabled`, or `disabled` once its deliveries all failed for 5 days"
    )
    creation_date: ApiDateTime = Field(description="When it was registered")
    disabled_date: ApiDateTime | None = Field(description="When it was disabled")

    @classmethod
    def of(cls, listener: Listener) -> Self:
        return cls.model_validate(listener, from_attributes=True)


class ListenerCreated(ListenerOut):
    secret: str = Field(
        description="`whsec_` + base64 key that signs every delivery (Standard Webhooks): "
        "shown this once"
    )

    @classmethod
    def of(cls, listener: Listener) -> Self:
        return cls.model_validate(listener, from_attributes=True)


class EventDetails(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(description="The resource's id")
    href: str = Field(description="The resource's path in this API")
    state: str = Field(description="The resource's state after the change")
    product_order_id: str | None = Field(None, description="Lines: their session's id")
    order_reference: str | None = Field(None, description="Lines: their order reference")
    termination_error: list[ErrorEntry] | None = Field(
        None, description="Lines rejected: why the order was not created"
    )
    attributes: list[str] | None = Field(
        None, description="Attribute value changes: the fields the back end set"
    )


class EventOut(BaseModel):
    eventId: str = Field(description="Event id (UUID): the `webhook-id` of its deliveries")
    eventTime: str = Field(description="When the change happened")
    eventType: EventType = Field(description="What changed")
    event: EventDetails

    @classmethod
    def of(cls, body: dict[str, Any]) -> Self:
        return cls.model_validate(body)


class EventPage(BaseModel):
    items: list[EventOut] = Field(description="The events, in the order they were recorded")
    next: str = Field(description="Cursor to pass as `after` for the next page")


class EventFilters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    after: Annotated[str, StringConstraints(pattern=r"^[0-9]{0,18}$")] = Field(
        "", description="Cursor: events after this one (`next` of the previous page)"
    )
    limit: int = Field(100, ge=1, le=1000, description="At most this many events, 1..1000")
    eventType: EventType | None = Field(None, description="Events of this type only")
    id: Annotated[str | None, StringConstraints(max_length=64), StorableText()] = Field(
        None, description="Events of this resource (session, line, quote cart) only"
    )


class AttemptOut(BaseModel):
    number: int = Field(description="1 for the first POST")
    attempt_date: ApiDateTime = Field(description="When the POST ended")
    response_code: int | None = Field(description="The HTTP status answered; none if no answer")
    error: str = Field(description="Why it failed; empty when delivered")
    duration_ms: int = Field(description="How long the POST took")


class DeliveryOut(BaseModel):
    """One event to one listener, as the operator's staff follow it."""

    id: str = Field(description="Delivery id")
    event_id: str = Field(description="The event's id (its `webhook-id`)")
    event_type: str = Field(description="The event's type")
    event_time: ApiDateTime = Field(description="When the change happened")
    listener_id: str = Field(description="The listener it goes to")
    callback: str = Field(description="The listener's callback")
    status: str = Field(description="`pending`, `delivered` or `failed`")
    response_code: int | None = Field(description="The last attempt's HTTP status")
    error: str = Field(description="The last attempt's error")
    next_attempt_date: ApiDateTime | None = Field(description="When it is tried next, if pending")
    delivered_date: ApiDateTime | None = Field(description="When it was delivered")
    attempts: list[AttemptOut] = Field(description="Every POST, oldest first")

    @classmethod
    def of(cls, record: DeliveryRecord) -> Self:
        delivery = record.delivery
        return cls(
            id=delivery.id,
            event_id=record.event_id,
            event_type=record.event_type,
            event_time=record.event_time,
            listener_id=delivery.listener_id,
            callback=record.callback,
            status=delivery.status,
            response_code=delivery.response_code,
            error=delivery.error,
            next_attempt_date=(
                delivery.next_attempt_date if delivery.status == DeliveryStatus.PENDING else None
            ),
            delivered_date=delivery.delivered_date,
            attempts=[AttemptOut.model_validate(a, from_attributes=True) for a in record.attempts],
        )
