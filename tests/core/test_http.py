"""HTTP plumbing: both forms of every path, and the body size limit."""

import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from order_taking.app import create_app
from order_taking.core.settings import Settings
from tests.ordering.factories import MINIMAL_LINE, assert_error, create_session_with_line

LIMIT = Settings().max_body_bytes


def documented_operations() -> list[tuple[str, str, int]]:
    """(method, path, success status) of every /api operation the OpenAPI document lists (the
    sign-in paths under /auth are Keycloak's, without a trailing slash)."""
    document = create_app(Settings(database_url="sqlite://")).openapi()
    return sorted(
        (method.upper(), path, min(int(status) for status in operation["responses"]))
        for path, operations in document["paths"].items()
        if path.startswith("/api/")
        for method, operation in operations.items()
    )


BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/product_order/{id}/product_order_item/"): MINIMAL_LINE,
    ("PATCH", "/api/v1/product_order/{id}/product_order_item/{item_id}/"): {"note": "n"},
    ("PATCH", "/api/v1/product_order/{id}/"): {"external_id": "e"},
    ("POST", "/api/v1/product_order/"): {"external_id": "e"},
}


class TestTrailingSlash:
    @pytest.mark.parametrize(("method", "path", "success"), documented_operations())
    @pytest.mark.parametrize("form", ["with", "without"])
    async def test_every_path_answers_in_both_forms_without_redirect(
        self, api: httpx.AsyncClient, method: str, path: str, success: int, form: str
    ) -> None:
        assert path.endswith("/"), "the documented form ends with a slash"
        session, line = await create_session_with_line(api)
        # Ids other than the session's and line's are unknown: the route must still be reached.
        ids = defaultdict(lambda: str(uuid.uuid4()), id=session["id"], item_id=line["id"])
        url = path.format_map(ids)
        if form == "without":
            url = url.rstrip("/")

        response = await api.request(method, url, json=BODIES.get((method, path)))

        if (method, path) in BODIES or path.startswith("/api/v1/product_order"):
            assert response.status_code == success, response.text
        else:
            assert response.status_code not in (301, 302, 307, 308, 405), response.text
            if response.status_code == 404:
                assert response.json()["message"] != "Not Found", "no route answered"


async def chunks(count: int, size: int, sent: list[int]) -> AsyncIterator[bytes]:
    """A streamed body, without Content-Length; `sent` counts the chunks the server pulled."""
    yield b'{"external_id": "'
    for _ in range(count):
        sent.append(1)
        yield b"x" * size
    yield b'"}'


class TestBodySizeLimit:
    async def test_a_declared_length_over_the_limit_is_refused_unread(
        self, api: httpx.AsyncClient
    ) -> None:
        sent: list[int] = []
        size = 64 * 1024

        response = await api.post(
            "/api/v1/product_order",
            content=chunks(count=LIMIT // size + 1, size=size, sent=sent),
            headers={"content-type": "application/json", "content-length": str(LIMIT + size)},
        )

        assert_error(response, 413, "malformed_request")
        assert response.headers["connection"] == "close"
        assert sent == [], "the body was read"
        assert (await api.get("/api/v1/product_order")).json() == []

    async def test_a_streamed_body_is_cut_once_over_the_limit(self, api: httpx.AsyncClient) -> None:
        sent: list[int] = []
        size = 64 * 1024

        response = await api.post(
            "/api/v1/product_order",
            content=chunks(count=64, size=size, sent=sent),
            headers={"content-type": "application/json"},
        )

        assert "content-length" not in response.request.headers
        assert_error(response, 413, "malformed_request")
        assert len(sent) <= LIMIT // size + 2, "the body was read past the limit"
        assert (await api.get("/api/v1/product_order")).json() == []

    async def test_a_body_at_the_limit_is_read(self, api: httpx.AsyncClient) -> None:
        padding = LIMIT - len(json.dumps({"external_id": "e", "padding": ""}))
        body = json.dumps({"external_id": "e", "padding": " " * padding}).encode()
        assert len(body) == LIMIT

        response = await api.post(
            "/api/v1/product_order", content=body, headers={"content-type": "application/json"}
        )

        assert response.status_code == 201
