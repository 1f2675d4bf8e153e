"""Quote services where the HTTP view is not enough: offering rows and concurrent confirms."""

import asyncio
import secrets

import httpx
import pytest
from sqlalchemy import select, text

from order_taking.app import load_demo_catalog_if_empty
from order_taking.catalog.schemas import CatalogFile
from order_taking.catalog.service import demo_catalog, replace_catalog
from order_taking.clients.service import ClientIdentity, create_client
from order_taking.core.database import Database
from order_taking.core.errors import InvalidState
from order_taking.quotes import service
from order_taking.quotes.models import QuoteLineOffering
from order_taking.quotes.schemas import QuoteCartFields, QuoteLineCreate, QuoteLineFields
from tests.polling import eventually
from tests.quotes.factories import BPE, DIA, ITEM, confirmed_line


async def new_client(database: Database) -> ClientIdentity:
    async with database.transaction() as db:
        client, _ = await create_client(db, "Q" + secrets.token_hex(4).upper())
        return ClientIdentity(id=client.id, code=client.code)


async def new_cart(database: Database, client: ClientIdentity, *offerings: str) -> str:
    """A cart of one line quoting these offerings."""
    async with database.transaction() as db:
        cart = await service.create_cart(db, client, QuoteCartFields())
        line = QuoteLineCreate(
            product_offering_qualification_item_id=ITEM, product_offerings=list(offerings)
        )
        await service.add_line(db, client, cart.id, line)
        return cart.id


async def offering_rows(database: Database) -> list[tuple[int, str, str, str]]:
    async with database.transaction() as db:
        rows = await db.scalars(select(QuoteLineOffering).order_by(QuoteLineOffering.position))
        return [(r.position, r.offering_id, r.offer_family, r.offer_technology) for r in rows]


class TestAddLine:
    async def test_keeps_one_row_per_offering_with_its_family(self, database: Database) -> None:
        await new_cart(database, await new_client(database), BPE, DIA)

        assert await offering_rows(database) == [
            (0, BPE, "BPE", "FIBDE"),
            (1, DIA, "DIA", "FIBDE"),
        ]


class TestUpdateLine:
    async def test_keeps_the_offering_rows_in_step(self, database: Database) -> None:
        client = await new_client(database)
        cart_id = await new_cart(database, client, BPE, DIA)
        async with database.transaction() as db:
            line_id = (await service.get_cart(db, client, cart_id)).lines[0].id

            await service.update_line(
                db, client, cart_id, line_id, QuoteLineFields(product_offerings=[DIA])
            )

        assert await offering_rows(database) == [(0, DIA, "DIA", "FIBDE")]


async def wait_for_a_lock_wait(database: Database) -> None:
    """Returns once a session of this database waits on a lock; fails after the deadline."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )

    async def a_session_waits() -> bool:
        async with database.transaction() as db:
            return bool(await db.scalar(query))

    await eventually(a_session_waits, what="a confirm waiting on the cart's lock")


@pytest.mark.postgresql
class TestConfirmCart:
    async def test_a_second_confirm_waits_and_then_finds_the_cart_confirmed(
        self, postgresql_url: str
    ) -> None:
        database = Database(postgresql_url)
        try:
            await load_demo_catalog_if_empty(database)
            client = await new_client(database)
            cart_id = await new_cart(database, client, BPE)

            async def confirm_in_own_transaction() -> None:
                async with database.transaction() as db:
                    await service.confirm_cart(db, client, cart_id)

            async with database.transaction() as db:
                await service.confirm_cart(db, client, cart_id)
                second = asyncio.create_task(confirm_in_own_transaction())
                await wait_for_a_lock_wait(database)
                first_quote_date = (await service.get_cart(db, client, cart_id)).quote_date

            with pytest.raises(InvalidState):
                await second
            async with database.transaction() as db:
                cart = await service.get_cart(db, client, cart_id)
            assert cart.quote_date == first_quote_date
        finally:
            await database.dispose()


class TestSiteKeptByTheLine:
    async def test_a_new_catalog_without_the_item_leaves_the_quoted_address(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        quoted = await confirmed_line(api)
        try:
            async with database.transaction() as db:
                await replace_catalog(db, CatalogFile())

            line = (await api.get(f"/api/v1/quote_item/{quoted['id']}/")).json()
        finally:
            async with database.transaction() as db:
                await replace_catalog(db, demo_catalog())

        assert line["address"] == {
            "street_number": "4",
            "street_name": "Rue Andrei Sakharov",
            "postcode": "76130",
            "city": "Mont-Saint-Aignan",
            "insee_code": "76451",
        }
        assert (line["latitude"], line["longitude"]) == (49.4744077, 1.091455)
