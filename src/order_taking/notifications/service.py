"""The outbox, the hub and the deliveries' bookkeeping. Services flush, never commit.

Events are recorded in the transaction of the change they tell (`record_event`). A relay then
numbers the committed ones (`position`: the feed's order) and writes one delivery per matching
listener; workers claim due deliveries, POST them, and record each attempt (`record_attempts`).
"""

import asyncio
import base64
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.clients.service import ClientIdentity
from order_taking.core.columns import new_id
from order_taking.core.database import after_commit
from order_taking.core.errors import ErrorEntry, NotFound, ValidationFailed, render_value
from order_taking.core.time import render_datetime
from order_taking.notifications import repository
from order_taking.notifications.addresses import (
    CallbackRefused,
    CallbackUnresolved,
    check_callback,
    resolve,
)
from order_taking.notifications.models import (
    DeliveryStatus,
    Event,
    EventType,
    Listener,
    ListenerState,
)
from order_taking.notifications.repository import DueDelivery
from order_taking.notifications.schemas import ListenerCreate, event_types_of

# After each failed attempt, the next one comes this much later; after the last, it failed.
RETRY_SCHEDULE = tuple(
    timedelta(seconds=s) for s in (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
)
# A listener none of whose deliveries succeeded for this long is disabled.
DISABLE_AFTER = timedelta(days=5)
# How long registration waits for the callback's name to resolve before accepting it unchecked
# (it is checked again before every delivery).
RESOLVE_SECONDS = 2.0

# Set when a transaction that recorded events has committed: wakes this process's delivery worker.
events_recorded = asyncio.Event()


def _wake_delivery_worker() -> None:
    events_recorded.set()


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
    if not db.info.get("wakes_delivery_worker"):
        db.info["wakes_delivery_worker"] = True
        after_commit(db, _wake_delivery_worker)


# --- the hub ---


def new_secret() -> str:
    """`whsec_` + base64 of 32 random bytes, as Standard Webhooks secrets are written."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))


def _refused(callback: str, error: CallbackRefused) -> ValidationFailed:
    return ValidationFailed(
        f"The callback is refused: {error}.",
        [
            ErrorEntry(
                code="invalid_callback", property_path="callback", value=render_value(callback)
            )
        ],
    )


async def register_listener(
    db: AsyncSession, client: ClientIdentity, data: ListenerCreate, *, allow_private: bool
) -> Listener:
    try:
        host, port = check_callback(data.callback, allow_private=allow_private)
        async with asyncio.timeout(RESOLVE_SECONDS):
            await resolve(host, port, allow_private=allow_private)
    except (CallbackUnresolved, TimeoutError):
        pass  # checked again before every delivery
    except CallbackRefused as error:
        raise _refused(data.callback, error) from None
    listener = Listener(
        client_id=client.id,
        callback=data.callback,
        query=data.query,
        event_types=event_types_of(data.query),
        secret=new_secret(),
        state=ListenerState.ENABLED.value,
    )
    db.add(listener)
    await db.flush()
    return listener


async def get_listener(db: AsyncSession, client: ClientIdentity, listener_id: str) -> Listener:
    listener = await repository.find_listener(db, client.id, listener_id)
    if listener is None:
        raise NotFound(f"No listener {listener_id}.")
    return listener


async def delete_listener(db: AsyncSession, client: ClientIdentity, listener_id: str) -> None:
    await db.delete(await get_listener(db, client, listener_id))
    await db.flush()


# --- the relay ---


async def relay_events(db: AsyncSession, *, at: datetime, limit: int) -> int:
    """Numbers committed events in the order this relay sees them, and writes their deliveries:
    how many events it relayed (0 if another relay holds the turn).

    Events of one resource are written under that resource's lock, so they commit, and are
    numbered, in the order they happened.
    """
    if not await repository.take_relay_turn(db):
        return 0
    events = await repository.unrelayed_events(db, limit)
    if not events:
        return 0
    first = await repository.last_position(db) + 1
    positions = {event.seq: first + i for i, event in enumerate(events)}
    await repository.set_positions(db, positions)
    listeners = defaultdict(list)
    for listener in await repository.enabled_listeners(db, list({e.client_id for e in events})):
        listeners[listener.client_id].append(listener)
    await repository.add_deliveries(
        db,
        [
            {
                "id": new_id(),
                "event_seq": event.seq,
                "listener_id": listener.id,
                "resource_id": event.resource_id,
                "position": positions[event.seq],
                "status": DeliveryStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_date": at,
                "error": "",
                "creation_date": at,
            }
            for event in events
            for listener in listeners[event.client_id]
            if not listener.event_types or event.event_type in listener.event_types
        ],
    )
    return len(events)


async def purge_events(db: AsyncSession, *, at: datetime, retention: timedelta) -> int:
    return await repository.purge_events(db, at - retention)


# --- the deliveries ---


@dataclass(frozen=True)
class Claim:
    """Deliveries this worker holds until `token` is replaced (the lease ended)."""

    token: str
    deliveries: list[DueDelivery]


async def claim_deliveries(
    db: AsyncSession, *, worker: str, at: datetime, lease: timedelta, limit: int
) -> Claim:
    ids = await repository.lock_due_deliveries(db, at=at, limit=limit)
    token = new_id()
    if not ids:
        return Claim(token, [])
    await repository.mark_claimed(db, ids, token=token, worker=worker, until=at + lease)
    return Claim(token, await repository.claimed_deliveries(db, ids))


@dataclass(frozen=True)
class AttemptResult:
    delivery: DueDelivery
    token: str
    at: datetime
    response_code: int | None
    error: str
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300


def _outcome(result: AttemptResult) -> dict[str, Any]:
    number = result.delivery.attempts + 1
    values: dict[str, Any] = {
        "id": result.delivery.id,
        "attempts": number,
        "response_code": result.response_code,
        "error": result.error,
        "claim_token": None,
        "claimed_by": None,
    }
    if result.delivered:
        return values | {"status": DeliveryStatus.DELIVERED.value, "delivered_date": result.at}
    if number > len(RETRY_SCHEDULE):
        return values | {"status": DeliveryStatus.FAILED.value}
    return values | {"next_attempt_date": result.at + RETRY_SCHEDULE[number - 1]}


async def record_attempts(db: AsyncSession, results: Sequence[AttemptResult]) -> int:
    """Records each attempt whose claim still holds (a later claim's attempt wins), moves its
    delivery on (delivered, due again on the schedule, or failed), and keeps each listener's
    health: a listener none of whose attempts succeeded for DISABLE_AFTER is disabled."""
    held = await repository.deliveries_still_claimed(db, {r.delivery.id: r.token for r in results})
    results = [r for r in results if r.delivery.id in held]
    await repository.update_deliveries(db, [_outcome(r) for r in results])
    await repository.add_attempts(
        db,
        [
            {
                "delivery_id": r.delivery.id,
                "number": r.delivery.attempts + 1,
                "attempt_date": r.at,
                "response_code": r.response_code,
                "error": r.error,
                "duration_ms": r.duration_ms,
            }
            for r in results
        ],
    )
    succeeded = {r.delivery.listener_id for r in results if r.delivered}
    failing = {r.delivery.listener_id: r.at for r in results if not r.delivered}
    for listener_id in succeeded:
        failing.pop(listener_id, None)
    await repository.mark_listeners_healthy(db, succeeded)
    if failing:
        at = max(failing.values())
        await repository.mark_listeners_failing(db, failing, at=at)
        for listener_id in await repository.disable_failing_listeners(
            db, list(failing), failing_before=at - DISABLE_AFTER, at=at
        ):
            await repository.fail_pending_deliveries(
                db, listener_id, "listener disabled: every delivery failed for 5 days"
            )
    return len(results)
