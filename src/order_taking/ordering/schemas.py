"""Bodies and responses of the order session and order line endpoints."""

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Self

from fastapi import Path
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, TypeAdapter, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import Row

from order_taking.core.errors import ErrorEntry
from order_taking.core.fields import (
    AlsoNull,
    Code,
    Flag,
    IdList,
    IsoDate,
    LongText,
    Name,
    NullAsEmptyList,
    RequiredId,
    VlanId,
)
from order_taking.core.listing import (
    FilterDateTime,
    FilterText,
    Page,
    sort_choices,
    sort_validator,
)
from order_taking.core.schemas import ApiDateTime, StateChange
from order_taking.ordering.contacts import MAX_CONTACTS, ContactInformation
from order_taking.ordering.models import OrderLine, OrderSession
from order_taking.ordering.states import LineState, SessionState


class SessionFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    external_id: Name = Field("", description="External identifier for the request")
    project_id: Name = Field("", description="Associated project identifier")


# Fields the contract accepts under two names: sent under both, they must agree.
TWO_SPELLINGS = (("enni_2", "enni2"), ("cpe_networking_number", "cpe_network_number"))


class LineFields(BaseModel):
    """Every field of an order line; on update, only the fields sent are changed."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _spellings_agree(cls, data: Any) -> Any:
        if isinstance(data, dict):
            differing = [
                name
                for pair in TWO_SPELLINGS
                if all(name in data for name in pair) and data[pair[0]] != data[pair[1]]
                for name in pair
            ]
            if differing:
                raise PydanticCustomError(
                    "conflicting_values",
                    "{fields}: one field under two names with different values",
                    {"fields": differing},
                )
        return data

    end_customer_name: Name = Field("", description="End customer name")
    external_id: Name = Field("", description="External identifier for the request")
    option_ids: IdList = Field(
        default_factory=list, max_length=50, description='Option ids, e.g. ["2210"]'
    )
    note: LongText = Field("", description="Note associated with the order")
    technical_note: LongText = Field("", description="Technical note")
    product_offering_id: Code = Field("", description='Product offering id, e.g. "2173"')
    product_offering_qualification_item_id: Code = Field(
        "", description="Eligibility item id, from an earlier eligibility check"
    )
    project_id: Name = Field("", description="Associated project identifier")
    quote_item_id: Code = Field("", description="A confirmed quote line this order follows")
    delivery_mode: Name = Field("", description="Delivery mode")
    enni: Code = Field(
        "", description="ENNI (required at confirmation; computed by the system for DIA)"
    )
    enni_2: Code = Field(
        "",
        validation_alias=AliasChoices("enni_2", "enni2"),
        description="Secondary ENNI; also accepted as `enni2`",
    )
    vlan_reference: VlanId = Field(
        None, description="VLAN id 1..4094, as a number or a numeric string"
    )
    customer_order_name: Name = Field("", description="Customer order name")
    business_code: Name = Field("", description="Business code")
    billing_site_ref: Name = Field("", description="Billing site reference")
    related_contact_information: Annotated[
        list[ContactInformation], Field(max_length=MAX_CONTACTS), NullAsEmptyList, AlsoNull()
    ] = Field(
        default_factory=list,
        description="Site and contacts, at most 2 (the first is required at confirmation)",
    )
    siret_known: Flag = Field(False, description="Whether the SIRET is filled in")
    additional_vlan_reference: Code = Field("", description="Additional VLAN reference")
    offer_family: Code = Field("", description="Offer family, e.g. BPE")
    offer_technology: Code = Field("", description="Offer technology, e.g. FIBDE")
    specific_request: LongText = Field(
        "", description="Specific request; the order then waits for ADV's validation"
    )
    access_instructions: LongText = Field("", description="Access instructions")
    scheduled_delivery_date: IsoDate = Field(None, description="Scheduled delivery date")
    cpe_networking_number: Code = Field(
        "",
        validation_alias=AliasChoices("cpe_networking_number", "cpe_network_number"),
        description="CPE networking number (with option 7021); also accepted as "
        "`cpe_network_number`",
    )
    cpe_serial_number: Code = Field("", description="CPE serial number (with option 7021)")


class LineCreate(LineFields):
    product_offering_id: RequiredId = Field(description='Product offering id, e.g. "2173"')
    product_offering_qualification_item_id: RequiredId = Field(
        description="Eligibility item id, from an earlier eligibility check"
    )


class SessionOut(BaseModel):
    id: str = Field(description="Order session id (UUID)")
    external_id: str = Field(description="External identifier for the request")
    project_id: str = Field(description="Associated project identifier")
    state: SessionState = Field(description="Current state of the session")
    creation_date: ApiDateTime = Field(description="When the session was created")
    order_date: ApiDateTime | None = Field(description="When the session was confirmed")
    completion_date: ApiDateTime | None = Field(
        description="When every line of the confirmed session was answered"
    )
    cancellation_date: ApiDateTime | None = Field(description="When the session was cancelled")

    @classmethod
    def of(cls, session: OrderSession) -> Self:
        return cls.model_validate(session, from_attributes=True)


class LineOut(BaseModel):
    """The full order line."""

    id: str = Field(description="Order line id (UUID)")
    product_order_id: str = Field(description="Id of the order session")
    end_customer_name: str = Field(description="End customer name")
    external_id: str = Field(description="External identifier for the request")
    option_ids: list[str] = Field(description="Option ids")
    note: str = Field(description="Note associated with the order")
    technical_note: str = Field(description="Technical note")
    product_offering_id: str = Field(description="Product offering id")
    product_offering_qualification_item_id: str = Field(description="Eligibility item id")
    project_id: str = Field(description="Associated project identifier")
    quote_item_id: str = Field(description="The quote line this order follows, if any")
    delivery_mode: str = Field(description="Delivery mode")
    enni: str = Field(description="ENNI identifier")
    enni_2: str = Field(description="Secondary ENNI identifier")
    enni2: str = Field(description="Same as enni_2")
    vlan_reference: int | None = Field(description="VLAN id, 1..4094")
    customer_order_name: str = Field(description="Customer order name")
    business_code: str = Field(description="Business code")
    billing_site_ref: str = Field(description="Billing site reference")
    related_contact_information: list[ContactInformation] = Field(description="Site and contacts")
    siret_known: bool = Field(description="Whether the SIRET is filled in")
    additional_vlan_reference: str = Field(description="Additional VLAN reference")
    offer_family: str = Field(description="Offer family")
    offer_technology: str = Field(description="Offer technology")
    specific_request: str = Field(description="Specific request")
    access_instructions: str = Field(description="Access instructions")
    scheduled_delivery_date: date | None = Field(description="Scheduled delivery date")
    cpe_networking_number: str = Field(description="CPE networking number")
    cpe_network_number: str = Field(description="Same as cpe_networking_number")
    cpe_serial_number: str = Field(description="CPE serial number")
    building_ref: str = Field(description="Building reference, once the order is created")
    state: LineState = Field(description="Current state of the line")
    state_change: list[StateChange] = Field(description="State change history, oldest first")
    termination_error: list[ErrorEntry] = Field(
        description="Why the order could not be created (state rejected_creation)"
    )
    order_reference: str = Field(description="PO_<client>_<YYYYMMDD>_<counter>")
    temporary_reference: str = Field(description="Deprecated: same as order_reference")
    creation_date: ApiDateTime = Field(description="When the line was created")
    expiration_date: date = Field(description="Draft expiration date, creation + 90 days")
    order_date: ApiDateTime | None = Field(description="When the session was confirmed")
    completion_date: ApiDateTime | None = Field(description="When the line was completed")
    cancellation_date: ApiDateTime | None = Field(description="When the line was cancelled")
    cancellation_reason: str = Field(description="Why the line was cancelled")

    @classmethod
    def of(cls, line: OrderLine | Row[Any]) -> Self:
        """The line's detail, from its entity or from a row of its columns."""
        fields: dict[str, Any] = {
            name: getattr(line, name)
            for name in cls.model_fields
            if name not in DERIVED_LINE_FIELDS
        }
        return cls.model_validate(
            fields
            | {
                "product_order_id": line.session_id,
                "enni2": line.enni_2,
                "cpe_network_number": line.cpe_networking_number,
                "temporary_reference": line.order_reference,
            }
        )


