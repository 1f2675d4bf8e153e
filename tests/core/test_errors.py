"""One error shape for every failure: `{code, message, errors[{code, property_path, value}]}`."""

import httpx
import pytest
from fastapi import FastAPI

from order_taking.core.errors import (
    ErrorBody,
    ErrorEntry,
    InvalidState,
    NotFound,
    install_error_handlers,
    property_path,
    render_value,
    responses,
    validation_entries,
)
from tests.ordering.factories import assert_error, create_session

JSON = {"content-type": "application/json"}


class TestPropertyPath:
    @pytest.mark.parametrize(
        ("location", "path"),
        [
            (("related_contact_information", 0, "city"), "related_contact_information[0].city"),
            (("option_ids", 1), "option_ids[1]"),
            (("vlan_reference",), "vlan_reference"),
            ((), ""),
        ],
    )  # fmt: skip
    def test_reads_like_the_termination_errors(
        self, location: tuple[int | str, ...], path: str
    ) -> None:
        assert property_path(location) == path


class TestRenderValue:
    @pytest.mark.parametrize(
        ("value", "text"),
        [("north", "north"), (12, "12"), (None, "null"), (True, "true"), ([1, "a"], '[1, "a"]'),
         ({"é": 1}, '{"é": 1}'), ("a\ud800", "a?")],
    )  # fmt: skip
    def test_shows_the_value_as_text(self, value: object, text: str) -> None:
        assert render_value(value) == text

    def test_cuts_a_long_value(self) -> None:
        assert render_value("x" * 500) == "x" * 197 + "..."


class TestValidationEntries:
    def test_one_entry_per_error_with_the_location_prefix_dropped(self) -> None:
        errors = [
            {"type": "missing", "loc": ("body", "product_offering_id"), "input": {}},
            {"type": "string_too_long", "loc": ("body", "note"), "input": "xx"},
            {"type": "invalid_sort", "loc": ("query", "sort"), "input": "price"},
            {"type": "float_parsing", "loc": ("body", "related_contact_information", 0, "latitude"),
             "input": "north"},
        ]  # fmt: skip

        entries = validation_entries(errors)

        assert [e.model_dump() for e in entries] == [
            {"code": "required", "property_path": "product_offering_id", "value": ""},
            {"code": "too_long", "property_path": "note", "value": "xx"},
            {"code": "invalid_sort", "property_path": "sort", "value": "price"},
            {"code": "invalid_type", "property_path": "related_contact_information[0].latitude",
             "value": "north"},
        ]  # fmt: skip


class TestResponses:
    def test_documents_each_error_with_the_error_body(self) -> None:
        documented = responses(NotFound, InvalidState)

        assert sorted(documented) == [401, 404, 409, 422, 503]
        assert {d["model"] for d in documented.values()} == {ErrorBody}


class TestBodyErrorsDocumentation:
    def test_an_operation_with_a_body_is_documented_with_400_and_413(self) -> None:
        app = FastAPI()
        install_error_handlers(app)

        @app.post("/things", responses=responses())
        async def create(thing: ErrorEntry) -> None: ...

        @app.get("/things", responses=responses())
        async def read() -> None: ...

        document = app.openapi()
        created = document["paths"]["/things"]["post"]["responses"]
        read_responses = document["paths"]["/things"]["get"]["responses"]
        assert {"400", "401", "413", "422"} <= set(created)
        assert created["413"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }
        assert "400" not in read_responses
        assert app.openapi() is document


class TestMalformedBodies:
    @pytest.mark.parametrize(
        "body",
        [b"not json", b'{"external_id": "1"', b"[]", b'"text"', b"12", b"\xff\xfe", b"{'a': 1}"],
    )
    async def test_a_body_that_is_not_a_json_object_is_malformed(
        self, api: httpx.AsyncClient, body: bytes
    ) -> None:
        response = await api.post("/api/v1/product_order", content=body, headers=JSON)

        assert_error(response, 400, "malformed_request")
        assert (await api.get("/api/v1/product_order")).json() == []

    @pytest.mark.parametrize("body", [b"", b"null", b"[1]"])
    async def test_an_update_needs_a_json_object(self, api: httpx.AsyncClient, body: bytes) -> None:
        session = await create_session(api)

        response = await api.patch(
            f"/api/v1/product_order/{session['id']}", content=body, headers=JSON
        )

        assert_error(response, 400, "malformed_request")

    async def test_a_deeply_nested_body_is_malformed(self, api: httpx.AsyncClient) -> None:
        body = b"[" * 100_000 + b"]" * 100_000

        response = await api.post("/api/v1/product_order", content=body, headers=JSON)

        assert_error(response, 400, "malformed_request")


class TestOtherErrors:
    async def test_an_unknown_path_is_not_found(self, api: httpx.AsyncClient) -> None:
        assert_error(await api.get("/api/v1/product_orders"), 404, "not_found")

    async def test_an_unknown_method_is_not_allowed(self, api: httpx.AsyncClient) -> None:
        assert_error(await api.put("/api/v1/product_order/", json={}), 405, "method_not_allowed")

    async def test_an_unexpected_failure_tells_nothing_of_its_cause(self) -> None:
        app = FastAPI()
        install_error_handlers(app)

        @app.get("/boom")
        async def boom() -> None:
            raise RuntimeError("password=hunter2 at /srv/app.py line 12")

        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.get("/boom")

        body = assert_error(response, 500, "internal_error")
        assert "hunter2" not in response.text
        assert body["errors"] == []
