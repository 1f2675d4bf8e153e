"""The catalog rules of a quote line, without HTTP or a database."""

from order_taking.catalog.models import EligibilityItem
from order_taking.catalog.service import Eligibility
from order_taking.core.errors import ErrorEntry
from order_taking.quotes.rules import CatalogRefs, catalog_errors

OFFERINGS = {"2173", "3001"}
OPTIONS = {"2210", "1615"}
ROUEN = Eligibility(item=EligibilityItem(id="rouen"), offering_ids=frozenset({"3001"}))


def refs(
    item: str = "rouen", offerings: tuple[str, ...] = ("3001",), options: tuple[str, ...] = ()
) -> CatalogRefs:
    return CatalogRefs(item, list(offerings), list(options))


def codes(errors: list[ErrorEntry]) -> list[tuple[str, str, str]]:
    return [(e.code, e.property_path, e.value) for e in errors]


class TestCatalogErrors:
    def test_a_line_the_catalog_offers_passes(self) -> None:
        assert catalog_errors(refs(options=("2210", "1615")), ROUEN, OFFERINGS, OPTIONS) == []

    def test_an_unknown_eligibility_item(self) -> None:
        errors = catalog_errors(refs(item="nowhere"), None, OFFERINGS, OPTIONS)

        assert codes(errors) == [
            ("unknown_eligibility", "product_offering_qualification_item_id", "nowhere")
        ]

    def test_eligibility_is_not_judged_without_an_item(self) -> None:
        errors = catalog_errors(refs(offerings=("2173", "9999")), None, OFFERINGS, OPTIONS)

        assert [code for code, _, _ in codes(errors)] == ["unknown_eligibility", "unknown_offering"]

    def test_each_unknown_or_ineligible_offering_at_its_index(self) -> None:
        errors = catalog_errors(refs(offerings=("3001", "9999", "2173")), ROUEN, OFFERINGS, OPTIONS)

        assert codes(errors) == [
            ("unknown_offering", "product_offerings[1]", "9999"),
            ("offer_not_eligible", "product_offerings[2]", "2173"),
        ]

    def test_each_unknown_option_at_its_index(self) -> None:
        errors = catalog_errors(refs(options=("0000", "2210", "7")), ROUEN, OFFERINGS, OPTIONS)

        assert codes(errors) == [
            ("unknown_option", "option_ids[0]", "0000"),
            ("unknown_option", "option_ids[2]", "7"),
        ]
