from sqlalchemy import Boolean, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from order_taking.core.columns import text_field
from order_taking.core.database import Base


class ProductOffering(Base):
    __tablename__ = "product_offerings"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = text_field()
    offer_family: Mapped[str] = text_field(64)
    offer_technology: Mapped[str] = text_field(64)
    # Orders of this offering wait for ADV's manual validation (held_adv_validation).
    manual_validation: Mapped[bool] = mapped_column(Boolean, default=False)


class ProductOption(Base):
    __tablename__ = "product_options"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = text_field()


class AllowedOption(Base):
    """An option that may be ordered with an offering."""

    __tablename__ = "allowed_options"

    offering_id: Mapped[str] = mapped_column(
        ForeignKey("product_offerings.id", ondelete="CASCADE"), primary_key=True
    )
    option_id: Mapped[str] = mapped_column(
        ForeignKey("product_options.id", ondelete="CASCADE"), primary_key=True
    )


class EligibilityItem(Base):
    """The result of an earlier check that offerings can be delivered at an address."""

    __tablename__ = "eligibility_items"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    street_number: Mapped[str] = text_field(32)
    street_name: Mapped[str] = text_field()
    postcode: Mapped[str] = text_field(16)
    city: Mapped[str] = text_field()
    insee_code: Mapped[str] = text_field(16)
    building_ref: Mapped[str] = text_field(64)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)


class EligibleOffering(Base):
    """An offering that can be delivered at an eligibility item's address."""

    __tablename__ = "eligible_offerings"

    eligibility_item_id: Mapped[str] = mapped_column(
        ForeignKey("eligibility_items.id", ondelete="CASCADE"), primary_key=True
    )
    offering_id: Mapped[str] = mapped_column(
        ForeignKey("product_offerings.id", ondelete="CASCADE"), primary_key=True
    )
