"""Every query on events, listeners and deliveries."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from order_taking.notifications.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Event,
    Listener,
    ListenerState,
)

# --- the hub ---


async def find_listener(db: AsyncSession, client_id: str, listener_id: str) -> Listener | None:
    query = select(Listener).where(Listener.id == listener_id, Listener.client_id == client_id)
    return await db.scalar(query)


async def list_listeners(db: AsyncSession, client_id: str) -> Sequence[Listener]:
    query = (
        select(Listener)
        .where(Listener.client_id == client_id)
        .order_by(Listener.creation_date, Listener.id)
    )
    return (await db.scalars(query)).all()


# --- the feed ---


async def client_events(
    db: AsyncSession,
    client_id: str,
    *,
    after: int,
    limit: int,
    event_type: str | None,
    resource_id: str | None,
) -> Sequence[Row[tuple[int, dict[str, Any]]]]:
    """The client's relayed events after position `after`, in position order."""
    query = select(Event.position, Event.body).where(
        Event.client_id == client_id, Event.position.is_not(None), Event.position > after
    )
    if event_type:
        query = query.where(Event.event_type == event_type)
    if resource_id:
        query = query.where(Event.resource_id == resource_id)
    rows = await db.execute(query.order_by(Event.position).limit(limit))
    return rows.all()


# --- the relay: committed events get their position and their deliveries ---


async def take_relay_turn(db: AsyncSession) -> bool:
    """Whether this transaction relays: one relay at a time on PostgreSQL (a transaction-scoped
    advisory lock, skipped if another holds it); SQLite's BEGIN IMMEDIATE serializes anyway."""
    if db.get_bind().dialect.name != "postgresql":
        return True
    return bool(await db.scalar(select(func.pg_try_advisory_xact_lock(RELAY_LOCK))))


# An arbitrary number naming the relay's advisory lock.
RELAY_LOCK = 0x6F745F6576


async def unrelayed_events(
    db: AsyncSession, limit: int
) -> Sequence[Row[tuple[int, str, str, str]]]:
    query = (
        select(Event.seq, Event.client_id, Event.event_type, Event.resource_id)
        .where(Event.position.is_(None))
        .order_by(Event.seq)
        .limit(limit)
    )
    return (await db.execute(query)).all()  # type: ignore[return-value]


async def last_position(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.coalesce(func.max(Event.position), 0))) or 0)


async def set_positions(db: AsyncSession, positions: dict[int, int]) -> None:
    await db.execute(
        update(Event),
        [{"seq": seq, "position": position} for seq, position in positions.items()],
    )


async def enabled_listeners(
    db: AsyncSession, client_ids: Sequence[str]
) -> Sequence[Row[tuple[str, str, list[str]]]]:
    query = select(Listener.id, Listener.client_id, Listener.event_types).where(
        Listener.client_id.in_(client_ids), Listener.state == ListenerState.ENABLED
    )
    return (await db.execute(query)).all()  # type: ignore[return-value]


async def add_deliveries(db: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await db.execute(insert(Delivery), rows)


# --- the delivery workers ---


@dataclass(frozen=True)
class DueDelivery:
    id: str
    attempts: int
    body: dict[str, Any]
    callback: str
    secret: str
    listener_id: str


async def lock_due_deliveries(db: AsyncSession, *, at: datetime, limit: int) -> Sequence[str]:
    """Ids of due deliveries, locked, skipping those another worker holds, and those that wait
    for an earlier delivery of the same resource to the same listener (events arrive in order)."""
    earlier = aliased(Delivery)
    query = (
        select(Delivery.id)
        .where(
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.next_attempt_date <= at,
            ~exists().where(
                and_(
                    earlier.listener_id == Delivery.listener_id,
                    earlier.resource_id == Delivery.resource_id,
                    earlier.position < Delivery.position,
                    earlier.status == DeliveryStatus.PENDING,
                )
            ),
        )
        .order_by(Delivery.next_attempt_date, Delivery.position)
        .limit(limit)
        .with_for_update(of=Delivery, skip_locked=True)
    )
    return (await db.scalars(query)).all()


async def mark_claimed(
    db: AsyncSession, ids: Sequence[str], *, token: str, worker: str, until: datetime
) -> None:
    await db.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids))
        .values(claim_token=token, claimed_by=worker, next_attempt_date=until)
        .execution_options(synchronize_session=False)
    )


async def claimed_deliveries(db: AsyncSession, ids: Sequence[str]) -> list[DueDelivery]:
    query = (
        select(
            Delivery.id,
            Delivery.attempts,
            Event.body,
            Listener.callback,
            Listener.secret,
            Listener.id.label("listener_id"),
        )
        .join(Event, Event.seq == Delivery.event_seq)
        .join(Listener, Listener.id == Delivery.listener_id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.position)
    )
    return [DueDelivery(**row._asdict()) for row in await db.execute(query)]


