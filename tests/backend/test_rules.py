"""The confirmation rules of contract §5, one class per rule, against the demo catalog's facts.

Each test breaks one rule of a valid line and expects exactly that rule's entries, so that
removing a rule from `check_line` fails its tests.
"""

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from order_taking.backend.rules import (
    CatalogFacts,
    check_line,
    is_valid_phone,
    is_valid_siret,
    manual_validation_needed,
)
from order_taking.catalog.models import EligibilityItem, ProductOffering
from order_taking.catalog.service import Eligibility, demo_catalog
from order_taking.core.errors import ErrorEntry
from order_taking.ordering.schemas import LineFields, LineOut
from tests.backend.examples import (
    ELIGIBILITY_ID,
    ROUEN_ELIGIBILITY_ID,
    SPEC_CONFIRMED_LINE,
    SPEC_CONTACT,
    SPEC_LINE_REQUEST,
    UNKNOWN_ID,
    valid_line_body,
)

TODAY = date(2025, 4, 23)  # the documentation's example line was created and confirmed that day
EXPIRES_ON = date(2025, 7, 22)
SYSTEM_FIELDS: dict[str, Any] = {
    "id": "259a1c5b-8462-4c5e-90d0-90d135763378",
    "product_order_id": "908d2cc0-4bdc-4f62-b812-f8c1f48c96cd",
    "building_ref": "",
    "state": "in_progress",
    "state_change": [],
    "termination_error": [],
    "order_reference": "PO_DC173_20250423_003363",
    "temporary_reference": "PO_DC173_20250423_003363",
    "creation_date": datetime.fromisoformat("2025-04-23T10:13:08.733+02:00"),
    "expiration_date": EXPIRES_ON,
    "order_date": datetime.fromisoformat("2025-04-23T10:24:57.225+02:00"),
    "completion_date": None,
    "cancellation_date": None,
    "cancellation_reason": "",
}
DEMO = demo_catalog()
ARABIC_ZERO = "\u0660"  # a digit to str.isdigit, not to a postcode or a SIRET


def line_out(body: dict[str, Any], **system: Any) -> LineOut:
    """The line a client's body makes, as the back end receives it after confirmation."""
    fields = LineFields.model_validate(body).model_dump()
    mirrors = {"enni2": fields["enni_2"], "cpe_network_number": fields["cpe_networking_number"]}
    return LineOut.model_validate(fields | mirrors | SYSTEM_FIELDS | system)


def make_line(**overrides: Any) -> LineOut:
    """A line that passes every rule against the demo catalog; keywords change its fields."""
    system = {name: overrides.pop(name) for name in list(overrides) if name in SYSTEM_FIELDS}
    return line_out(valid_line_body(**overrides), **system)


def contact(**overrides: Any) -> dict[str, Any]:
    return SPEC_CONTACT | overrides


def demo_facts(
    line: LineOut,
    *,
    today: date = TODAY,
    confirmed_on: date | None = None,
    quote_confirmed: bool = False,
) -> CatalogFacts:
    """What the demo catalog says about the line's ids."""
    offering = next((o for o in DEMO.offerings if o.id == line.product_offering_id), None)
    item = next(
        (e for e in DEMO.eligibility_items if e.id == line.product_offering_qualification_item_id),
        None,
    )
    return CatalogFacts(
        offering=ProductOffering(**offering.model_dump(exclude={"options"})) if offering else None,
        eligibility=Eligibility(
            item=EligibilityItem(**item.model_dump(exclude={"offerings"})),
            offering_ids=frozenset(item.offerings),
        )
        if item
        else None,
        known_option_ids=frozenset(o.id for o in DEMO.options) & set(line.option_ids),
        allowed_option_ids=frozenset(offering.options if offering else ()),
        quote_confirmed=quote_confirmed,
        today=today,
        confirmed_on=confirmed_on or today,
    )


def errors_of(line: LineOut, **facts: Any) -> list[ErrorEntry]:
    return check_line(line, demo_facts(line, **facts))


def entry(code: str, property_path: str, value: str = "") -> ErrorEntry:
    return ErrorEntry(code=code, property_path=property_path, value=value)


def contact_path(field: str, index: int = 0) -> str:
    return f"related_contact_information[{index}].{field}"


class TestValidLine:
    def test_passes_every_rule(self) -> None:
        assert errors_of(make_line()) == []

    def test_with_every_optional_part_passes(self) -> None:
        line = make_line(
            option_ids=["2210", "7021"],
            cpe_network_number="NET-1",
            cpe_serial_number="SR-1",
            quote_item_id="c0b5c9ab-c206-4858-8957-3befa6cbe58a",
            scheduled_delivery_date="2025-04-24",
            related_contact_information=[contact(), contact(siret="", contact2_email_address="")],
        )

        assert errors_of(line, quote_confirmed=True) == []


