"""The built-in back end against the real database and the demo catalog.

Lines are created through the API; quote lines are written with the ORM (the quotes API is
another feature's).
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from order_taking.backend.builtin import CatalogBackend, backend_order_id, dia_enni
from order_taking.backend.interface import OrderCreated, OrderRejected, OrderRequest, load_backend
from order_taking.catalog.schemas import CatalogFile
from order_taking.catalog.service import demo_catalog, replace_catalog
from order_taking.clients.models import Client
from order_taking.core.database import Database
from order_taking.core.errors import ErrorEntry
from order_taking.core.settings import Settings
from order_taking.core.time import now
from order_taking.ordering.schemas import LineOut
from order_taking.ordering.states import LineState
from order_taking.quotes.models import QuoteCart, QuoteLine
from order_taking.quotes.states import QuoteState
from tests.backend.examples import ELIGIBILITY_ID, UNKNOWN_ID, valid_line_body
from tests.conftest import ClientFactory

BUILDING_REF = "IMB/76451/X/01AB"  # the demo catalog's, at ELIGIBILITY_ID

RequestFactory = Callable[..., Awaitable[OrderRequest]]


async def client_id(database: Database, code: str) -> str:
    async with database.transaction() as db:
        found: str = await db.scalar(select(Client.id).where(Client.code == code))
    return found


async def add_quote_line(database: Database, client_id: str, *, state: QuoteState) -> str:
    async with database.transaction() as db:
        cart = QuoteCart(client_id=client_id, state=state.value, creation_date=now())
        db.add(cart)
        await db.flush()
        line = QuoteLine(
            quote_id=cart.id,
            client_id=client_id,
            reference=f"QT_{cart.id[:8]}",
            state=state.value,
            product_offering_qualification_item_id=ELIGIBILITY_ID,
            product_offerings=["2173"],
            creation_date=now(),
        )
        db.add(line)
        await db.flush()
        return line.id


@pytest.fixture
def backend(database: Database, settings: Settings) -> CatalogBackend:
    return CatalogBackend(database, settings)


@pytest.fixture
async def order_request(api: httpx.AsyncClient, database: Database) -> RequestFactory:
    """`await order_request(enni="")`: a line created through the API by DC173, to be ordered."""

    async def make(**overrides: Any) -> OrderRequest:
        session = await api.post("/api/v1/product_order/", json={})
        assert session.status_code == 201, session.text
        response = await api.post(
            f"/api/v1/product_order/{session.json()['id']}/product_order_item/",
            json=valid_line_body(**overrides),
        )
        assert response.status_code == 201, response.text
        return OrderRequest(
            line=LineOut.model_validate(response.json()),
            client_id=await client_id(database, "DC173"),
            client_code="DC173",
        )

    return make


class TestCreateOrder:
    async def test_valid_line_is_acknowledged(
        self, backend: CatalogBackend, order_request: RequestFactory
    ) -> None:
        request = await order_request()

        outcome = await backend.create_order(request)

        assert outcome == OrderCreated(
            state=LineState.ACKNOWLEDGED,
            backend_order_id=backend_order_id(request.line.id),
            reason=f"Order {backend_order_id(request.line.id)} created.",
            updates={"building_ref": BUILDING_REF},
        )

    async def test_same_line_twice_names_the_same_order(
        self, backend: CatalogBackend, order_request: RequestFactory
    ) -> None:
        request, other = await order_request(), await order_request()

        first, again, different = (
            await backend.create_order(request),
            await backend.create_order(request),
            await backend.create_order(other),
        )

        assert isinstance(first, OrderCreated)
        assert isinstance(again, OrderCreated)
        assert isinstance(different, OrderCreated)
        assert first.backend_order_id == again.backend_order_id != different.backend_order_id

    async def test_specific_request_is_held_for_adv(
        self, backend: CatalogBackend, order_request: RequestFactory
    ) -> None:
        request = await order_request(specific_request="Raccordement en façade")

        outcome = await backend.create_order(request)

        assert isinstance(outcome, OrderCreated)
        assert outcome.state == LineState.HELD_ADV_VALIDATION
        assert outcome.reason.endswith(
            "held for ADV validation: the line carries a specific request."
        )

    async def test_manual_validation_offering_is_held_for_adv(
        self, backend: CatalogBackend, order_request: RequestFactory
    ) -> None:
        request = await order_request(product_offering_id="2180")

        outcome = await backend.create_order(request)

        assert isinstance(outcome, OrderCreated)
        assert outcome.state == LineState.HELD_ADV_VALIDATION
        assert outcome.reason.endswith(
            "held for ADV validation: offering 2180 is validated manually."
        )

    async def test_dia_enni_is_computed_whatever_was_sent(
        self, backend: CatalogBackend, order_request: RequestFactory
    ) -> None:
        sent, omitted = (
            await order_request(product_offering_id="3001", enni="AZ001234"),
            await order_request(product_offering_id="3001", enni=""),
        )

        outcomes = [await backend.create_order(sent), await backend.create_order(omitted)]

        computed = dia_enni(ELIGIBILITY_ID)
        assert computed != "AZ001234"
        for outcome in outcomes:
            assert isinstance(outcome, OrderCreated)
            assert outcome.state == LineState.ACKNOWLEDGED
            assert outcome.updates == {"building_ref": BUILDING_REF, "enni": computed}

    async def test_unknown_eligibility_is_rejected(
        self, backend: CatalogBackend, order_request: RequestFactory
    ) -> None:
        request = await order_request(product_offering_qualification_item_id=UNKNOWN_ID)

        outcome = await backend.create_order(request)

        assert outcome == OrderRejected(
            errors=[
                ErrorEntry(
                    code="unknown_eligibility",
                    property_path="product_offering_qualification_item_id",
                    value=UNKNOWN_ID,
                )
            ],
            reason="Order not created, 1 rule(s) failed: "
            "product_offering_qualification_item_id unknown_eligibility.",
        )

    async def test_every_failure_is_reported(
        self, backend: CatalogBackend, order_request: RequestFactory
    ) -> None:
        request = await order_request(
            enni="", option_ids=["7021", "9999"], related_contact_information=[]
        )

        outcome = await backend.create_order(request)

        assert isinstance(outcome, OrderRejected)
        assert [(e.code, e.property_path) for e in outcome.errors] == [
            ("required", "enni"),
            ("required", "related_contact_information"),
            ("required", "cpe_networking_number"),
            ("required", "cpe_serial_number"),
            ("unknown_option", "option_ids[1]"),
        ]
        assert outcome.reason.startswith("Order not created, 5 rule(s) failed: enni required, ")


class TestQuoteItem:
    async def test_confirmed_quote_line_of_the_client_is_accepted(
        self, backend: CatalogBackend, order_request: RequestFactory, database: Database
    ) -> None:
        quote_line_id = await add_quote_line(
            database, await client_id(database, "DC173"), state=QuoteState.CONFIRMED
        )

        outcome = await backend.create_order(await order_request(quote_item_id=quote_line_id))

        assert isinstance(outcome, OrderCreated)
        assert outcome.state == LineState.ACKNOWLEDGED

    @pytest.mark.parametrize(
        ("owner", "state"),
        [("DG541", QuoteState.CONFIRMED), ("DC173", QuoteState.CREATED), (None, None)],
        ids=["other client's", "unconfirmed", "unknown"],
    )
    async def test_other_quote_lines_are_unknown(
        self,
        owner: str | None,
        state: QuoteState | None,
        backend: CatalogBackend,
        order_request: RequestFactory,
        make_client: ClientFactory,
        database: Database,
    ) -> None:
        await make_client("DG541")
        quote_id = UNKNOWN_ID
        if owner and state:
            quote_id = await add_quote_line(database, await client_id(database, owner), state=state)

        outcome = await backend.create_order(await order_request(quote_item_id=quote_id))

        assert outcome == OrderRejected(
            errors=[
                ErrorEntry(code="unknown_quote", property_path="quote_item_id", value=quote_id)
            ],
            reason="Order not created, 1 rule(s) failed: quote_item_id unknown_quote.",
        )


class TestCallsSideBySide:
    async def test_lines_answered_together_get_the_answers_they_get_alone(
        self,
        backend: CatalogBackend,
        order_request: RequestFactory,
        make_client: ClientFactory,
        database: Database,
        settings: Settings,
    ) -> None:
        await make_client("DG541")
        quote_line_id = await add_quote_line(
            database, await client_id(database, "DC173"), state=QuoteState.CONFIRMED
        )
        quoted = await order_request(quote_item_id=quote_line_id)
        requests = [
            await order_request(),
            await order_request(product_offering_qualification_item_id=UNKNOWN_ID),
            await order_request(product_offering_id="2180"),
            await order_request(product_offering_id="3001", enni=""),
            await order_request(option_ids=["7021", "9999"], related_contact_information=[]),
            quoted,
            # The same quote line named by another client's line: not that client's.
            replace(quoted, client_id=await client_id(database, "DG541"), client_code="DG541"),
        ]
        alone = [await CatalogBackend(database, settings).create_order(r) for r in requests]

        together = await asyncio.gather(*(backend.create_order(r) for r in requests))

        assert together == alone
        assert [type(outcome) for outcome in together] == [
            OrderCreated,
            OrderRejected,
            OrderCreated,
            OrderCreated,
            OrderRejected,
            OrderCreated,
            OrderRejected,
        ]

    async def test_a_line_sent_after_a_new_catalog_is_checked_against_it(
        self, backend: CatalogBackend, order_request: RequestFactory, database: Database
    ) -> None:
        request = await order_request()
        assert isinstance(await backend.create_order(request), OrderCreated)
        try:
            async with database.transaction() as db:
                await replace_catalog(db, CatalogFile())

            outcome = await backend.create_order(request)
        finally:
            async with database.transaction() as db:
                await replace_catalog(db, demo_catalog())

        assert isinstance(outcome, OrderRejected)
        assert [(e.code, e.property_path) for e in outcome.errors] == [
            ("unknown_eligibility", "product_offering_qualification_item_id"),
            ("offer_not_eligible", "product_offering_id"),
        ]


class TestLoadBackend:
    def test_default_setting_names_the_catalog_backend(
        self, database: Database, settings: Settings
    ) -> None:
        assert settings.backend == "order_taking.backend.builtin:CatalogBackend"
        assert isinstance(load_backend(database, settings), CatalogBackend)
