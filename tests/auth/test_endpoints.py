"""The built-in issuer: the token endpoint's grants, discovery, keys, throttled passwords."""

import asyncio
import base64
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import func, select, update

from order_taking.app import create_app
from order_taking.auth import keys
from order_taking.auth.models import SigningKey
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from order_taking.core.time import now
from tests.auth.factories import (
    REALM,
    TOKEN,
    access_token,
    client_with_password,
    operator_with_password,
    password_grant,
)

KEYCLOAK_FIELDS = {
    "access_token",
    "expires_in",
    "refresh_expires_in",
    "refresh_token",
    "token_type",
    "scope",
}


def claims_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


async def jwks(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await http.get(f"{REALM}/protocol/openid-connect/certs")
    published: list[dict[str, Any]] = response.json()["keys"]
    return published


class TestPasswordGrant:
    async def test_answers_as_keycloak_does(
        self, http: httpx.AsyncClient, database: Database
    ) -> None:
        password = await client_with_password(database)

        response = await password_grant(http, "DC173", password)

        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) >= KEYCLOAK_FIELDS
        assert body["token_type"] == "Bearer"
        assert (body["expires_in"], body["refresh_expires_in"]) == (300, 1800)
        assert response.headers["Cache-Control"] == "no-store"

    async def test_the_access_token_names_the_client(
        self, http: httpx.AsyncClient, database: Database
    ) -> None:
        password = await client_with_password(database)

        claims = claims_of(await access_token(http, "DC173", password))

        assert claims["iss"] == f"http://testserver{REALM}"
        assert claims["client_code"] == "DC173"
        assert claims["aud"] == "order-taking"
        assert claims["exp"] - claims["iat"] == 300
        assert {"sub", "jti"} <= set(claims)

    async def test_is_signed_with_es256_and_names_its_key(
        self, http: httpx.AsyncClient, database: Database
    ) -> None:
        password = await client_with_password(database)

        header = jwt.get_unverified_header(await access_token(http, "DC173", password))

        assert header["alg"] == "ES256"
        assert header["kid"]

    async def test_an_operators_token_holds_the_operator_role(
        self, http: httpx.AsyncClient, database: Database
    ) -> None:
        password = await operator_with_password(database)

        claims = claims_of(await access_token(http, "Marie ADV", password))

        assert claims["realm_access"]["roles"] == ["order-taking-operator"]
        assert "client_code" not in claims

    @pytest.mark.parametrize("username", ["DC173", "XY999"])
    async def test_a_wrong_password_or_username_is_one_invalid_grant(
        self, http: httpx.AsyncClient, database: Database, username: str
    ) -> None:
        await client_with_password(database)

        response = await password_grant(http, username, "not-the-password")

        assert response.status_code == 400
        assert response.json() == {
            "error": "invalid_grant",
            "error_description": "Invalid user credentials",
        }

    async def test_a_client_without_a_password_cannot_sign_in(
        self, http: httpx.AsyncClient, make_client: Any
    ) -> None:
        await make_client("DC173")

        assert (await password_grant(http, "DC173", "")).json()["error"] == "invalid_request"
        assert (await password_grant(http, "DC173", "guess")).json()["error"] == "invalid_grant"


class TestClientCredentialsGrant:
    async def test_takes_the_pair_in_the_form(
        self, http: httpx.AsyncClient, database: Database
    ) -> None:
        secret = await client_with_password(database)
        form = {"grant_type": "client_credentials", "client_id": "DC173", "client_secret": secret}

        response = await http.post(TOKEN, data=form)

        assert response.status_code == 200, response.text
        assert claims_of(response.json()["access_token"])["client_code"] == "DC173"

    async def test_takes_the_pair_in_basic_authentication(
        self, http: httpx.AsyncClient, database: Database
    ) -> None:
        secret = await client_with_password(database)
        basic = base64.b64encode(f"DC173:{secret}".encode()).decode()

        response = await http.post(
            TOKEN,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
        )

        assert response.status_code == 200, response.text

    async def test_a_wrong_secret_is_invalid_client_401(
        self, http: httpx.AsyncClient, database: Database
    ) -> None:
        await client_with_password(database)
        form = {"grant_type": "client_credentials", "client_id": "DC173", "client_secret": "no"}

        response = await http.post(TOKEN, data=form)

        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"


class TestRefreshTokenGrant:
    async def test_gives_new_tokens_once_only(
        self, http: httpx.AsyncClient, database: Database
    ) -> None:
        password = await client_with_password(database)
        first = (await password_grant(http, "DC173", password)).json()
        form = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}

        renewed = await http.post(TOKEN, data=form)
        again = await http.post(TOKEN, data=form)

        assert renewed.status_code == 200, renewed.text
        assert claims_of(renewed.json()["access_token"])["client_code"] == "DC173"
        assert claims_of(renewed.json()["access_token"])["azp"] == "api-client"
        assert renewed.json()["refresh_token"] != first["refresh_token"]
        assert again.status_code == 400
        assert again.json() == {
            "error": "invalid_grant",
            "error_description": "Refresh token already used",
        }

    async def test_the_new_refresh_token_works_in_turn(
        self, http: httpx.AsyncClient, database: Database
    ) -> None:
        password = await client_with_password(database)
        refresh = (await password_grant(http, "DC173", password)).json()["refresh_token"]
        for _ in range(3):
            response = await http.post(
                TOKEN, data={"grant_type": "refresh_token", "refresh_token": refresh}
            )
            assert response.status_code == 200, response.text
            refresh = response.json()["refresh_token"]

    async def test_an_access_token_is_no_refresh_token(
        self, http: httpx.AsyncClient, database: Database
    ) -> None:
        password = await client_with_password(database)
        access = await access_token(http, "DC173", password)

        response = await http.post(
            TOKEN, data={"grant_type": "refresh_token", "refresh_token": access}
        )

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"