DERIVED_LINE_FIELDS = {"product_order_id", "enni2", "cpe_network_number", "temporary_reference"}


class SessionDetail(SessionOut):
    product_order_item: list[LineOut] = Field(description="The session's order lines")

    @classmethod
    def of(cls, session: OrderSession) -> Self:
        return cls.model_validate(
            SessionOut.of(session).model_dump()
            | {"product_order_item": [LineOut.of(line) for line in session.lines]}
        )


class LineSummary(BaseModel):
    """An order line as the list shows it."""

    id: str = Field(description="Order line id (UUID)")
    product_order_id: str = Field(description="Id of the order session")
    end_customer_name: str = Field(description="End customer name")
    external_id: str = Field(description="External identifier for the request")
    product_offering_id: str = Field(description="Product offering id")
    product_offering_qualification_item_id: str = Field(description="Eligibility item id")
    state: LineState = Field(description="Current state of the line")
    order_reference: str = Field(description="PO_<client>_<YYYYMMDD>_<counter>")
    temporary_reference: str = Field(description="Deprecated: same as order_reference")
    customer_order_name: str = Field(description="Customer order name")
    creation_date: ApiDateTime = Field(description="When the line was created")
    order_date: ApiDateTime | None = Field(description="When the session was confirmed")
    expiration_date: date = Field(description="Draft expiration date, creation + 90 days")
    scheduled_delivery_date: date | None = Field(description="Scheduled delivery date")

    @staticmethod
    def page_of(lines: Sequence[Row[Any]]) -> list["LineSummary"]:
        """The summaries of rows of the list's columns, all validated in one call (a third of
        the time of one call per line)."""
        return _SUMMARIES.validate_python([_with_derived_fields(line._asdict()) for line in lines])


