"""Rate limits over HTTP: 429 `rate_limited` with Retry-After past a token's allowance, and past
an address's allowance of failed authentications."""

import httpx

from order_taking.clients.service import create_client
from order_taking.core.database import Database
from tests.conftest import AppClient
from tests.ordering.factories import assert_error

SESSIONS = "/api/v1/product_order/"


async def token_of(database: Database, code: str) -> str:
    async with database.transaction() as db:
        _, token = await create_client(db, code)
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_past_its_allowance_a_token_gets_429(
    app_client: AppClient, database: Database
) -> None:
    token, other = await token_of(database, "DC1"), await token_of(database, "DC2")
    http = await app_client(rate_limit_per_second=0.01, rate_limit_burst=2)
    assert [(await http.get(SESSIONS, headers=bearer(token))).status_code for _ in range(2)] == [
        200,
        200,
    ]
    refused = await http.get(SESSIONS, headers=bearer(token) | {"X-Request-ID": "r-429"})
    body = assert_error(refused, 429, "rate_limited")
    assert int(refused.headers["retry-after"]) >= 99
    assert "retry in" in body["message"]
    assert refused.headers["x-request-id"] == "r-429"
    assert (await http.get(SESSIONS, headers=bearer(other))).status_code == 200
    scraped = (await http.get("/metrics")).text
    assert 'route="/api/v1/product_order/",status="429"' in scraped  # its template, all the same


async def test_zero_turns_the_limit_off(app_client: AppClient, database: Database) -> None:
    token = await token_of(database, "DC1")
    http = await app_client(rate_limit_per_second=0, rate_limit_burst=0)
    for _ in range(5):
        assert (await http.get(SESSIONS, headers=bearer(token))).status_code == 200


async def test_repeated_failed_authentications_are_slowed(
    app_client: AppClient, database: Database
) -> None:
    token = await token_of(database, "DC1")
    http = await app_client(auth_failure_per_second=0.01, auth_failure_burst=2)
    for attempt in ("a", "b"):
        assert_error(await http.get(SESSIONS, headers=bearer(attempt)), 401, "unauthorized")
    slowed = await http.get(SESSIONS, headers=bearer("c"))
    assert_error(slowed, 429, "rate_limited")
    assert "failed authentications" in slowed.json()["message"]
    assert int(slowed.headers["retry-after"]) >= 99
    assert (await http.get(SESSIONS, headers=bearer(token))).status_code == 200


async def test_the_limits_are_documented(api: httpx.AsyncClient) -> None:
    document = (await api.get("/openapi.json")).json()
    for path, operations in document["paths"].items():
        if path.startswith("/api/"):
            for operation in operations.values():
                assert {"429", "503"} <= set(operation["responses"]), path
