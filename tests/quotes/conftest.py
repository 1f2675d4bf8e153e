"""Quote fixtures: a catalog offering of another family and technology, for the list filters."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete

from order_taking.catalog.models import EligibleOffering, ProductOffering
from order_taking.core.database import Database
from tests.quotes.factories import ROUEN_ITEM

COPPER_OFFERING = "9001"


@pytest.fixture
async def copper_offering(database: Database) -> AsyncIterator[str]:
    """Offering 9001 (family LAN, technology COPPER), eligible at the Rouen item, for one test."""
    async with database.transaction() as db:
        db.add(
            ProductOffering(
                id=COPPER_OFFERING, name="Copper LAN", offer_family="LAN", offer_technology="COPPER"
            )
        )
        await db.flush()
        db.add(EligibleOffering(eligibility_item_id=ROUEN_ITEM, offering_id=COPPER_OFFERING))
    yield COPPER_OFFERING
    async with database.transaction() as db:
        await db.execute(delete(ProductOffering).where(ProductOffering.id == COPPER_OFFERING))
