"""The outbox and the hub: events recorded in the caller's transaction, listeners registered by
clients. Services flush, never commit."""

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.core.columns import new_id
from order_taking.core.time import render_datetime
from order_taking.notifications.models import Event, EventType


def record_event(
    db: AsyncSession,
    *,
    client_id: str,
    event_type: EventType,
    resource_id: str,
    href: str,
    at: datetime,
    details: dict[str, Any],
) -> None:
    """Adds the event of a change to the caller's transaction: committed with it, or not at all.

    The row is written at the caller's next flush, with the change itself.
    """
    event_id = new_id()
    body = {
        "eventId": event_id,
        "eventTime": render_datetime(at),
        "eventType": event_type.value,
        "event": {"id": resource_id, "href": href, **details},
    }
    db.add(
        Event(
            event_id=event_id,
            client_id=client_id,
            event_type=event_type.value,
            resource_id=resource_id,
            event_time=at,
            body=body,
        )
    )
