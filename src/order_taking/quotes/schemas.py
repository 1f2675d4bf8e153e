"""Bodies and responses of the quote cart and quote line endpoints."""

from datetime import date
from typing import Annotated, Any, Self

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from order_taking.core.fields import (
    CatalogId,
    IdList,
    IsoDate,
    LongText,
    Name,
    NullAsEmptyList,
    RequiredId,
)
from order_taking.core.listing import (
    FilterDateTime,
    FilterText,
    Page,
    sort_choices,
    sort_validator,
)
from order_taking.core.schemas import ApiDateTime
from order_taking.ordering.contacts import MAX_CONTACTS, ContactInformation
from order_taking.ordering.schemas import SessionFields
from order_taking.quotes.models import QuoteCart, QuoteLine
from order_taking.quotes.states import QuoteState

MAX_OFFERINGS = 4

# A quote line asks prices for 1 to 4 offerings: an empty list asks for nothing.
# Not documented as nullable like other id lists: null reads as [], which is too few.
Offerings = Annotated[
    list[CatalogId], NullAsEmptyList, Field(min_length=1, max_length=MAX_OFFERINGS)
]
_OFFERINGS = (
    f'Product offering ids to quote, 1 to {MAX_OFFERINGS}, e.g. ["2173"]; each must be eligible '
    "at the eligibility item"
)
_ELIGIBILITY_ITEM = "Eligibility item id, from an earlier eligibility check"


class QuoteCartFields(SessionFields):
    """What a client sets on a quote cart: the same two fields as on an order session."""


class QuoteLineFields(BaseModel):
    """Every field of a quote line; on update, only the fields sent are changed."""

    model_config = ConfigDict(extra="ignore")

    product_offering_qualification_item_id: RequiredId = Field("", description=_ELIGIBILITY_ITEM)
    product_offerings: Offerings = Field(default_factory=list, description=_OFFERINGS)
    end_customer_name: Name = Field("", description="End customer name")
    external_id: Name = Field("", description="External identifier")
    site_connection_type: Name = Field("", description="Site connection type")
    business_sector: Name = Field("", description="Business sector")
    expected_response_date: IsoDate = Field(None, description="Desired response date, YYYY-MM-DD")
    option_ids: IdList = Field(
        default_factory=list, max_length=50, description='Option ids to add, e.g. ["2210"]'
    )
    note: LongText = Field("", description="Free-text note")
    technical_note: LongText = Field("", description="Technical note")
    project_id: Name = Field("", description="Associated project identifier")
    customer_order_name: Name = Field("", description="Customer order name")
    business_code: Name = Field("", description="Business code")
    related_contact_information: Annotated[
        list[ContactInformation], Field(max_length=MAX_CONTACTS)
    ] = Field(default_factory=list, description=f"Site and contacts, at most {MAX_CONTACTS}")


class QuoteLineCreate(QuoteLineFields):
    """A new quote line: the eligibility item and at least one offering are required."""

    product_offering_qualification_item_id: RequiredId = Field(description=_ELIGIBILITY_ITEM)
    product_offerings: Offerings = Field(description=_OFFERINGS)


class QuoteCartOut(BaseModel):
    id: str = Field(description="Quote cart id")
    external_id: str
    project_id: str
    state: QuoteState
    creation_date: ApiDateTime
    quote_date: ApiDateTime | None = Field(description="When the cart was confirmed")

    @classmethod
    def of(cls, cart: QuoteCart) -> Self:
        return cls.model_validate(cart, from_attributes=True)


class SiteAddress(BaseModel):
    """The address of the line's eligibility item, as it was when the line was written."""

    street_number: str = ""
    street_name: str = ""
    postcode: str = ""
    city: str = ""
    insee_code: str = ""


