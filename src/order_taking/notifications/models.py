"""The outbox of state-change events, the clients' listeners, and the deliveries between them."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from order_taking.core.columns import Json, id_column, text_field
from order_taking.core.database import Base
from order_taking.core.time import UtcDateTime, now

# SQLite numbers rows only through an INTEGER primary key.
Sequence = BigInteger().with_variant(Integer(), "sqlite")


class EventType(StrEnum):
    """The names MEF LSO Sonata gives its notifications."""

    ORDER_STATE = "productOrderStateChangeEvent"  # a session moved
    ORDER_ITEM_STATE = "productOrderItemStateChangeEvent"  # a line moved
    ORDER_ITEM_ATTRIBUTES = "productOrderItemAttributeValueChangeEvent"  # the back end set fields
    QUOTE_STATE = "quoteStateChangeEvent"  # a quote cart moved


class ListenerState(StrEnum):
    ENABLED = "enabled"  # gets the events it asked for
    DISABLED = "disabled"  # every delivery failed for days: gets nothing more


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # to be sent, or sent and waiting for its retry
    DELIVERED = "delivered"  # a 2xx answer came back
    FAILED = "failed"  # every retry failed, or its listener was disabled


class Event(Base):
    """One recorded change, written in the transaction of the change itself (the outbox).

    `seq` numbers rows as they are written; `position` is given by the relay once the row is
    committed, in the order the relay sees them: the feed pages on it, so a transaction that
    commits late never slips behind a page already read.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index(None, "client_id", "position"),
        Index(None, "resource_id"),
        Index(None, "event_time"),
    )

    seq: Mapped[int] = mapped_column(Sequence, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(String(36))
    event_time: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    body: Mapped[dict[str, Any]] = mapped_column(Json)
    position: Mapped[int | None] = mapped_column(Sequence, nullable=True, unique=True)


class Listener(Base):
    """A client's callback URL, registered on the hub, with the event types it wants."""

    __tablename__ = "listeners"
    __table_args__ = (Index(None, "client_id", "creation_date"),)

    id: Mapped[str] = id_column()
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    callback: Mapped[str] = mapped_column(Text)
    query: Mapped[str] = text_field()
    # Empty: every type.
    event_types: Mapped[list[str]] = mapped_column(Json, default=list)
    # `whsec_` + base64 of the key: kept to sign, shown once.
    secret: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16), default=ListenerState.ENABLED.value)
    creation_date: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    # Since when every attempt failed; None once one succeeds.
    failing_since: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    disabled_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Delivery(Base):
    """One event to one listener: claimed by the workers like the order-creation jobs (a lease
    pushes `next_attempt_date`), retried on the schedule until delivered or failed."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index(None, "status", "next_attempt_date"),
        # Per listener and resource, in event order: what an earlier, undone delivery blocks.
        Index(None, "listener_id", "resource_id", "position"),
        Index(None, "event_seq"),
    )

    id: Mapped[str] = id_column()
    event_seq: Mapped[int] = mapped_column(ForeignKey("events.seq", ondelete="CASCADE"))
    listener_id: Mapped[str] = mapped_column(ForeignKey("listeners.id", ondelete="CASCADE"))
    resource_id: Mapped[str] = mapped_column(String(36))
    position: Mapped[int] = mapped_column(Sequence)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_date: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    claim_token: Mapped[str | None] = mapped_column(String(36), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    response_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="", server_default="")
    delivered_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    creation_date: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class DeliveryAttempt(Base):
    """One POST of a delivery and what came of it, for the operator's staff."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(Sequence, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("deliveries.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    attempt_date: Mapped[datetime] = mapped_column(UtcDateTime)
    response_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="", server_default="")
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
