"""Loading the catalog, and the look-ups that order creation and quotes make in it."""

import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.catalog.models import (
    AllowedOption,
    EligibilityItem,
    EligibleOffering,
    ProductOffering,
    ProductOption,
)
from order_taking.catalog.schemas import CatalogFile


def demo_catalog() -> CatalogFile:
    text = resources.files("order_taking.catalog").joinpath("demo_catalog.json").read_text()
    return CatalogFile.model_validate(json.loads(text))


async def catalog_is_empty(db: AsyncSession) -> bool:
    return not await db.scalar(select(exists().where(ProductOffering.id.is_not(None))))


async def replace_catalog(db: AsyncSession, catalog: CatalogFile) -> None:
    """The catalog becomes exactly the file's. Lines keep their own copies of what they ordered."""
    for model in (EligibleOffering, AllowedOption, EligibilityItem, ProductOption, ProductOffering):
        await db.execute(delete(model))
    db.add_all(ProductOption(id=o.id, name=o.name) for o in catalog.options)
    db.add_all(ProductOffering(**o.model_dump(exclude={"options"})) for o in catalog.offerings)
    db.add_all(
        EligibilityItem(**e.model_dump(exclude={"offerings"})) for e in catalog.eligibility_items
    )
    await db.flush()
    db.add_all(
        AllowedOption(offering_id=o.id, option_id=option_id)
        for o in catalog.offerings
        for option_id in o.options
    )
    db.add_all(
        EligibleOffering(eligibility_item_id=e.id, offering_id=offering_id)
        for e in catalog.eligibility_items
        for offering_id in e.offerings
    )
    await db.flush()


async def read_catalog(db: AsyncSession) -> CatalogFile:
    """The stored catalog, in the file format."""
    allowed = (await db.execute(select(AllowedOption.offering_id, AllowedOption.option_id))).all()
    eligible = (
        await db.execute(select(EligibleOffering.eligibility_item_id, EligibleOffering.offering_id))
    ).all()
    return CatalogFile.model_validate(
        {
            "options": [
                {"id": o.id, "name": o.name}
                for o in await db.scalars(select(ProductOption).order_by(ProductOption.id))
            ],
            "offerings": [
                {
                    "id": o.id,
                    "name": o.name,
                    "offer_family": o.offer_family,
                    "offer_technology": o.offer_technology,
                    "manual_validation": o.manual_validation,
                    "options": sorted(opt for off, opt in allowed if off == o.id),
                }
                for o in await db.scalars(select(ProductOffering).order_by(ProductOffering.id))
            ],
            "eligibility_items": [
                {
                    "id": e.id,
                    "street_number": e.street_number,
                    "street_name": e.street_name,
                    "postcode": e.postcode,
                    "city": e.city,
                    "insee_code": e.insee_code,
                    "building_ref": e.building_ref,
                    "latitude": e.latitude,
                    "longitude": e.longitude,
                    "offerings": sorted(off for item, off in eligible if item == e.id),
                }
                for e in await db.scalars(select(EligibilityItem).order_by(EligibilityItem.id))
            ],
        }
    )


@dataclass(frozen=True)
class Eligibility:
    """An eligibility item and the offerings deliverable at its address."""

    item: EligibilityItem
    offering_ids: frozenset[str]


async def find_offerings(
    db: AsyncSession, offering_ids: Collection[str]
) -> dict[str, ProductOffering]:
    rows = await db.scalars(select(ProductOffering).where(ProductOffering.id.in_(offering_ids)))
    return {o.id: o for o in rows}


async def known_option_ids(db: AsyncSession, option_ids: Collection[str]) -> set[str]:
    rows = await db.scalars(select(ProductOption.id).where(ProductOption.id.in_(option_ids)))
    return set(rows)


async def allowed_options(
    db: AsyncSession, offering_ids: Collection[str]
) -> dict[str, frozenset[str]]:
    """The options allowed with each of these offerings (an offering allowing none is absent)."""
    rows = await db.execute(
        select(AllowedOption.offering_id, AllowedOption.option_id).where(
            AllowedOption.offering_id.in_(offering_ids)
        )
    )
    allowed: defaultdict[str, set[str]] = defaultdict(set)
    for offering_id, option_id in rows:
        allowed[offering_id].add(option_id)
    return {offering_id: frozenset(options) for offering_id, options in allowed.items()}


async def find_eligibility(db: AsyncSession, item_id: str) -> Eligibility | None:
    return (await find_eligibilities(db, [item_id])).get(item_id)


async def find_eligibilities(db: AsyncSession, item_ids: Collection[str]) -> dict[str, Eligibility]:
    """The eligibility items of these ids that exist, by id."""
    items = await db.scalars(select(EligibilityItem).where(EligibilityItem.id.in_(item_ids)))
    offerings: defaultdict[str, set[str]] = defaultdict(set)
    rows = await db.execute(
        select(EligibleOffering.eligibility_item_id, EligibleOffering.offering_id).where(
            EligibleOffering.eligibility_item_id.in_(item_ids)
        )
    )
    for item_id, offering_id in rows:
        offerings[item_id].add(offering_id)
    return {
        item.id: Eligibility(item=item, offering_ids=frozenset(offerings[item.id]))
        for item in items
    }