class QuoteLineSummary(BaseModel):
    """A quote line as the list shows it (QuoteItemListSchema)."""

    id: str
    end_customer_name: str
    external_id: str
    reference: str = Field(description="QT_<client>_<YYYYMMDD>_<counter>")
    state: QuoteState
    site_connection_type: str
    business_sector: str
    product_offerings: list[str]
    product_offering_qualification_item_id: str
    address: SiteAddress = Field(description="Address of the eligibility item")
    latitude: float | None = Field(description="Latitude of the eligibility item")
    longitude: float | None = Field(description="Longitude of the eligibility item")
    creation_date: ApiDateTime
    order_date: ApiDateTime | None = Field(description="Quotation date: same as quote_date")
    expected_response_date: date | None

    @classmethod
    def of(cls, line: QuoteLine) -> Self:
        fields: dict[str, Any] = {
            name: getattr(line, name) for name in cls.model_fields if name not in _DERIVED_FIELDS
        }
        return cls.model_validate(
            fields
            | {
                "address": SiteAddress(
                    street_number=line.site_street_number,
                    street_name=line.site_street_name,
                    postcode=line.site_postcode,
                    city=line.site_city,
                    insee_code=line.site_insee_code,
                ),
                "latitude": line.site_latitude,
                "longitude": line.site_longitude,
                "order_date": line.quote_date,
            }
        )


_DERIVED_FIELDS = {"address", "latitude", "longitude", "order_date"}


class QuoteLineOut(QuoteLineSummary):
    """The full quote line (QuoteItemSchema): the list's fields and every stored one."""

    quote_id: str = Field(description="Id of the quote cart")
    quote_date: ApiDateTime | None = Field(description="When the cart was confirmed")
    option_ids: list[str]
    note: str
    technical_note: str
    project_id: str
    customer_order_name: str
    business_code: str
    related_contact_information: list[ContactInformation]


class QuoteCartDetail(QuoteCartOut):
    quote_item: list[QuoteLineOut] = Field(description="The cart's quote lines")

    @classmethod
    def of(cls, cart: QuoteCart) -> Self:
        return cls.model_validate(
            QuoteCartOut.of(cart).model_dump()
            | {"quote_item": [QuoteLineOut.of(line) for line in cart.lines]}
        )


class QuoteLinePage(BaseModel):
    count: int = Field(description="Quote lines matching the filters, all pages")
    items: list[QuoteLineSummary]


class QuoteCartFilters(Page):
    state: QuoteState | None = Field(None, description="Carts in this state")
    external_id: FilterText = Field(None, description="Carts with this external id")
    project_id: FilterText = Field(None, description="Carts with this project id")
    creation_date_gt: FilterDateTime = Field(None, description="Created after (ISO 8601)")
    creation_date_lt: FilterDateTime = Field(None, description="Created before (ISO 8601)")
    quote_date_gt: FilterDateTime = Field(None, description="Quoted after (ISO 8601)")
    quote_date_lt: FilterDateTime = Field(None, description="Quoted before (ISO 8601)")
    limit: int = Field(1000, ge=1, le=1000, description="At most this many carts, 1..1000")


QUOTE_LINE_SORT_FIELDS = (
    "creation_date",
    "quote_date",
    "order_date",
    "reference",
    "state",
    "customer_order_name",
    "end_customer_name",
    "business_sector",
    "expected_response_date",
)


class QuoteLineFilters(Page):
    reference: FilterText = Field(None, description="The line with this reference")
    customer_order_name: FilterText = Field(None, description="Lines of this customer order")
    end_customer_name: FilterText = Field(None, description="Lines of this end customer")
    business_sector: FilterText = Field(None, description="Lines of this business sector")
    project_id: FilterText = Field(None, description="Lines with this project id")
    state: QuoteState | None = Field(None, description="Lines in this state")
    offer_family: FilterText = Field(None, description="Lines quoting an offering of this family")
    technology_family: FilterText = Field(
        None, description="Lines quoting an offering of this technology, e.g. FIBDE"
    )
    creation_date_gt: FilterDateTime = Field(None, description="Created after (ISO 8601)")
    creation_date_lt: FilterDateTime = Field(None, description="Created before (ISO 8601)")
    search: FilterText = Field(
        None, description="Case-insensitive text in reference, names, external id, address"
    )
    sort: Annotated[
        str | None,
        sort_validator(QUOTE_LINE_SORT_FIELDS),
        sort_choices(QUOTE_LINE_SORT_FIELDS),
    ] = Field(
        None,
        description=f"One of {', '.join(QUOTE_LINE_SORT_FIELDS)}; -field for descending; "
        "default -creation_date. By quote_date, a line not yet quoted ranks after every date.",
    )


CartId = Annotated[RequiredId, Path(description="Quote cart identifier (UUID)")]
QuoteLineId = Annotated[RequiredId, Path(description="Quote line identifier (UUID)")]
