"""The OpenAPI document tells the truth: each path once, every error response declared with the
error body, every field typed and every request field described; and schemathesis, generating
requests from that document, finds no server error and no response outside it."""

import contextlib
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from order_taking.clients.service import create_client
from order_taking.core.database import Database
from tests.ordering.factories import (
    DOCUMENTED_LINE_FIELDS,
    DOCUMENTED_SESSION_FIELDS,
    create_session_with_line,
)

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
OAUTH_ERROR_BODY = {"$ref": "#/components/schemas/OAuthErrorBody"}
# The built-in OAuth2 issuer, at Keycloak's paths: its errors have OAuth 2.0's shape.
SIGN_IN = "/auth/"
# Examples per operation and generation mode: enough to find what a change breaks, few enough to
# keep this test to seconds.
EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def document(app: Any) -> dict[str, Any]:
    openapi: dict[str, Any] = app.openapi()
    return openapi


def api_paths(document: dict[str, Any]) -> list[str]:
    """The API's paths (the operational ones, /healthz and the like, are tested apart)."""
    return [path for path in document["paths"] if path.startswith("/api/")]


def operations(
    document: dict[str, Any], prefix: str = "/api/"
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, by_method in document["paths"].items():
        if not path.startswith(prefix):
            continue
        for method, operation in by_method.items():
            yield method.upper(), path, operation


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def is_typed(schema: dict[str, Any]) -> bool:
    """A type, a reference to a typed schema, or a choice among typed ones."""
    if "type" in schema or "$ref" in schema or "enum" in schema or "const" in schema:
        return True
    choices = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf") or []
    return bool(choices) and all(is_typed(choice) for choice in choices)


class TestDocument:
    def test_lists_each_path_once_in_its_slash_form(self, document: dict[str, Any]) -> None:
        paths = api_paths(document)

        assert all(path.endswith("/") for path in paths)
        assert len({path.rstrip("/") for path in paths}) == len(paths)

    def test_every_operation_declares_its_errors_with_the_error_body(
        self, document: dict[str, Any]
    ) -> None:
        for method, path, operation in operations(document):
            declared = operation["responses"]
            expected = {"401", "422"}
            if "{" in path:
                expected.add("404")
            if "requestBody" in operation:
                expected |= {"400", "413"}
            # Changes of sessions, lines and carts depend on their state; a listener has none.
            stateful = not path.startswith("/api/v1/hub/")
            if stateful and (
                method in ("PATCH", "DELETE") or ("{id}" in path and method == "POST")
            ):
                expected.add("409")
            assert expected <= set(declared), (method, path)
            for status, response in declared.items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == ERROR_BODY, (method, path, status)

    def test_the_sign_in_operations_declare_their_oauth_errors(
        self, document: dict[str, Any]
    ) -> None:
        found = list(operations(document, SIGN_IN))
        for method, path, operation in found:
            declared = operation["responses"]
            expected = {"400", "401", "404", "413", "429"} if method == "POST" else {"404"}
            assert expected <= set(declared), (method, path)
            for status, response in declared.items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    # 413 comes from the body-size limit, before any endpoint; 422 from FastAPI.
                    api_error = status in ("413", "422")
                    assert schema == (ERROR_BODY if api_error else OAUTH_ERROR_BODY), status
        assert len(found) == 3

    def test_every_field_and_parameter_has_a_type(self, document: dict[str, Any]) -> None:
        for name, schema in document["components"]["schemas"].items():
            for field, definition in schema.get("properties", {}).items():
                assert is_typed(definition), f"{name}.{field}"
        for method, path, operation in operations(document):
            for parameter in operation.get("parameters", []):
                assert is_typed(parameter["schema"]), (method, path, parameter["name"])

    def test_every_request_field_and_parameter_is_described(self, document: dict[str, Any]) -> None:
        every = [*operations(document), *operations(document, SIGN_IN)]
        for method, path, operation in every:
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (method, path, parameter["name"])
            if "requestBody" not in operation:
                continue
            [content] = operation["requestBody"]["content"].values()
            body = content["schema"]
            for choice in body.get("anyOf", [body]):
                model = resolve(document, choice)
                for field, definition in model.get("properties", {}).items():
                    assert definition.get("description"), (method, path, field)

    def test_the_documented_fields_are_all_there(self, document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]
        line = next(s for n, s in schemas.items() if n.startswith("LineOut"))
        session = next(s for n, s in schemas.items() if n.startswith("SessionDetail"))

        assert set(line["properties"]) >= DOCUMENTED_LINE_FIELDS
        assert set(line["required"]) >= DOCUMENTED_LINE_FIELDS
        assert set(session["properties"]) >= DOCUMENTED_SESSION_FIELDS | {"product_order_item"}

    def test_the_total_of_the_session_list_is_documented(self, document: dict[str, Any]) -> None:
        listed = document["paths"]["/api/v1/product_order/"]["get"]["responses"]["200"]

        assert listed["headers"]["X-Total-Count"]["schema"] == {"type": "integer"}


def generate(operation: Any, mode: GenerationMode, token: str, count: int = EXAMPLES) -> list[Case]:
    """`count` requests schemathesis derives from the operation's documentation."""
    cases: list[Case] = []

    @given(
        case=operation.as_strategy(
            generation_mode=mode, headers={"Authorization": f"Bearer {token}"}
        )
    )
    @settings(
        max_examples=count,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def collect(case: Case) -> None:
        cases.append(case)

    # A path id has few ways to be wrong: for it, the cases found so far are the run.
    with contextlib.suppress(Unsatisfiable):
        collect()
    return cases


async def send(http: httpx.AsyncClient, case: Case) -> httpx.Response:
    """The case as schemathesis would send it, through the suite's own client of the app."""
    sent = case.as_transport_kwargs(base_url=str(http.base_url))
    if "json" in sent:
        content: bytes | None = json.dumps(sent["json"]).encode()
    elif isinstance(sent.get("data"), dict):  # a form
        content = urlencode(sent["data"], doseq=True).encode()
    else:
        content = sent.get("data")
    return await http.request(
        sent["method"],
        sent["url"],
        params=sent.get("params"),
        headers=sent.get("headers"),
        content=content,
    )


class TestSchemathesis:
    """Schemathesis's generated cases are sent through the suite's own HTTP client, in the suite's
    event loop: its ASGI transport would run the app in a thread of its own, away from the
    database connections the suite opened."""

    async def test_no_server_error_and_every_response_as_documented(
        self, app: Any, database: Database, document: dict[str, Any]
    ) -> None:
        async with database.transaction() as db:
            _, token = await create_client(db, "ST001")
        schema = schemathesis.openapi.from_dict(document)
        sent = 0
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            http.headers["Authorization"] = f"Bearer {token}"
            for result in schema.get_all_operations():
                operation = result.ok()
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    for case in generate(operation, mode, token):
                        ordering = operation.path.startswith("/api/v1/product_order")
                        if mode == GenerationMode.POSITIVE and ordering and case.path_parameters:
                            # Real objects, so that the documented success responses are met.
                            session, line = await create_session_with_line(http)
                            case.path_parameters = {"id": session["id"], "item_id": line["id"]}
                        response = await send(http, case)
                        sent += 1
                        # Raises schemathesis's report, with the curl command to replay the case.
                        case.validate_response(response, checks=CHECKS)

        assert sent >= 11 * 2 * 5, "schemathesis generated too few cases"
