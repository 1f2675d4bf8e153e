"""The application's start-up."""

import asyncio

from order_taking.app import load_demo_catalog_if_empty
from order_taking.catalog import service as catalog
from order_taking.core.database import Database


class TestLoadDemoCatalogIfEmpty:
    async def test_processes_starting_together_load_it_once(self, empty_database_url: str) -> None:
        processes = [Database(empty_database_url) for _ in range(4)]
        try:
            await asyncio.gather(*(load_demo_catalog_if_empty(each) for each in processes))
            async with processes[0].transaction() as db:
                loaded = await catalog.read_catalog(db)
        finally:
            for each in processes:
                await each.dispose()

        demo = catalog.demo_catalog()
        assert len(loaded.eligibility_items) == len(demo.eligibility_items)
        assert {o.id for o in loaded.offerings} == {o.id for o in demo.offerings}
