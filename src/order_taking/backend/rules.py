"""The rules an order line must pass for its order to be created (contract §5), as plain functions.

Each rule takes the line and the catalog facts read for it, and returns its `termination_error`
entries; `check_line` runs them all and reports every failure together, in the order of the
contract's table (then by contact index, then by field). `value` is the refused value as text,
`""` when it is missing.

Decisions the contract leaves open:
- An empty `product_offering_id` or `product_offering_qualification_item_id` (possible after an
  update) is `required`; an id the catalog does not know is `offer_not_eligible` for an offering
  and `unknown_eligibility` for an eligibility item.
- Options are checked against the offering only when the offering is known: with an unknown one,
  the `offer_not_eligible` entry already says what to fix.
- Phone numbers: `0XXXXXXXXX` or `+33XXXXXXXXX`, the first digit of the national number 1-9; the
  pairs of digits may be separated by one space, dot or hyphen, the same throughout, as French
  numbers are written (`01 23 45 67 89`, `+33 1 23 45 67 89`).
- SIRET: 14 digits, Luhn-valid. La Poste's establishments (SIREN 356000000) are numbered past
  what Luhn allows, and INSEE checks them by a digit sum that is a multiple of 5 instead.
- A SIRET given is checked on every contact entry; it is required (first entry) when
  `siret_known` is true.
- Expiry is judged on the day the client confirmed, not the day the back end is reached (a retry
  after midnight must not expire a line confirmed in time); a delivery date must still be in the
  future on the day the order is created.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from order_taking.catalog.models import ProductOffering
from order_taking.catalog.service import Eligibility
from order_taking.core.errors import ErrorEntry, render_value
from order_taking.ordering.contacts import ContactInformation
from order_taking.ordering.schemas import LineOut

DIA_FAMILY = "DIA"  # its ENNI is computed by the system
CPE_OPTION = "7021"  # CPE supplied: the CPE's networking and serial numbers are needed
CONTACTS = "related_contact_information"

REQUIRED_CONTACT_FIELDS = (
    "end_customer_name",
    "contact1_email_address",
    "contact1_firstname",
    "contact1_lastname",
    "contact1_phone_number",
    "city",
    "postcode",
    "street_name",
    "street_number",
    "insee_code",
)
CPE_FIELDS = ("cpe_networking_number", "cpe_serial_number")

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
# re.ASCII: \d is 0-9 only, not every script's digits.
_PHONE = re.compile(r"(?:0|\+33[ .-]?)[1-9](?P<sep>[ .-]?)\d{2}(?:(?P=sep)\d{2}){3}", re.ASCII)
_POSTCODE = re.compile(r"\d{5}", re.ASCII)
_INSEE_CODE = re.compile(r"\d{5}|2[AB]\d{3}", re.ASCII)  # 2A/2B: Corsica
_SIRET = re.compile(r"\d{14}", re.ASCII)
LA_POSTE_SIREN = "356000000"


@dataclass(frozen=True)
class CatalogFacts:
    """What the catalog and the quotes say about one line's ids, read before the rules run."""

    offering: ProductOffering | None  # None: product_offering_id unknown
    eligibility: Eligibility | None  # None: the eligibility item is unknown
    known_option_ids: frozenset[str]  # those of the line's option ids that exist
    allowed_option_ids: frozenset[str]  # the options allowed with the offering
    quote_confirmed: bool  # quote_item_id names a confirmed quote line of the line's client
    today: date  # in the service's zone
    confirmed_on: date  # the day the client confirmed, in the service's zone


Rule = Callable[[LineOut, CatalogFacts], list[ErrorEntry]]


def _entry(code: str, path: str, value: str | float) -> ErrorEntry:
    return ErrorEntry(code=code, property_path=path, value=render_value(value))


def _blank(value: str) -> bool:
    return not value.strip()


def is_dia(offering: ProductOffering | None) -> bool:
    return offering is not None and offering.offer_family == DIA_FAMILY


def is_valid_email(text: str) -> bool:
    return _EMAIL.fullmatch(text) is not None


def is_valid_phone(text: str) -> bool:
    return _PHONE.fullmatch(text) is not None


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def is_valid_siret(text: str) -> bool:
    if not _SIRET.fullmatch(text):
        return False
    if text.startswith(LA_POSTE_SIREN) and sum(map(int, text)) % 5 == 0:
        return True
    return _luhn_valid(text)


def _in_range(value: float, bound: float) -> bool:
    return -bound <= value <= bound  # False for NaN


def enni_required(line: LineOut, facts: CatalogFacts) -> list[ErrorEntry]:
    """The ENNI, except for the DIA offer, whose ENNI the system computes."""
    if is_dia(facts.offering) or not _blank(line.enni):
        return []
    return [_entry("required", "enni", line.enni)]


def contact_information_required(line: LineOut, facts: CatalogFacts) -> list[ErrorEntry]:
    """The site and on-site contact, on the first contact entry."""
    if not line.related_contact_information:
        return [_entry("required", CONTACTS, "")]
    first = line.related_contact_information[0]
    return [
        _entry("required", f"{CONTACTS}[0].{name}", getattr(first, name))
        for name in REQUIRED_CONTACT_FIELDS
        if _blank(getattr(first, name))
    ]