class TestEnniRequired:
    def test_missing_enni(self) -> None:
        assert errors_of(make_line(enni="")) == [entry("required", "enni")]

    def test_blank_enni(self) -> None:
        assert errors_of(make_line(enni="  ")) == [entry("required", "enni", "  ")]

    def test_dia_needs_none(self) -> None:
        assert errors_of(make_line(product_offering_id="3001", enni="")) == []


class TestContactInformationRequired:
    def test_missing_contact_information(self) -> None:
        line = make_line(related_contact_information=[])

        assert errors_of(line) == [entry("required", "related_contact_information")]

    @pytest.mark.parametrize(
        "field",
        [
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
        ],
    )
    def test_missing_field_of_first_entry(self, field: str) -> None:
        line = make_line(related_contact_information=[contact(**{field: ""})])

        assert errors_of(line) == [entry("required", contact_path(field))]

    def test_second_entry_needs_no_field(self) -> None:
        line = make_line(related_contact_information=[contact(), {}])

        assert errors_of(line) == []


class TestSiretValid:
    def test_required_when_siret_known(self) -> None:
        line = make_line(siret_known=True, related_contact_information=[contact(siret="")])

        assert errors_of(line) == [entry("required", contact_path("siret"))]

    def test_not_required_otherwise(self) -> None:
        line = make_line(siret_known=False, related_contact_information=[contact(siret="")])

        assert errors_of(line) == []

    @pytest.mark.parametrize(
        "siret", ["73282932000075", "7328293200007", "7328293200007A", ARABIC_ZERO * 14]
    )
    def test_invalid_siret(self, siret: str) -> None:
        line = make_line(related_contact_information=[contact(siret=siret)])

        assert errors_of(line) == [entry("invalid_siret", contact_path("siret"), siret)]

    def test_invalid_siret_on_second_entry(self) -> None:
        line = make_line(related_contact_information=[contact(), contact(siret="1234")])

        assert errors_of(line) == [entry("invalid_siret", contact_path("siret", 1), "1234")]

    @pytest.mark.parametrize("siret", ["73282932000074", "44306184100047", "35600000049837"])
    def test_valid_siret(self, siret: str) -> None:
        line = make_line(related_contact_information=[contact(siret=siret)])

        assert errors_of(line) == []


class TestContactFormatsValid:
    @pytest.mark.parametrize(
        ("field", "value", "rendered"),
        [
            ("contact1_email_address", "John.Doe@unknown", "John.Doe@unknown"),
            ("contact1_email_address", "John@Doe@unknown.com", "John@Doe@unknown.com"),
            ("contact1_email_address", "John Doe@unknown.com", "John Doe@unknown.com"),
            ("contact1_email_address", "John.Doe@unknown..com", "John.Doe@unknown..com"),
            ("contact2_email_address", "jane.doe", "jane.doe"),
            ("contact1_phone_number", "0023456789", "0023456789"),
            ("contact1_phone_number", "012345678", "012345678"),
            ("contact1_phone_number", "+330123456789", "+330123456789"),
            ("contact1_phone_number", "01 23 45 6789", "01 23 45 6789"),
            ("contact2_phone_number", "+44 20 7946 0958", "+44 20 7946 0958"),
            ("postcode", "7613", "7613"),
            ("postcode", "76130A", "76130A"),
            ("postcode", ARABIC_ZERO * 5, ARABIC_ZERO * 5),
            ("insee_code", "764510", "764510"),
            ("insee_code", "2C004", "2C004"),
            ("latitude", 90.5, "90.5"),
            ("latitude", -91, "-91.0"),
            ("longitude", 180.1, "180.1"),
            ("longitude", -200, "-200.0"),
        ],
    )
    def test_invalid_format(self, field: str, value: object, rendered: str) -> None:
        line = make_line(related_contact_information=[contact(**{field: value})])

        assert errors_of(line) == [entry("invalid_format", contact_path(field), rendered)]

    def test_checked_on_every_entry(self) -> None:
        line = make_line(related_contact_information=[contact(), contact(postcode="1")])

        assert errors_of(line) == [entry("invalid_format", contact_path("postcode", 1), "1")]

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("contact1_phone_number", "01 23 45 67 89"),
            ("contact1_phone_number", "01.23.45.67.89"),
            ("contact1_phone_number", "+33 1 23 45 67 89"),
            ("contact1_phone_number", "+33612345678"),
            ("contact1_email_address", "a.b+c@sub.example.fr"),
            ("insee_code", "2A004"),
            ("insee_code", "2B033"),
            ("latitude", -90),
            ("longitude", 180),
            ("contact2_phone_number", ""),
            ("latitude", None),
        ],
    )
    def test_valid_format(self, field: str, value: object) -> None:
        line = make_line(related_contact_information=[contact(**{field: value})])

        assert errors_of(line) == []


