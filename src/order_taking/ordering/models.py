from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from order_taking.core.columns import Json, id_column, text_field
from order_taking.core.database import Base
from order_taking.core.time import UtcDateTime, now
from order_taking.ordering.states import LineState, SessionState


class OrderSession(Base):
    """A client's cart of order lines, confirmed as a whole."""

    __tablename__ = "order_sessions"
    __table_args__ = (
        Index(None, "client_id", "creation_date"),
        Index(None, "client_id", "state"),
        Index(None, "client_id", "external_id"),
        Index(None, "client_id", "project_id"),
        Index(None, "client_id", "order_date"),
        Index(None, "client_id", "completion_date"),
        Index(None, "client_id", "cancellation_date"),
    )

    id: Mapped[str] = id_column()
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    external_id: Mapped[str] = text_field()
    project_id: Mapped[str] = text_field()
    state: Mapped[str] = mapped_column(String(32), default=SessionState.CREATED.value)
    creation_date: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    order_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    completion_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    cancellation_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Each move with who made it; not in the API, which documents none for a session.
    state_change: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)

    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="session",
        lazy="raise",
        order_by="OrderLine.creation_date, OrderLine.id",
        passive_deletes=True,
    )


class OrderLine(Base):
    """One order of one product offering at one address: a draft until its session is confirmed."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("vlan_reference BETWEEN 1 AND 4094", name="vlan_range"),
        Index(None, "session_id", "creation_date"),
        Index(None, "client_id", "state", "creation_date"),
        # One index per sort of the line list, ending with its tie breaker (the id): a page is
        # then read in index order, even where many lines share a value (a state, an empty date).
        *(
            Index(None, "client_id", column, "id")
            for column in (
                "creation_date",
                "order_date",
                "expiration_date",
                "completion_date",
                "scheduled_delivery_date",
                "order_reference",
                "state",
                "customer_order_name",
                "end_customer_name",
                "external_id",
            )
        ),
        Index(None, "quote_item_id"),
        # The back office, across clients: the newest lines (and their states, counted from the
        # index alone), the ADV queue oldest first, and the lines rejected of late.
        Index(None, "creation_date", "id", "state"),
        Index(None, "state", "order_date", "id"),
        Index(None, "state", "completion_date"),
    )

    id: Mapped[str] = id_column()
    session_id: Mapped[str] = mapped_column(ForeignKey("order_sessions.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    order_reference: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(32), default=LineState.CREATED.value)

    end_customer_name: Mapped[str] = text_field()
    external_id: Mapped[str] = text_field()
    option_ids: Mapped[list[str]] = mapped_column(Json, default=list)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    technical_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    product_offering_id: Mapped[str] = text_field(64)
    product_offering_qualification_item_id: Mapped[str] = text_field(64)
    project_id: Mapped[str] = text_field()
    quote_item_id: Mapped[str] = text_field(64)
    delivery_mode: Mapped[str] = text_field()
    enni: Mapped[str] = text_field(64)
    enni_2: Mapped[str] = text_field(64)
    vlan_reference: Mapped[int | None] = mapped_column(Integer, nullable=True)
    customer_order_name: Mapped[str] = text_field()
    business_code: Mapped[str] = text_field()
    billing_site_ref: Mapped[str] = text_field()
    related_contact_information: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    siret_known: Mapped[bool] = mapped_column(Boolean, default=False)
    additional_vlan_reference: Mapped[str] = text_field(64)
    offer_family: Mapped[str] = text_field(64)
    offer_technology: Mapped[str] = text_field(64)
    specific_request: Mapped[str] = mapped_column(Text, default="", server_default="")
    access_instructions: Mapped[str] = mapped_column(Text, default="", server_default="")
    scheduled_delivery_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    cpe_networking_number: Mapped[str] = text_field(64)
    cpe_serial_number: Mapped[str] = text_field(64)
    building_ref: Mapped[str] = text_field(64)

    creation_date: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    expiration_date: Mapped[date] = mapped_column(Date)
    order_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    completion_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    cancellation_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    cancellation_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    state_change: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    termination_error: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    # The back end's own id of the created order; empty until the order exists.
    backend_order_id: Mapped[str] = text_field(128)
    # Lower-cased references, names, external id and address: what `search` looks in.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    session: Mapped[OrderSession] = relationship(back_populates="lines", lazy="raise")


class LineCount(Base):
    """How many lines a client has, kept by the database's triggers (migration 0011) as lines are
    written: the unfiltered line list's count, without walking the lines. A client's count is the
    sum of its rows, one per shard of the writing connections (PostgreSQL; one row on SQLite)."""

    __tablename__ = "line_counts"

    client_id: Mapped[str] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    lines: Mapped[int] = mapped_column(BigInteger)