async def deliveries_still_claimed(db: AsyncSession, tokens: dict[str, str]) -> set[str]:
    """Which of these deliveries (id → claim token) are still held by that claim, locked."""
    query = (
        select(Delivery.id, Delivery.claim_token).where(Delivery.id.in_(tokens)).with_for_update()
    )
    return {row.id for row in await db.execute(query) if tokens[row.id] == row.claim_token}


async def update_deliveries(db: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Bulk UPDATE by primary key: each dict holds `id` and the values to set."""
    if rows:
        await db.execute(update(Delivery), rows)


async def add_attempts(db: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await db.execute(insert(DeliveryAttempt), rows)


async def mark_listeners_healthy(db: AsyncSession, ids: Collection[str]) -> None:
    """An attempt succeeded: these listeners are no longer failing (rows already healthy are
    left alone, so a busy listener's row is not locked by every batch)."""
    if ids:
        await db.execute(
            update(Listener)
            .where(Listener.id.in_(ids), Listener.failing_since.is_not(None))
            .values(failing_since=None)
            .execution_options(synchronize_session=False)
        )


async def mark_listeners_failing(db: AsyncSession, ids: Collection[str], *, at: datetime) -> None:
    if ids:
        await db.execute(
            update(Listener)
            .where(Listener.id.in_(ids), Listener.failing_since.is_(None))
            .values(failing_since=at)
            .execution_options(synchronize_session=False)
        )


async def disable_failing_listeners(
    db: AsyncSession, ids: Sequence[str], *, failing_before: datetime, at: datetime
) -> Sequence[str]:
    """Disables those of these listeners failing since before `failing_before`: their ids."""
    query = (
        update(Listener)
        .where(
            Listener.id.in_(ids),
            Listener.state == ListenerState.ENABLED,
            Listener.failing_since <= failing_before,
        )
        .values(state=ListenerState.DISABLED.value, disabled_date=at)
        .returning(Listener.id)
        .execution_options(synchronize_session=False)
    )
    return (await db.scalars(query)).all()


async def fail_pending_deliveries(db: AsyncSession, listener_id: str, error: str) -> None:
    await db.execute(
        update(Delivery)
        .where(Delivery.listener_id == listener_id, Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.FAILED, error=error, claim_token=None)
        .execution_options(synchronize_session=False)
    )


async def purge_events(db: AsyncSession, before: datetime) -> int:
    """Deletes the events recorded before `before` (their deliveries go with them)."""
    old = select(Event.seq).where(Event.event_time < before, Event.position.is_not(None))
    await db.execute(delete(Delivery).where(Delivery.event_seq.in_(old)))
    result = await db.execute(delete(Event).where(Event.seq.in_(old)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- what the operator's staff see ---


@dataclass(frozen=True)
class DeliveryRecord:
    """One event to one listener, with every attempt, for the back office."""

    delivery: Delivery
    event_type: str
    event_id: str
    event_time: datetime
    callback: str
    attempts: list[DeliveryAttempt]


async def deliveries_for_resource(db: AsyncSession, resource_id: str) -> list[DeliveryRecord]:
    """The notifications of one line (or session, or quote cart), oldest event first."""
    query = (
        select(Delivery, Event.event_type, Event.event_id, Event.event_time, Listener.callback)
        .join(Event, Event.seq == Delivery.event_seq)
        .join(Listener, Listener.id == Delivery.listener_id)
        .where(Delivery.resource_id == resource_id)
        .order_by(Delivery.position, Listener.id)
    )
    rows = (await db.execute(query)).all()
    attempts_query = (
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id.in_([row.Delivery.id for row in rows]))
        .order_by(DeliveryAttempt.delivery_id, DeliveryAttempt.number)
    )
    attempts: dict[str, list[DeliveryAttempt]] = {}
    for attempt in (await db.scalars(attempts_query)).all():
        attempts.setdefault(attempt.delivery_id, []).append(attempt)
    return [
        DeliveryRecord(
            delivery=row.Delivery,
            event_type=row.event_type,
            event_id=row.event_id,
            event_time=row.event_time,
            callback=row.callback,
            attempts=attempts.get(row.Delivery.id, []),
        )
        for row in rows
    ]


async def deliveries_for_line(db: AsyncSession, line_id: str) -> list[DeliveryRecord]:
    """What the back office shows under a line's history: its events' deliveries and attempts."""
    return await deliveries_for_resource(db, line_id)
