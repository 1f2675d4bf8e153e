"""What a quote line must name in the catalog: plain functions, one entry per problem."""

from collections.abc import Collection
from dataclasses import dataclass

from order_taking.catalog.service import Eligibility
from order_taking.core.errors import ErrorEntry


@dataclass(frozen=True)
class CatalogRefs:
    """The catalog ids a quote line names, as the line will be once saved."""

    eligibility_item_id: str
    offering_ids: list[str]
    option_ids: list[str]


def catalog_errors(
    refs: CatalogRefs,
    eligibility: Eligibility | None,
    known_offerings: Collection[str],
    known_options: Collection[str],
) -> list[ErrorEntry]:
    """Unknown eligibility item, offerings unknown or not eligible there, unknown options."""
    errors = []
    if eligibility is None:
        errors.append(
            ErrorEntry(
                code="unknown_eligibility",
                property_path="product_offering_qualification_item_id",
                value=refs.eligibility_item_id,
            )
        )
    for i, offering_id in enumerate(refs.offering_ids):
        path = f"product_offerings[{i}]"
        if offering_id not in known_offerings:
            errors.append(
                ErrorEntry(code="unknown_offering", property_path=path, value=offering_id)
            )
        elif eligibility is not None and offering_id not in eligibility.offering_ids:
            errors.append(
                ErrorEntry(code="offer_not_eligible", property_path=path, value=offering_id)
            )
    errors.extend(
        ErrorEntry(code="unknown_option", property_path=f"option_ids[{i}]", value=option_id)
        for i, option_id in enumerate(refs.option_ids)
        if option_id not in known_options
    )
    return errors