_SUMMARIES = TypeAdapter(list[LineSummary])


def _with_derived_fields(row: dict[str, Any]) -> dict[str, Any]:
    row["product_order_id"] = row["session_id"]
    row["temporary_reference"] = row["order_reference"]
    return row


class LinePage(BaseModel):
    count: int = Field(description="Lines matching the filters, all pages")
    items: list[LineSummary] = Field(description="This page of lines")


class SessionFilters(Page):
    state: SessionState | None = Field(None, description="Sessions in this state")
    external_id: FilterText = Field(None, description="Sessions with this external id")
    project_id: FilterText = Field(None, description="Sessions with this project id")
    creation_date_gt: FilterDateTime = Field(None, description="Created after (ISO 8601)")
    creation_date_lt: FilterDateTime = Field(None, description="Created before (ISO 8601)")
    order_date_gt: FilterDateTime = Field(None, description="Ordered after (ISO 8601)")
    order_date_lt: FilterDateTime = Field(None, description="Ordered before (ISO 8601)")
    completion_date_gt: FilterDateTime = Field(None, description="Completed after (ISO 8601)")
    completion_date_lt: FilterDateTime = Field(None, description="Completed before (ISO 8601)")
    cancellation_date_gt: FilterDateTime = Field(None, description="Cancelled after (ISO 8601)")
    cancellation_date_lt: FilterDateTime = Field(None, description="Cancelled before (ISO 8601)")
    limit: int = Field(1000, ge=1, le=1000, description="At most this many sessions, 1..1000")


LINE_SORT_FIELDS = (
    "creation_date",
    "order_date",
    "expiration_date",
    "completion_date",
    "scheduled_delivery_date",
    "order_reference",
    "temporary_reference",
    "state",
    "customer_order_name",
    "end_customer_name",
    "external_id",
)


class LineFilters(Page):
    state: LineState | None = Field(None, description="Lines in this state")
    order_reference: FilterText = Field(None, description="The line with this reference")
    temporary_reference: FilterText = Field(None, description="Same as order_reference")
    customer_order_name: FilterText = Field(None, description="Lines of this customer order")
    end_customer_name: FilterText = Field(None, description="Lines of this end customer")
    creation_date_gt: FilterDateTime = Field(None, description="Created after (ISO 8601)")
    creation_date_lt: FilterDateTime = Field(None, description="Created before (ISO 8601)")
    order_date_gt: FilterDateTime = Field(None, description="Ordered after (ISO 8601)")
    order_date_lt: FilterDateTime = Field(None, description="Ordered before (ISO 8601)")
    expiration_date_gt: FilterDateTime = Field(
        None, description="Expiring after: compared with the expiry day"
    )
    expiration_date_lt: FilterDateTime = Field(
        None, description="Expiring before: compared with the expiry day"
    )
    search: FilterText = Field(
        None,
        description="Case-insensitive text in references, names, external id and address",
    )
    sort: Annotated[
        str | None, sort_validator(LINE_SORT_FIELDS), sort_choices(LINE_SORT_FIELDS)
    ] = Field(
        None,
        description="One of "
        + ", ".join(LINE_SORT_FIELDS)
        + "; -field for descending; default -creation_date. Empty dates sort last ascending, "
        "first descending",
    )


SessionId = Annotated[RequiredId, Path(description="Order session identifier (UUID)")]
LineId = Annotated[RequiredId, Path(description="Order line identifier (UUID)")]
