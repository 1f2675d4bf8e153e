"""What a client does with its quote carts and quote lines. Services flush, never commit."""

from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.catalog import service as catalog
from order_taking.catalog.models import EligibilityItem, ProductOffering
from order_taking.clients.service import ClientIdentity
from order_taking.core.errors import InvalidState, NotFound, ValidationFailed
from order_taking.core.listing import search_text
from order_taking.core.references import next_reference
from order_taking.core.states import client_actor
from order_taking.core.time import now
from order_taking.ordering.contacts import address_words
from order_taking.quotes import repository
from order_taking.quotes.models import QuoteCart, QuoteLine, QuoteLineOffering
from order_taking.quotes.rules import CatalogRefs, catalog_errors
from order_taking.quotes.schemas import QuoteCartFields, QuoteLineCreate, QuoteLineFields
from order_taking.quotes.states import (
    QUOTE_CART,
    QUOTE_LINE,
    QuoteEvent,
    QuoteState,
    move_cart,
    move_quote_line,
)


async def create_cart(db: AsyncSession, client: ClientIdentity, data: QuoteCartFields) -> QuoteCart:
    at = now()
    cart = QuoteCart(
        client_id=client.id,
        creation_date=at,
        state_change=QUOTE_CART.start(at, client_actor(client.code)),
        **data.model_dump(),
    )
    db.add(cart)
    await db.flush()
    return cart


async def get_cart(
    db: AsyncSession,
    client: ClientIdentity,
    cart_id: str,
    *,
    with_lines: bool = True,
    for_update: bool = False,
) -> QuoteCart:
    cart = await repository.find_cart(
        db, client.id, cart_id, with_lines=with_lines, for_update=for_update
    )
    if cart is None:
        raise NotFound(f"No quote cart {cart_id}.")
    return cart


async def _editable_cart(db: AsyncSession, client: ClientIdentity, cart_id: str) -> QuoteCart:
    """The cart, locked against a concurrent confirm, if it may still be changed."""
    cart = await get_cart(db, client, cart_id, with_lines=False, for_update=True)
    if cart.state != QuoteState.CREATED:
        raise InvalidState(f"Quote cart {cart_id} is {cart.state}: only a created cart can change.")
    return cart


async def update_cart(
    db: AsyncSession, client: ClientIdentity, cart_id: str, data: QuoteCartFields
) -> QuoteCart:
    cart = await _editable_cart(db, client, cart_id)
    for name, value in data.model_dump(include=data.model_fields_set).items():
        setattr(cart, name, value)
    await db.flush()
    return await get_cart(db, client, cart_id)


async def confirm_cart(db: AsyncSession, client: ClientIdentity, cart_id: str) -> None:
    """The cart and every line become confirmed, with one quotation date."""
    cart = await get_cart(db, client, cart_id, for_update=True)
    if cart.state == QuoteState.CREATED and not cart.lines:
        raise InvalidState(f"Quote cart {cart_id} has no quote line to confirm.")
    at, by = now(), client_actor(client.code)
    move_cart(db, cart, QuoteEvent.CONFIRM, at=at, changed_by=by)
    for line in cart.lines:
        move_quote_line(line, QuoteEvent.CONFIRM, at=at, changed_by=by)
    await db.flush()


async def _checked_against_catalog(
    db: AsyncSession, refs: CatalogRefs
) -> tuple[EligibilityItem, dict[str, ProductOffering]]:
    """The line's eligibility item and offerings, or a 422 naming every id the catalog refuses."""
    eligibility = await catalog.find_eligibility(db, refs.eligibility_item_id)
    offerings = await catalog.find_offerings(db, refs.offering_ids)
    known_options = await catalog.known_option_ids(db, refs.option_ids)
    errors = catalog_errors(refs, eligibility, offerings.keys(), known_options)
    if eligibility is None or errors:
        raise ValidationFailed(
            "The quote line names what the catalog does not offer: "
            + ", ".join(e.property_path for e in errors),
            errors,
        )
    return eligibility.item, offerings


