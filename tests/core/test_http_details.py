"""HTTP as a client finds it: Allow and OPTIONS, bodies that are not JSON objects, empty query
values, one field under two names, the wrong kind of token."""

import httpx
import pytest

from order_taking.clients.service import create_operator
from order_taking.core.database import Database
from tests.ordering.factories import MINIMAL_LINE, assert_error, create_session_with_line

SESSIONS = "/api/v1/product_order/"


class TestMethods:
    async def test_405_allows_every_method_of_the_path(self, api: httpx.AsyncClient) -> None:
        response = await api.put(SESSIONS)
        assert_error(response, 405, "method_not_allowed")
        assert response.headers["allow"] == "GET, OPTIONS, POST"

    async def test_options_answers_the_allowed_methods(self, api: httpx.AsyncClient) -> None:
        session, line = await create_session_with_line(api)
        path = f"{SESSIONS}{session['id']}/product_order_item/{line['id']}/"
        response = await api.options(path)
        assert response.status_code == 204
        assert response.headers["allow"] == "DELETE, OPTIONS, PATCH"


class TestBodies:
    @pytest.mark.parametrize("body", ["null", "[]", '"text"', "3"])
    async def test_a_body_that_is_not_an_object_is_malformed(
        self, api: httpx.AsyncClient, body: str
    ) -> None:
        response = await api.post(
            SESSIONS, content=body, headers={"Content-Type": "application/json"}
        )
        assert_error(response, 400, "malformed_request")

    async def test_no_body_at_all_creates_a_session(self, api: httpx.AsyncClient) -> None:
        assert (await api.post(SESSIONS)).status_code == 201

    async def test_a_wrong_content_type_says_so(self, api: httpx.AsyncClient) -> None:
        response = await api.post(
            SESSIONS, content=b'{"external_id": "x"}', headers={"Content-Type": "text/plain"}
        )
        body = assert_error(response, 415, "unsupported_media_type")
        assert "text/plain" in body["message"]

    async def test_invalid_json_says_where(self, api: httpx.AsyncClient) -> None:
        response = await api.post(
            SESSIONS, content=b'{"external_id": }', headers={"Content-Type": "application/json"}
        )
        body = assert_error(response, 400, "malformed_request")
        assert (
            body["message"]
            == "The request body is not valid JSON: Expecting value at character 16."
        )


class TestQueries:
    @pytest.mark.parametrize(
        "filter_name", ["state", "external_id", "project_id", "creation_date_gt", "limit"]
    )
    async def test_an_empty_value_is_as_if_not_sent(
        self, api: httpx.AsyncClient, filter_name: str
    ) -> None:
        await create_session_with_line(api)
        response = await api.get(SESSIONS, params={filter_name: ""})
        assert response.status_code == 200, response.text
        assert len(response.json()) == 1

    @pytest.mark.parametrize("filter_name", ["state", "order_reference", "search", "sort"])
    async def test_the_same_on_lines(self, api: httpx.AsyncClient, filter_name: str) -> None:
        await create_session_with_line(api)
        response = await api.get("/api/v1/product_order_item/", params={filter_name: ""})
        assert response.status_code == 200, response.text
        assert response.json()["count"] == 1


class TestTwoSpellings:
    @pytest.mark.parametrize(
        ("first", "second"), [("enni_2", "enni2"), ("cpe_networking_number", "cpe_network_number")]
    )
    async def test_different_values_name_both(
        self, api: httpx.AsyncClient, first: str, second: str
    ) -> None:
        session, _ = await create_session_with_line(api)
        response = await api.post(
            f"{SESSIONS}{session['id']}/product_order_item/",
            json=MINIMAL_LINE | {first: "A1", second: "B2"},
        )
        body = assert_error(response, 422, "validation_error")
        assert [(e["property_path"], e["value"]) for e in body["errors"]] == [
            (first, "A1"),
            (second, "B2"),
        ]
        assert {e["code"] for e in body["errors"]} == {"conflicting_values"}

    async def test_the_same_value_twice_is_fine(self, api: httpx.AsyncClient) -> None:
        session, _ = await create_session_with_line(api)
        response = await api.post(
            f"{SESSIONS}{session['id']}/product_order_item/",
            json=MINIMAL_LINE | {"enni_2": "A1", "enni2": "A1"},
        )
        assert response.status_code == 201, response.text
        assert response.json()["enni_2"] == "A1"


class TestTokens:
    async def test_an_operators_token_on_a_client_endpoint_is_the_wrong_kind(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        async with database.transaction() as db:
            _, token = await create_operator(db, "ann")
        response = await api.get(SESSIONS, headers={"Authorization": f"Bearer {token}"})
        body = assert_error(response, 401, "unauthorized")
        assert "operator's token" in body["message"] and "client's token" in body["message"]

    async def test_a_clients_token_on_an_operator_action_is_the_wrong_kind(
        self, api: httpx.AsyncClient
    ) -> None:
        _, line = await create_session_with_line(api)
        response = await api.post(f"/api/v1/operator/product_order_item/{line['id']}/release/")
        body = assert_error(response, 401, "unauthorized")
        assert "This is a client's token" in body["message"]