def siret_valid(line: LineOut, facts: CatalogFacts) -> list[ErrorEntry]:
    """A SIRET given must be valid; on the first entry it is required when siret_known."""
    errors = []
    for index, contact in enumerate(line.related_contact_information):
        path = f"{CONTACTS}[{index}].siret"
        if _blank(contact.siret):
            if index == 0 and line.siret_known:
                errors.append(_entry("required", path, contact.siret))
        elif not is_valid_siret(contact.siret):
            errors.append(_entry("invalid_siret", path, contact.siret))
    return errors


_TEXT_FORMATS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("contact1_email_address", is_valid_email),
    ("contact1_phone_number", is_valid_phone),
    ("contact2_email_address", is_valid_email),
    ("contact2_phone_number", is_valid_phone),
    ("postcode", lambda text: _POSTCODE.fullmatch(text) is not None),
    ("insee_code", lambda text: _INSEE_CODE.fullmatch(text) is not None),
)


def _format_errors(index: int, contact: ContactInformation) -> list[ErrorEntry]:
    errors = [
        _entry("invalid_format", f"{CONTACTS}[{index}].{name}", getattr(contact, name))
        for name, valid in _TEXT_FORMATS
        if not _blank(getattr(contact, name)) and not valid(getattr(contact, name))
    ]
    for name, bound in (("latitude", 90.0), ("longitude", 180.0)):
        coordinate: float | None = getattr(contact, name)
        if coordinate is not None and not _in_range(coordinate, bound):
            errors.append(_entry("invalid_format", f"{CONTACTS}[{index}].{name}", coordinate))
    return errors


def contact_formats_valid(line: LineOut, facts: CatalogFacts) -> list[ErrorEntry]:
    """E-mails, phones, postcode, INSEE code and coordinates, on every contact entry given."""
    return [
        error
        for index, contact in enumerate(line.related_contact_information)
        for error in _format_errors(index, contact)
    ]


def cpe_fields_match_option(line: LineOut, facts: CatalogFacts) -> list[ErrorEntry]:
    """With option 7021 the CPE numbers are required; without it they must be empty."""
    with_cpe = CPE_OPTION in line.option_ids
    errors = []
    for name in CPE_FIELDS:
        value: str = getattr(line, name)
        if with_cpe and _blank(value):
            errors.append(_entry("required", name, value))
        elif not with_cpe and not _blank(value):
            errors.append(_entry("must_be_empty", name, value))
    return errors


def eligibility_known(line: LineOut, facts: CatalogFacts) -> list[ErrorEntry]:
    path = "product_offering_qualification_item_id"
    item_id = line.product_offering_qualification_item_id
    if _blank(item_id):
        return [_entry("required", path, item_id)]
    if facts.eligibility is None:
        return [_entry("unknown_eligibility", path, item_id)]
    return []


def offer_eligible(line: LineOut, facts: CatalogFacts) -> list[ErrorEntry]:
    """The offering exists and can be delivered at the eligibility item's address."""
    offering_id = line.product_offering_id
    if _blank(offering_id):
        return [_entry("required", "product_offering_id", offering_id)]
    unknown = facts.offering is None
    ineligible = facts.eligibility is not None and offering_id not in facts.eligibility.offering_ids
    if unknown or ineligible:
        return [_entry("offer_not_eligible", "product_offering_id", offering_id)]
    return []


def options_allowed(line: LineOut, facts: CatalogFacts) -> list[ErrorEntry]:
    errors = []
    for index, option_id in enumerate(line.option_ids):
        path = f"option_ids[{index}]"
        if option_id not in facts.known_option_ids:
            errors.append(_entry("unknown_option", path, option_id))
        elif facts.offering is not None and option_id not in facts.allowed_option_ids:
            errors.append(_entry("option_not_allowed", path, option_id))
    return errors


def quote_confirmed(line: LineOut, facts: CatalogFacts) -> list[ErrorEntry]:
    if _blank(line.quote_item_id) or facts.quote_confirmed:
        return []
    return [_entry("unknown_quote", "quote_item_id", line.quote_item_id)]


def delivery_date_in_future(line: LineOut, facts: CatalogFacts) -> list[ErrorEntry]:
    delivery = line.scheduled_delivery_date
    if delivery is None or delivery > facts.today:
        return []
    return [_entry("invalid_date", "scheduled_delivery_date", delivery.isoformat())]


def not_expired(line: LineOut, facts: CatalogFacts) -> list[ErrorEntry]:
    if facts.confirmed_on <= line.expiration_date:
        return []
    return [_entry("expired", "expiration_date", line.expiration_date.isoformat())]


RULES: tuple[Rule, ...] = (
    enni_required,
    contact_information_required,
    siret_valid,
    contact_formats_valid,
    cpe_fields_match_option,
    eligibility_known,
    offer_eligible,
    options_allowed,
    quote_confirmed,
    delivery_date_in_future,
    not_expired,
)


def check_line(line: LineOut, facts: CatalogFacts) -> list[ErrorEntry]:
    """Every failure of every rule; an empty list means the order can be created."""
    return [error for rule in RULES for error in rule(line, facts)]


def manual_validation_reasons(line: LineOut, offering: ProductOffering | None) -> list[str]:
    """Why ADV must validate the order by hand; empty when it need not."""
    reasons = []
    if not _blank(line.specific_request):
        reasons.append("the line carries a specific request")
    if offering is not None and offering.manual_validation:
        reasons.append(f"offering {offering.id} is validated manually")
    return reasons


def manual_validation_needed(line: LineOut, offering: ProductOffering | None) -> bool:
    return bool(manual_validation_reasons(line, offering))