def _offering_rows(
    offering_ids: list[str], offerings: dict[str, ProductOffering]
) -> list[QuoteLineOffering]:
    """One row per offering with its catalog family and technology, for the list's filters."""
    return [
        QuoteLineOffering(
            position=position,
            offering_id=offering_id,
            offer_family=offerings[offering_id].offer_family,
            offer_technology=offerings[offering_id].offer_technology,
        )
        for position, offering_id in enumerate(offering_ids)
    ]


def _copy_site(line: QuoteLine, site: EligibilityItem) -> None:
    """The line keeps its site as the catalog gives it now, and can be found by it."""
    line.site_street_number = site.street_number
    line.site_street_name = site.street_name
    line.site_postcode = site.postcode
    line.site_city = site.city
    line.site_insee_code = site.insee_code
    line.site_latitude = site.latitude
    line.site_longitude = site.longitude
    line.search_text = search_text(
        line.reference,
        line.external_id,
        line.end_customer_name,
        line.customer_order_name,
        site.street_number,
        site.street_name,
        site.postcode,
        site.city,
        site.insee_code,
        *address_words(line.related_contact_information),
    )


async def add_line(
    db: AsyncSession, client: ClientIdentity, cart_id: str, data: QuoteLineCreate
) -> QuoteLine:
    cart = await _editable_cart(db, client, cart_id)
    site, offerings = await _checked_against_catalog(
        db,
        CatalogRefs(
            data.product_offering_qualification_item_id, data.product_offerings, data.option_ids
        ),
    )
    at = now()
    line = QuoteLine(
        quote_id=cart.id,
        client_id=client.id,
        reference=await next_reference(
            db, kind="QT", client_id=client.id, client_code=client.code, at=at
        ),
        state=QuoteState.CREATED.value,
        creation_date=at,
        state_change=QUOTE_LINE.start(at, client_actor(client.code)),
        **data.model_dump(),
    )
    line.offerings = _offering_rows(data.product_offerings, offerings)
    _copy_site(line, site)
    db.add(line)
    await db.flush()
    return line


async def _editable_line(
    db: AsyncSession, client: ClientIdentity, cart_id: str, line_id: str
) -> QuoteLine:
    await _editable_cart(db, client, cart_id)
    line = await repository.find_line(db, client.id, line_id, cart_id=cart_id, with_offerings=True)
    if line is None:
        raise NotFound(f"No quote line {line_id} in quote cart {cart_id}.")
    return line


async def update_line(
    db: AsyncSession, client: ClientIdentity, cart_id: str, line_id: str, data: QuoteLineFields
) -> QuoteCart:
    """Changes the fields sent; the line as it will then be must still match the catalog."""
    line = await _editable_line(db, client, cart_id, line_id)
    changes = data.model_dump(include=data.model_fields_set)
    site, offerings = await _checked_against_catalog(
        db,
        CatalogRefs(
            changes.get(
                "product_offering_qualification_item_id",
                line.product_offering_qualification_item_id,
            ),
            changes.get("product_offerings", line.product_offerings),
            changes.get("option_ids", line.option_ids),
        ),
    )
    for name, value in changes.items():
        setattr(line, name, value)
    _copy_site(line, site)
    if "product_offerings" in changes:
        line.offerings = _offering_rows(line.product_offerings, offerings)
    await db.flush()
    return await get_cart(db, client, cart_id)


async def delete_line(
    db: AsyncSession, client: ClientIdentity, cart_id: str, line_id: str
) -> QuoteCart:
    line = await _editable_line(db, client, cart_id, line_id)
    await db.delete(line)
    await db.flush()
    return await get_cart(db, client, cart_id)


async def get_line(db: AsyncSession, client: ClientIdentity, line_id: str) -> QuoteLine:
    line = await repository.find_line(db, client.id, line_id)
    if line is None:
        raise NotFound(f"No quote line {line_id}.")
    return line
