"""Bodies and responses of the order session and order line endpoints."""

from datetime import date
from typing import Annotated, Any, Self

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from order_taking.core.errors import ErrorEntry
from order_taking.core.fields import Code, Flag, IdList, IsoDate, LongText, Name, RequiredId, VlanId
from order_taking.core.listing import FilterDateTime, Page, sort_validator
from order_taking.core.schemas import ApiDateTime, StateChange
from order_taking.ordering.contacts import MAX_CONTACTS, ContactInformation
from order_taking.ordering.models import OrderLine, OrderSession
from order_taking.ordering.states import LineState, SessionState


class SessionFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    external_id: Name = Field("", description="External identifier for the request")
    project_id: Name = Field("", description="Associated project identifier")


class LineFields(BaseModel):
    """Every field of an order line; on update, only the fields sent are changed."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

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
        list[ContactInformation], Field(max_length=MAX_CONTACTS)
    ] = Field(default_factory=list, description="Site and contacts (required at confirmation)")
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
    id: str = Field(description="Order session id")
    external_id: str
    project_id: str
    state: SessionState
    creation_date: ApiDateTime
    order_date: ApiDateTime | None
    completion_date: ApiDateTime | None
    cancellation_date: ApiDateTime | None

    @classmethod
    def of(cls, session: OrderSession) -> Self:
        return cls.model_validate(session, from_attributes=True)


class LineOut(BaseModel):
    """The full order line."""

    id: str
    product_order_id: str = Field(description="Id of the order session")
    end_customer_name: str
    external_id: str
    option_ids: list[str]
    note: str
    technical_note: str
    product_offering_id: str
    product_offering_qualification_item_id: str
    project_id: str
    quote_item_id: str
    delivery_mode: str
    enni: str
    enni_2: str
    enni2: str = Field(description="Same as enni_2")
    vlan_reference: int | None
    customer_order_name: str
    business_code: str
    billing_site_ref: str
    related_contact_information: list[ContactInformation]
    siret_known: bool
    additional_vlan_reference: str
    offer_family: str
    offer_technology: str
    specific_request: str
    access_instructions: str
    scheduled_delivery_date: date | None
    cpe_networking_number: str
    cpe_network_number: str = Field(description="Same as cpe_networking_number")
    cpe_serial_number: str
    building_ref: str
    state: LineState
    state_change: list[StateChange]
    termination_error: list[ErrorEntry]
    order_reference: str = Field(description="PO_<client>_<YYYYMMDD>_<counter>")
    temporary_reference: str = Field(description="Deprecated: same as order_reference")
    creation_date: ApiDateTime
    expiration_date: date = Field(description="Draft expiration date, creation + 90 days")
    order_date: ApiDateTime | None
    completion_date: ApiDateTime | None
    cancellation_date: ApiDateTime | None
    cancellation_reason: str

    @classmethod
    def of(cls, line: OrderLine) -> Self:
        fields: dict[str, Any] = {
            name: getattr(line, name)
            for name in cls.model_fields
            if name not in _DERIVED_LINE_FIELDS
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


_DERIVED_LINE_FIELDS = {"product_order_id", "enni2", "cpe_network_number", "temporary_reference"}


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

    id: str
    product_order_id: str
    end_customer_name: str
    external_id: str
    product_offering_id: str
    product_offering_qualification_item_id: str
    state: LineState
    order_reference: str
    temporary_reference: str
    customer_order_name: str
    creation_date: ApiDateTime
    order_date: ApiDateTime | None
    expiration_date: date
    scheduled_delivery_date: date | None

    @classmethod
    def of(cls, line: OrderLine) -> Self:
        return cls.model_validate(
            {
                name: getattr(line, name)
                for name in cls.model_fields
                if name not in _DERIVED_LINE_FIELDS
            }
            | {"product_order_id": line.session_id, "temporary_reference": line.order_reference}
        )


class LinePage(BaseModel):
    count: int = Field(description="Lines matching the filters, all pages")
    items: list[LineSummary]


class SessionFilters(Page):
    state: SessionState | None = None
    external_id: str | None = None
    project_id: str | None = None
    creation_date_gt: FilterDateTime = None
    creation_date_lt: FilterDateTime = None
    order_date_gt: FilterDateTime = None
    order_date_lt: FilterDateTime = None
    completion_date_gt: FilterDateTime = None
    completion_date_lt: FilterDateTime = None
    cancellation_date_gt: FilterDateTime = None
    cancellation_date_lt: FilterDateTime = None
    limit: int = Field(1000, ge=1, le=1000, description="At most this many sessions")


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
    state: LineState | None = None
    order_reference: str | None = None
    temporary_reference: str | None = None
    customer_order_name: str | None = None
    end_customer_name: str | None = None
    creation_date_gt: FilterDateTime = None
    creation_date_lt: FilterDateTime = None
    order_date_gt: FilterDateTime = None
    order_date_lt: FilterDateTime = None
    expiration_date_gt: FilterDateTime = Field(None, description="Compared with the expiry day")
    expiration_date_lt: FilterDateTime = Field(None, description="Compared with the expiry day")
    search: str | None = Field(
        None, max_length=200, description="Case-insensitive text in references, names, address"
    )
    sort: Annotated[str | None, sort_validator(LINE_SORT_FIELDS)] = Field(
        None, description="A field, or -field for descending; default -creation_date"
    )
