"""Fixtures of the back-office tests: the pages as a browser on loopback sees them, signed in or
not, on a clock the test moves."""

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from order_taking.backend.worker import Worker
from order_taking.backoffice import endpoints
from order_taking.clients.service import create_operator
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from tests.backend.backends import Scripted
from tests.backend.conftest import Clock
from tests.backend.factories import confirmed_session

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def clock(app: FastAPI) -> Clock:
    """The time the back office's pages are served at."""
    moved = Clock()
    app.dependency_overrides[endpoints.clock] = moved
    return moved


@pytest.fixture
async def operator_token(database: Database) -> str:
    async with database.transaction() as db:
        _, token = await create_operator(db, "Marie ADV")
    return token


@pytest.fixture
async def office(app: FastAPI, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """A browser on loopback, not signed in (it keeps cookies)."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://127.0.0.1",
    ) as http:
        yield http


def csrf_token(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


async def sign_in(http: httpx.AsyncClient, token: str) -> httpx.Response:
    form = await http.get("/backoffice/sign-in")
    return await http.post(
        "/backoffice/sign-in", data={"token": token, "csrf_token": csrf_token(form.text)}
    )


@pytest.fixture
async def staff(office: httpx.AsyncClient, operator_token: str) -> httpx.AsyncClient:
    """The browser signed in as Marie ADV."""
    response = await sign_in(office, operator_token)
    assert response.status_code == 303, response.text
    return office


async def post_form(
    http: httpx.AsyncClient, page: str, action: str, **fields: str
) -> httpx.Response:
    """Submits a form of `page` as a browser would: with the page's CSRF token."""
    html = (await http.get(page)).text
    return await http.post(action, data={"csrf_token": csrf_token(html), **fields})


@pytest.fixture
def answered_lines(api: httpx.AsyncClient, database: Database, settings: Settings) -> Any:
    """`await answered_lines(HELD, REJECTED)`: a confirmed session of DC173 whose lines the back
    end answered with these outcomes; answers the lines as the client sees them."""

    async def make(*outcomes: str, **fields: Any) -> list[dict[str, Any]]:
        session = await confirmed_session(api, *outcomes)
        await Worker(database, Scripted(), settings).run_once()
        return [
            (await api.get(f"/api/v1/product_order_item/{line['id']}/")).json()
            for line in session["product_order_item"]
        ]

    return make
