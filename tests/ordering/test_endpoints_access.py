"""Who may call the ordering endpoints: a known bearer token, and only on its client's objects."""

import httpx
import pytest

from order_taking.app import create_app
from order_taking.core.settings import Settings
from tests.ordering.factories import (
    MINIMAL_LINE,
    assert_error,
    create_line,
    create_session,
    create_session_with_line,
)


def ordering_operations() -> list[tuple[str, str]]:
    """Every documented operation on order sessions and lines."""
    document = create_app(Settings(database_url="sqlite://")).openapi()
    return sorted(
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "Order sessions and lines" in operation["tags"]
    )


OPERATIONS = ordering_operations()
OPERATIONS_ON_AN_ID = [(method, path) for method, path in OPERATIONS if "{" in path]


class TestAuthentication:
    @pytest.mark.parametrize(("method", "path"), OPERATIONS)
    @pytest.mark.parametrize(
        "authorization",
        [None, "Bearer not-a-token", "Bearer ", "Basic ZGM6MTIz", "not-a-scheme"],
    )
    async def test_every_endpoint_needs_a_known_bearer_token(
        self,
        app: object,
        api: httpx.AsyncClient,
        method: str,
        path: str,
        authorization: str | None,
    ) -> None:
        session, line = await create_session_with_line(api)
        url = path.format(id=session["id"], item_id=line["id"])
        headers = {"Authorization": authorization} if authorization else {}
        anonymous = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            base_url="http://testserver",
        )

        async with anonymous:
            response = await anonymous.request(method, url, json=MINIMAL_LINE, headers=headers)

        assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert (await api.get(f"/api/v1/product_order/{session['id']}")).json()["state"] == (
            "created"
        )

    def test_every_operation_is_checked(self) -> None:
        assert len(OPERATIONS) >= 11


class TestTenantIsolation:
    """Another client's ids answer 404, exactly as unknown ones: their existence is not revealed."""

    @pytest.mark.parametrize(("method", "path"), OPERATIONS_ON_AN_ID)
    async def test_another_clients_objects_are_not_found(
        self,
        api: httpx.AsyncClient,
        other_api: httpx.AsyncClient,
        method: str,
        path: str,
    ) -> None:
        theirs, their_line = await create_session_with_line(other_api, note="theirs")
        url = path.format(id=theirs["id"], item_id=their_line["id"])

        response = await api.request(method, url, json=MINIMAL_LINE | {"note": "mine"})

        assert_error(response, 404, "not_found")
        detail = (await other_api.get(f"/api/v1/product_order/{theirs['id']}")).json()
        assert detail["state"] == "created"
        assert [line["note"] for line in detail["product_order_item"]] == ["theirs"]

    async def test_a_line_is_not_reached_through_ones_own_session(
        self, api: httpx.AsyncClient, other_api: httpx.AsyncClient
    ) -> None:
        mine = await create_session(api)
        _, their_line = await create_session_with_line(other_api)
        url = f"/api/v1/product_order/{mine['id']}/product_order_item/{their_line['id']}"

        assert_error(await api.patch(url, json={"note": "x"}), 404, "not_found")
        assert_error(await api.delete(url), 404, "not_found")

    async def test_the_session_list_shows_only_ones_own(
        self, api: httpx.AsyncClient, other_api: httpx.AsyncClient
    ) -> None:
        mine = await create_session(api, external_id="shared")
        await create_session(other_api, external_id="shared")

        response = await api.get("/api/v1/product_order", params={"external_id": "shared"})

        assert [s["id"] for s in response.json()] == [mine["id"]]
        assert response.headers["X-Total-Count"] == "1"

    async def test_the_line_list_shows_only_ones_own(
        self, api: httpx.AsyncClient, other_api: httpx.AsyncClient
    ) -> None:
        session = await create_session(api)
        mine = await create_line(api, session["id"], end_customer_name="Shared name")
        _, theirs = await create_session_with_line(other_api, end_customer_name="Shared name")

        for query, expected in (
            ({}, [mine["id"]]),
            ({"search": "shared"}, [mine["id"]]),
            ({"end_customer_name": "Shared name"}, [mine["id"]]),
            ({"order_reference": theirs["order_reference"]}, []),
            ({"search": theirs["order_reference"]}, []),
        ):
            response = await api.get("/api/v1/product_order_item", params=query)
            assert [item["id"] for item in response.json()["items"]] == expected, query
            assert response.json()["count"] == len(expected)