class TestFormErrors:
    @pytest.mark.parametrize(
        ("form", "error"),
        [
            ({}, "invalid_request"),
            ({"grant_type": "authorization_code"}, "unsupported_grant_type"),
            ({"grant_type": "refresh_token"}, "invalid_request"),
            ({"grant_type": "password", "username": "DC173"}, "invalid_request"),
        ],
    )
    async def test_are_in_oauths_shape(
        self, http: httpx.AsyncClient, form: dict[str, str], error: str
    ) -> None:
        response = await http.post(TOKEN, data=form)

        assert response.status_code == 400
        assert response.json()["error"] == error
        assert set(response.json()) == {"error", "error_description"}

    async def test_an_unknown_realm_is_404(self, http: httpx.AsyncClient) -> None:
        response = await http.post(
            "/auth/realms/covage/protocol/openid-connect/token", data={"grant_type": "password"}
        )

        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


class TestDiscovery:
    async def test_names_the_token_endpoint_and_the_keys(self, http: httpx.AsyncClient) -> None:
        document = (await http.get(f"{REALM}/.well-known/openid-configuration")).json()

        assert document["issuer"] == f"http://testserver{REALM}"
        assert document["token_endpoint"] == f"http://testserver{TOKEN}"
        keys_url = document["jwks_uri"].removeprefix("http://testserver")
        assert (await http.get(keys_url)).status_code == 200


class TestKeys:
    async def test_the_first_key_is_made_once_even_when_asked_at_once(
        self, database: Database
    ) -> None:
        async def first_need() -> str:
            async with database.transaction() as db:
                return (await keys.signing_key(db)).kid

        made = await asyncio.gather(first_need(), first_need())
        async with database.transaction() as db:
            stored = await db.scalar(select(func.count()).select_from(SigningKey))

        assert made[0] == made[1]
        assert stored == 1

    async def test_a_token_verifies_with_the_published_key(
        self, http: httpx.AsyncClient, database: Database
    ) -> None:
        password = await client_with_password(database)
        token = await access_token(http, "DC173", password)

        [published] = await jwks(http)
        key = jwt.PyJWK(published)

        assert jwt.decode(token, key, algorithms=["ES256"], audience="order-taking")
        assert jwt.get_unverified_header(token)["kid"] == published["kid"]

    async def test_after_a_rotation_the_new_key_signs_and_the_old_stays_published(
        self, http: httpx.AsyncClient, database: Database, settings: Settings
    ) -> None:
        password = await client_with_password(database)
        before = await access_token(http, "DC173", password)

        async with database.transaction() as db:
            new_key = await keys.rotate(db, settings)
        after = await access_token(http, "DC173", password)

        published = {key["kid"] for key in await jwks(http)}
        assert jwt.get_unverified_header(after)["kid"] == new_key.id
        assert published == {new_key.id, jwt.get_unverified_header(before)["kid"]}

    async def test_a_key_retired_longer_than_any_token_lives_is_withdrawn(
        self, http: httpx.AsyncClient, database: Database, settings: Settings
    ) -> None:
        password = await client_with_password(database)
        old = jwt.get_unverified_header(await access_token(http, "DC173", password))["kid"]
        short_lived = settings.model_copy(
            update={"access_token_seconds": 10, "refresh_token_seconds": 10}
        )
        async with database.transaction() as db:
            await keys.rotate(db, short_lived)
            # Eleven seconds later, as far as the key's retirement date says.
            await db.execute(
                update(SigningKey)
                .where(SigningKey.id == old)
                .values(retired_at=now() - timedelta(seconds=11))
            )
            published = await keys.published_keys(db, short_lived)

        assert old not in {key["kid"] for key in published}


class TestThrottling:
    @pytest.fixture
    async def strict(self, settings: Settings, database: Database) -> AsyncIterator[Any]:
        """The app allowing 3 password attempts per username, then one every 100 s."""
        strict = settings.model_copy(
            update={"sign_in_burst_per_username": 3, "sign_in_rate_per_username": 0.01}
        )
        app = create_app(strict, database)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                yield http

    async def test_repeated_failures_are_refused_with_429_and_retry_after(
        self, strict: httpx.AsyncClient, database: Database
    ) -> None:
        password = await client_with_password(database)
        failures = [await password_grant(strict, "DC173", "guess") for _ in range(3)]

        refused = await password_grant(strict, "DC173", password)

        assert [f.status_code for f in failures] == [400, 400, 400]
        assert refused.status_code == 429
        assert refused.json()["error"] == "temporarily_unavailable"
        assert 1 <= int(refused.headers["Retry-After"]) <= 100

    async def test_another_username_is_not_slowed_down(
        self, strict: httpx.AsyncClient, database: Database
    ) -> None:
        for _ in range(4):
            await password_grant(strict, "DC173", "guess")
        password = await client_with_password(database, "XY999")

        assert (await password_grant(strict, "XY999", password)).status_code == 200

    async def test_one_address_trying_many_usernames_is_refused(
        self, settings: Settings, database: Database
    ) -> None:
        strict = settings.model_copy(
            update={"sign_in_burst_per_address": 2, "sign_in_rate_per_address": 0.01}
        )
        app = create_app(strict, database)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                answers = [await password_grant(http, f"U{n}", "guess") for n in range(3)]

        assert [a.status_code for a in answers] == [400, 400, 429]
