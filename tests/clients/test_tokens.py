"""Opaque bearer tokens: expiry, revocation (refused within a second), last use."""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from order_taking.clients import service
from order_taking.clients.auth import TokenCache
from order_taking.clients.models import ClientToken, OperatorToken
from order_taking.clients.repository import CLIENT_TOKENS, OPERATOR_TOKENS
from order_taking.core.database import Database
from order_taking.core.time import now
from tests.clocks import ManualClock

SESSIONS = "/api/v1/product_order"
RELEASE = "/api/v1/operator/product_order_item/00000000-0000-0000-0000-000000000000/release"


@pytest.fixture
def clock(app: Any) -> ManualClock:
    """The app's token cache, on a clock the test moves."""
    clock = ManualClock()
    app.state.token_cache = TokenCache(clock=clock)
    return clock


@pytest.fixture
async def http(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def new_client_token(database: Database, expires_in: timedelta | None = None) -> str:
    async with database.transaction() as db:
        client = await service.find_client(db, "DC173")
        if client is None:
            client, _ = await service.create_client(db, "DC173")
        return await service.issue_token(db, CLIENT_TOKENS, client.id, expires_in)


async def token_row(database: Database, token: str) -> ClientToken:
    async with database.transaction() as db:
        row = await db.scalar(
            select(ClientToken).where(ClientToken.token_hash == service.hash_token(token))
        )
    assert row is not None
    return row


class TestRevoke:
    async def test_a_revoked_token_is_refused_once_the_cache_second_is_over(
        self, http: httpx.AsyncClient, database: Database, clock: ManualClock
    ) -> None:
        token = await new_client_token(database)
        assert (await http.get(SESSIONS, headers=bearer(token))).status_code == 200
        row = await token_row(database, token)

        async with database.transaction() as db:
            await service.revoke_token(db, CLIENT_TOKENS, row.client_id, row.id)
        clock.advance(1.0)
        refused = await http.get(SESSIONS, headers=bearer(token))

        assert refused.status_code == 401
        assert refused.json()["code"] == "unauthorized"

    async def test_the_other_tokens_of_the_client_keep_working(
        self, http: httpx.AsyncClient, database: Database, clock: ManualClock
    ) -> None:
        revoked, kept = await new_client_token(database), await new_client_token(database)
        row = await token_row(database, revoked)

        async with database.transaction() as db:
            await service.revoke_token(db, CLIENT_TOKENS, row.client_id, row.id)
        clock.advance(1.0)

        assert (await http.get(SESSIONS, headers=bearer(revoked))).status_code == 401
        assert (await http.get(SESSIONS, headers=bearer(kept))).status_code == 200

    async def test_a_token_of_another_holder_is_not_found(self, database: Database) -> None:
        token = await new_client_token(database)
        row = await token_row(database, token)

        async with database.transaction() as db:
            operator, _ = await service.create_operator(db, "Marie ADV")
            with pytest.raises(service.TokenNotFound):
                await service.revoke_token(db, OPERATOR_TOKENS, operator.id, row.id)

    async def test_an_operator_token_is_revoked_the_same_way(
        self, http: httpx.AsyncClient, database: Database, clock: ManualClock
    ) -> None:
        async with database.transaction() as db:
            operator, token = await service.create_operator(db, "Marie ADV")
        assert (await http.post(RELEASE, headers=bearer(token))).status_code == 404
        async with database.transaction() as db:
            [row] = await service.tokens_of(db, OPERATOR_TOKENS, operator.id)
            await service.revoke_token(db, OPERATOR_TOKENS, operator.id, row.id)
        clock.advance(1.0)

        assert (await http.post(RELEASE, headers=bearer(token))).status_code == 401


class TestExpiry:
    async def test_an_expired_token_is_refused(
        self, http: httpx.AsyncClient, database: Database, clock: ManualClock
    ) -> None:
        token = await new_client_token(database, expires_in=timedelta(days=1))
        assert (await http.get(SESSIONS, headers=bearer(token))).status_code == 200

        # A day later, as the database sees it.
        async with database.transaction() as db:
            await db.execute(
                update(ClientToken)
                .where(ClientToken.token_hash == service.hash_token(token))
                .values(expires_at=now() - timedelta(seconds=1))
            )
        clock.advance(1.0)

        assert (await http.get(SESSIONS, headers=bearer(token))).status_code == 401

    async def test_a_token_without_expiry_never_expires(self, database: Database) -> None:
        token = await new_client_token(database)

        assert (await token_row(database, token)).expires_at is None


class TestLastUsed:
    async def test_is_recorded_on_first_use_then_at_most_once_a_minute(
        self, http: httpx.AsyncClient, database: Database, clock: ManualClock
    ) -> None:
        token = await new_client_token(database)
        assert (await token_row(database, token)).last_used_at is None

        await http.get(SESSIONS, headers=bearer(token))
        first = (await token_row(database, token)).last_used_at
        clock.advance(1.0)  # past the cache: the token is looked up again
        await http.get(SESSIONS, headers=bearer(token))

        assert first is not None
        assert (await token_row(database, token)).last_used_at == first

    async def test_a_use_a_minute_later_is_recorded(
        self, http: httpx.AsyncClient, database: Database, clock: ManualClock
    ) -> None:
        token = await new_client_token(database)
        await http.get(SESSIONS, headers=bearer(token))
        a_minute_ago = now() - timedelta(minutes=1, seconds=1)
        async with database.transaction() as db:
            await db.execute(update(ClientToken).values(last_used_at=a_minute_ago))
        clock.advance(1.0)

        await http.get(SESSIONS, headers=bearer(token))

        last_used = (await token_row(database, token)).last_used_at
        assert last_used is not None and last_used > a_minute_ago


class TestOperatorTokens:
    async def test_an_operator_gets_more_tokens_each_listed(self, database: Database) -> None:
        async with database.transaction() as db:
            operator, _ = await service.create_operator(db, "Marie ADV")
            await service.issue_token(db, OPERATOR_TOKENS, operator.id, timedelta(days=3))
            tokens = await service.tokens_of(db, OPERATOR_TOKENS, operator.id)

        assert len(tokens) == 2
        assert all(isinstance(token, OperatorToken) for token in tokens)
        assert [token.expires_at is None for token in tokens] == [True, False]
