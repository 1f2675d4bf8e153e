from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from order_taking.core.columns import Json, id_column, text_field
from order_taking.core.database import Base
from order_taking.core.time import UtcDateTime, now
from order_taking.quotes.states import QuoteState


class QuoteCart(Base):
    __tablename__ = "quote_carts"
    __table_args__ = (
        Index(None, "client_id", "creation_date"),
        Index(None, "client_id", "state"),
        Index(None, "client_id", "external_id"),
        Index(None, "client_id", "project_id"),
        Index(None, "client_id", "quote_date"),
    )

    id: Mapped[str] = id_column()
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    external_id: Mapped[str] = text_field()
    project_id: Mapped[str] = text_field()
    state: Mapped[str] = mapped_column(String(32), default=QuoteState.CREATED.value)
    creation_date: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    quote_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Each move with who made it; not in the API.
    state_change: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)

    lines: Mapped[list["QuoteLine"]] = relationship(
        back_populates="cart",
        lazy="raise",
        order_by="QuoteLine.creation_date, QuoteLine.id",
        passive_deletes=True,
    )


class QuoteLine(Base):
    __tablename__ = "quote_lines"
    __table_args__ = (
        Index(None, "quote_id", "creation_date"),
        Index(None, "client_id", "creation_date"),
        Index(None, "client_id", "state", "creation_date"),
        Index(None, "client_id", "customer_order_name"),
        Index(None, "client_id", "end_customer_name"),
        Index(None, "client_id", "business_sector"),
        Index(None, "client_id", "project_id"),
    )

    id: Mapped[str] = id_column()
    quote_id: Mapped[str] = mapped_column(ForeignKey("quote_carts.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(32), default=QuoteState.CREATED.value)

    product_offering_qualification_item_id: Mapped[str] = text_field(64)
    product_offerings: Mapped[list[str]] = mapped_column(Json, default=list)
    end_customer_name: Mapped[str] = text_field()
    external_id: Mapped[str] = text_field()
    site_connection_type: Mapped[str] = text_field()
    business_sector: Mapped[str] = text_field()
    expected_response_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    option_ids: Mapped[list[str]] = mapped_column(Json, default=list)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    technical_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    project_id: Mapped[str] = text_field()
    customer_order_name: Mapped[str] = text_field()
    business_code: Mapped[str] = text_field()
    related_contact_information: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)

    # The eligibility item's site as it was when the line was written: a quote keeps what it was
    # quoted for, whatever later catalogs say.
    site_street_number: Mapped[str] = text_field(32)
    site_street_name: Mapped[str] = text_field()
    site_postcode: Mapped[str] = text_field(16)
    site_city: Mapped[str] = text_field()
    site_insee_code: Mapped[str] = text_field(16)
    site_latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    site_longitude: Mapped[float | None] = mapped_column(Float, nullable=True)

    creation_date: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    quote_date: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Each move with who made it; not in the API.
    state_change: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    cart: Mapped[QuoteCart] = relationship(back_populates="lines", lazy="raise")
    offerings: Mapped[list["QuoteLineOffering"]] = relationship(
        lazy="raise",
        order_by="QuoteLineOffering.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class QuoteLineOffering(Base):
    """One of a quote line's offerings with its catalog family and technology, for the filters."""

    __tablename__ = "quote_line_offerings"
    __table_args__ = (
        Index(None, "offer_family", "quote_line_id"),
        Index(None, "offer_technology", "quote_line_id"),
    )

    quote_line_id: Mapped[str] = mapped_column(
        ForeignKey("quote_lines.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    offering_id: Mapped[str] = mapped_column(String(64))
    offer_family: Mapped[str] = text_field(64)
    offer_technology: Mapped[str] = text_field(64)
