"""/healthz and /readyz: no token, never rate limited, 503 naming the check that failed."""

import asyncio
from pathlib import Path

import pytest

from order_taking.core.database import Database
from order_taking.core.migrate import head_revision, upgrade
from tests.conftest import AppClient


async def test_healthz_answers_without_a_token(app_client: AppClient) -> None:
    http = await app_client()
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_on_a_migrated_database(app_client: AppClient) -> None:
    response = await (await app_client()).get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok"}


async def test_readyz_names_a_schema_behind_the_migrations(
    app_client: AppClient, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    await asyncio.to_thread(upgrade, url, "0004")
    database = Database(url)
    try:
        response = await (await app_client(database=database, demo_catalog=False)).get("/readyz")
    finally:
        await database.dispose()
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "unavailable"
    assert body["errors"][0]["property_path"] == "schema"
    assert f"at revision 0004, the code expects {head_revision()}" in body["message"]
    assert response.headers["retry-after"] == "1"


async def test_readyz_names_an_unreachable_database(app_client: AppClient, tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'no such directory' / 'x.db'}")
    try:
        http = await app_client(database=database, demo_catalog=False)
        response = await http.get("/readyz")
        assert (await http.get("/healthz")).status_code == 200  # alive all the same
    finally:
        await database.dispose()
    assert response.status_code == 503
    assert response.json()["errors"][0]["property_path"] == "database"
    assert "cannot be reached" in response.json()["message"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_health_is_never_rate_limited(app_client: AppClient, path: str) -> None:
    http = await app_client(rate_limit_per_second=0.001, rate_limit_burst=1)
    for _ in range(5):
        assert (await http.get(path)).status_code == 200


async def test_health_is_documented(app_client: AppClient) -> None:
    document = (await (await app_client()).get("/openapi.json")).json()
    assert "503" in document["paths"]["/readyz"]["get"]["responses"]
    assert "get" in document["paths"]["/healthz"]
