"""The documented flows through the real back end: the API, the built-in back end and a worker."""

from typing import Any

import httpx

from order_taking.backend.builtin import CatalogBackend
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from tests.backend.conftest import WorkerFactory
from tests.backend.examples import valid_line_body
from tests.quotes.factories import confirmed_line


async def order(
    api: httpx.AsyncClient, make_worker: WorkerFactory, backend: CatalogBackend, **fields: Any
) -> dict[str, Any]:
    """One line ordered, confirmed and answered by the back end: the session's detail after."""
    session_id = (await api.post("/api/v1/product_order/", json={})).json()["id"]
    created = await api.post(
        f"/api/v1/product_order/{session_id}/product_order_item/", json=valid_line_body(**fields)
    )
    assert created.status_code == 201, created.text
    assert (await api.patch(f"/api/v1/product_order/{session_id}/confirm/")).status_code == 200
    assert await make_worker(backend).run_once() == 1
    detail: dict[str, Any] = (await api.get(f"/api/v1/product_order/{session_id}/")).json()
    return detail


class TestOrderFollowingAQuote:
    async def test_a_confirmed_quote_line_of_the_client_is_accepted_and_kept(
        self,
        api: httpx.AsyncClient,
        make_worker: WorkerFactory,
        database: Database,
        settings: Settings,
    ) -> None:
        quote_line = await confirmed_line(api)

        session = await order(
            api, make_worker, CatalogBackend(database, settings), quote_item_id=quote_line["id"]
        )

        assert session["state"] == "completed"
        [line] = session["product_order_item"]
        assert (line["state"], line["quote_item_id"]) == ("acknowledged", quote_line["id"])
        assert line["termination_error"] == []

    async def test_another_clients_quote_line_is_an_unknown_quote(
        self,
        api: httpx.AsyncClient,
        make_client: Any,
        make_worker: WorkerFactory,
        database: Database,
        settings: Settings,
    ) -> None:
        other_quote_line = await confirmed_line(await make_client("XY999"))

        session = await order(
            api,
            make_worker,
            CatalogBackend(database, settings),
            quote_item_id=other_quote_line["id"],
        )

        assert session["state"] == "rejected"
        [line] = session["product_order_item"]
        assert line["state"] == "rejected_creation"
        assert line["termination_error"] == [
            {
                "code": "unknown_quote",
                "property_path": "quote_item_id",
                "value": other_quote_line["id"],
            }
        ]