class TestCpeFieldsMatchOption:
    def test_required_with_option_7021(self) -> None:
        line = make_line(option_ids=["7021"])

        assert errors_of(line) == [
            entry("required", "cpe_networking_number"),
            entry("required", "cpe_serial_number"),
        ]

    def test_must_be_empty_without_it(self) -> None:
        line = make_line(cpe_network_number="NET-1", cpe_serial_number="SR-1")

        assert errors_of(line) == [
            entry("must_be_empty", "cpe_networking_number", "NET-1"),
            entry("must_be_empty", "cpe_serial_number", "SR-1"),
        ]


class TestEligibilityKnown:
    def test_unknown_item(self) -> None:
        line = make_line(product_offering_qualification_item_id=UNKNOWN_ID)

        assert errors_of(line) == [
            entry("unknown_eligibility", "product_offering_qualification_item_id", UNKNOWN_ID)
        ]

    def test_empty_item(self) -> None:
        line = make_line(product_offering_qualification_item_id="")

        assert errors_of(line) == [entry("required", "product_offering_qualification_item_id")]


class TestOfferEligible:
    def test_offering_not_deliverable_at_the_address(self) -> None:
        line = make_line(product_offering_qualification_item_id=ROUEN_ELIGIBILITY_ID)

        assert errors_of(line) == [entry("offer_not_eligible", "product_offering_id", "2173")]

    def test_unknown_offering(self) -> None:
        line = make_line(product_offering_id="9999", option_ids=["2210"])

        assert errors_of(line) == [entry("offer_not_eligible", "product_offering_id", "9999")]

    def test_empty_offering(self) -> None:
        assert errors_of(make_line(product_offering_id="")) == [
            entry("required", "product_offering_id")
        ]


class TestOptionsAllowed:
    def test_unknown_option(self) -> None:
        line = make_line(option_ids=["2210", "9999"])

        assert errors_of(line) == [entry("unknown_option", "option_ids[1]", "9999")]

    def test_option_not_allowed_with_the_offering(self) -> None:
        line = make_line(product_offering_id="2180", option_ids=["2210", "1615"])

        assert errors_of(line) == [entry("option_not_allowed", "option_ids[1]", "1615")]


class TestQuoteConfirmed:
    QUOTE_LINE_ID = "c0b5c9ab-c206-4858-8957-3befa6cbe58a"

    def test_not_a_confirmed_quote_line_of_the_client(self) -> None:
        line = make_line(quote_item_id=self.QUOTE_LINE_ID)

        assert errors_of(line, quote_confirmed=False) == [
            entry("unknown_quote", "quote_item_id", self.QUOTE_LINE_ID)
        ]

    def test_confirmed_quote_line(self) -> None:
        line = make_line(quote_item_id=self.QUOTE_LINE_ID)

        assert errors_of(line, quote_confirmed=True) == []


class TestDeliveryDateInFuture:
    @pytest.mark.parametrize("day", [TODAY, TODAY - timedelta(days=1)])
    def test_today_or_past(self, day: date) -> None:
        line = make_line(scheduled_delivery_date=day.isoformat())

        assert errors_of(line) == [
            entry("invalid_date", "scheduled_delivery_date", day.isoformat())
        ]


class TestNotExpired:
    def test_confirmed_after_expiry(self) -> None:
        confirmed_on = EXPIRES_ON + timedelta(days=1)

        assert errors_of(make_line(), today=confirmed_on, confirmed_on=confirmed_on) == [
            entry("expired", "expiration_date", EXPIRES_ON.isoformat())
        ]

    def test_confirmed_on_the_last_day(self) -> None:
        assert errors_of(make_line(), today=EXPIRES_ON, confirmed_on=EXPIRES_ON) == []

    def test_reaching_the_back_end_after_expiry_when_confirmed_in_time(self) -> None:
        late = EXPIRES_ON + timedelta(days=1)

        assert errors_of(make_line(), today=late, confirmed_on=EXPIRES_ON) == []


class TestCheckLine:
    def test_reports_every_failure_in_a_stable_order(self) -> None:
        line = make_line(
            enni="",
            related_contact_information=[
                contact(city="", postcode="7613", siret="1"),
                contact(contact2_phone_number="12"),
            ],
            option_ids=["9999"],
            cpe_serial_number="SR-1",
            quote_item_id=UNKNOWN_ID,
            scheduled_delivery_date="2025-01-01",
        )

        assert errors_of(line, confirmed_on=EXPIRES_ON + timedelta(days=1)) == [
            entry("required", "enni"),
            entry("required", contact_path("city")),
            entry("invalid_siret", contact_path("siret"), "1"),
            entry("invalid_format", contact_path("postcode"), "7613"),
            entry("invalid_format", contact_path("contact2_phone_number", 1), "12"),
            entry("must_be_empty", "cpe_serial_number", "SR-1"),
            entry("unknown_option", "option_ids[0]", "9999"),
            entry("unknown_quote", "quote_item_id", UNKNOWN_ID),
            entry("invalid_date", "scheduled_delivery_date", "2025-01-01"),
            entry("expired", "expiration_date", EXPIRES_ON.isoformat()),
        ]


