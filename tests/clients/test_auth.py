"""Bearer tokens: the look-up, and the one second an API process trusts a token it checked."""

import httpx
import pytest
from sqlalchemy import delete

from order_taking.app import create_app
from order_taking.clients.auth import RecentTokens
from order_taking.clients.models import ClientToken
from order_taking.clients.service import ClientIdentity, create_client
from order_taking.core.database import Database
from order_taking.core.settings import Settings

DC173 = ClientIdentity(id="c-1", code="DC173")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class TestRecentTokens:
    def test_trusts_a_checked_token_for_its_seconds_only(self) -> None:
        clock = Clock()
        recent = RecentTokens(1.0, clock)
        recent.put("token", DC173)

        clock.now += 0.99
        assert recent.get("token") == DC173
        clock.now += 0.01
        assert recent.get("token") is None

    def test_keeps_nothing_with_zero_seconds(self) -> None:
        recent = RecentTokens(0.0, Clock())
        recent.put("token", DC173)

        assert recent.get("token") is None

    def test_knows_no_token_it_was_not_given(self) -> None:
        recent = RecentTokens(1.0, Clock())
        recent.put("token", DC173)

        assert recent.get("other") is None


@pytest.fixture
async def token(database: Database) -> str:
    async with database.transaction() as db:
        _, token = await create_client(db, "DC173")
    return token


async def revoke_every_token(database: Database) -> None:
    async with database.transaction() as db:
        await db.execute(delete(ClientToken))


async def statuses_after_revoking(
    settings: Settings, database: Database, token: str, cache_seconds: float
) -> list[int]:
    """The statuses of the requests sent right after the token was revoked, then a second later
    (on the test's clock)."""
    clock = Clock()
    app = create_app(settings.model_copy(update={"token_cache_seconds": cache_seconds}), database)
    app.state.recent_tokens = RecentTokens(cache_seconds, clock)
    statuses = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers
        ) as api:
            assert (await api.get("/api/v1/product_order_item/")).status_code == 200
            await revoke_every_token(database)
            statuses.append((await api.get("/api/v1/product_order_item/")).status_code)
            clock.now += 1.0
            statuses.append((await api.get("/api/v1/product_order_item/")).status_code)
    return statuses


class TestCurrentClient:
    async def test_a_revoked_token_is_refused_within_a_second(
        self, settings: Settings, database: Database, token: str
    ) -> None:
        assert await statuses_after_revoking(settings, database, token, 1.0) == [200, 401]

    async def test_without_the_cache_each_request_checks_its_token(
        self, settings: Settings, database: Database, token: str
    ) -> None:
        assert await statuses_after_revoking(settings, database, token, 0.0) == [401, 401]