class TestDocumentationExamples:
    """The documentation's own lines, against the demo catalog, on the day they were written."""

    def spec_request_line(self, **overrides: Any) -> LineOut:
        return line_out(
            SPEC_LINE_REQUEST
            | {
                "product_offering_qualification_item_id": ELIGIBILITY_ID,
                "quote_item_id": "c0b5c9ab-c206-4858-8957-3befa6cbe58a",
                "related_contact_information": [SPEC_CONTACT],
            }
            | overrides
        )

    def test_request_example_sends_cpe_numbers_without_option_7021(self) -> None:
        line = self.spec_request_line()

        assert errors_of(line, quote_confirmed=True) == [
            entry("must_be_empty", "cpe_networking_number", "NET-123456"),
            entry("must_be_empty", "cpe_serial_number", "SR-123456"),
        ]

    def test_request_example_with_option_7021_passes_and_waits_for_adv(self) -> None:
        line = self.spec_request_line(option_ids=["7021"])

        assert errors_of(line, quote_confirmed=True) == []
        assert manual_validation_needed(line, demo_facts(line).offering)

    def test_confirmed_example_lacks_its_enni_and_option_7021(self) -> None:
        line = line_out(SPEC_CONFIRMED_LINE)

        assert errors_of(line) == [
            entry("required", "enni"),
            entry("must_be_empty", "cpe_networking_number", "NET-123456"),
            entry("must_be_empty", "cpe_serial_number", "SR-123456"),
        ]


class TestManualValidationNeeded:
    @pytest.mark.parametrize(
        ("overrides", "needed"),
        [
            ({}, False),
            ({"specific_request": "Demande de raccordement spécifique"}, True),
            ({"specific_request": "   "}, False),
            ({"product_offering_id": "2180"}, True),
            ({"product_offering_id": "9999"}, False),
        ],
    )
    def test_needed(self, overrides: dict[str, Any], needed: bool) -> None:
        line = make_line(**overrides)

        assert manual_validation_needed(line, demo_facts(line).offering) is needed


def luhn_check_digit(digits: str) -> str:
    """The digit that makes `digits + it` Luhn-valid (doubling every second digit from the right
    of the completed number)."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        doubled = int(digit) * (2 if position % 2 == 0 else 1)
        total += doubled - 9 if doubled > 9 else doubled
    return str(-total % 10)


class TestSiretProperties:
    @given(st.text("0123456789", min_size=13, max_size=13))
    def test_luhn_valid_numbers_pass(self, body: str) -> None:
        assert is_valid_siret(body + luhn_check_digit(body))

    @given(
        st.text("0123456789", min_size=13, max_size=13),
        st.integers(0, 13),
        st.integers(1, 9),
    )
    def test_a_changed_digit_fails(self, body: str, position: int, shift: int) -> None:
        siret = body + luhn_check_digit(body)
        changed = (
            siret[:position] + str((int(siret[position]) + shift) % 10) + siret[position + 1 :]
        )
        assume(not changed.startswith("356000000"))  # La Poste's numbers follow their own sum

        assert not is_valid_siret(changed)


SEPARATORS = st.sampled_from(["", " ", ".", "-"])
PAIRS = st.lists(st.text("0123456789", min_size=2, max_size=2), min_size=4, max_size=4)


class TestPhoneProperties:
    @given(st.sampled_from(["0", "+33", "+33 "]), st.integers(1, 9), PAIRS, SEPARATORS)
    def test_french_numbers_pass(
        self, prefix: str, first: int, pairs: list[str], separator: str
    ) -> None:
        assert is_valid_phone(prefix + str(first) + separator + separator.join(pairs))

    @given(st.sampled_from(["0", "+33"]), PAIRS)
    def test_national_number_starting_with_zero_fails(self, prefix: str, pairs: list[str]) -> None:
        assert not is_valid_phone(prefix + "0" + "".join(pairs))

    @given(st.sampled_from(["0", "+33"]), st.integers(1, 9), st.text("0123456789", max_size=12))
    def test_other_lengths_fail(self, prefix: str, first: int, digits: str) -> None:
        assume(len(digits) != 8)

        assert not is_valid_phone(prefix + str(first) + digits)
