"""JWTs of an external OpenID Connect issuer, a real one on loopback (`tests.auth.issuer`)."""

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from order_taking.app import create_app
from order_taking.clients.service import create_client
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from tests.auth.factories import SESSIONS, bearer
from tests.auth.issuer import AUDIENCE, LoopbackIssuer
from tests.clocks import ManualClock

RELEASE = "/api/v1/operator/product_order_item/00000000-0000-0000-0000-000000000000/release"


@pytest.fixture
def issuer() -> Iterator[LoopbackIssuer]:
    issuer = LoopbackIssuer()
    issuer.start()
    yield issuer
    issuer.stop()


@pytest.fixture
async def clock() -> ManualClock:
    return ManualClock()


async def serving(settings: Settings, database: Database, url: str) -> AsyncIterator[FastAPI]:
    configured = settings.model_copy(update={"oidc_issuer": url, "oidc_audience": AUDIENCE})
    app = create_app(configured, database)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def app_of_issuer(
    settings: Settings, database: Database, issuer: LoopbackIssuer, clock: ManualClock
) -> AsyncIterator[FastAPI]:
    """The app configured with the loopback issuer, its key refetches on the test's clock."""
    async for app in serving(settings, database, issuer.url):
        app.state.jwt_verifier.external.clock = clock
        yield app


@pytest.fixture
async def http(app_of_issuer: FastAPI, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with database.transaction() as db:
        await create_client(db, "DC173")
    transport = httpx.ASGITransport(app=app_of_issuer)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def refusal(http: httpx.AsyncClient, token: str, path: str = SESSIONS) -> Any:
    response = await http.get(path, headers=bearer(token))
    assert response.status_code == 401, response.text
    body = response.json()
    assert set(body) == {"code", "message", "errors"} and body["code"] == "unauthorized"
    return body["message"]


class TestAccepted:
    async def test_a_valid_token_opens_the_api_as_the_client_it_names(
        self, http: httpx.AsyncClient, issuer: LoopbackIssuer
    ) -> None:
        token = issuer.token()

        created = await http.post(SESSIONS, json={"external_id": "1"}, headers=bearer(token))
        listed = await http.get(SESSIONS, headers=bearer(token))

        assert created.status_code == 201, created.text
        assert [s["id"] for s in listed.json()] == [created.json()["id"]]

    async def test_the_keys_are_fetched_once_for_many_tokens(
        self, http: httpx.AsyncClient, issuer: LoopbackIssuer
    ) -> None:
        for subject in ("a", "b", "c"):
            token = issuer.token(sub=subject)
            assert (await http.get(SESSIONS, headers=bearer(token))).status_code == 200

        assert issuer.key_requests == 1

    async def test_expiry_and_start_hold_with_30_seconds_of_leeway(
        self, http: httpx.AsyncClient, issuer: LoopbackIssuer
    ) -> None:
        moment = int(time.time())
        just_expired = issuer.token(exp=moment - 10)
        starting_soon = issuer.token(nbf=moment + 10)

        assert (await http.get(SESSIONS, headers=bearer(just_expired))).status_code == 200
        assert (await http.get(SESSIONS, headers=bearer(starting_soon))).status_code == 200

    async def test_an_operator_is_recognised_by_its_role(
        self, http: httpx.AsyncClient, issuer: LoopbackIssuer
    ) -> None:
        token = issuer.token(
            client_code=None,
            preferred_username="marie.adv",
            realm_access={"roles": ["offline_access", "order-taking-operator"]},
        )

        answer = await http.post(RELEASE, headers=bearer(token))

        assert answer.status_code == 404  # no such line: the operator got past authentication


class TestRefused:
    async def test_expired(self, http: httpx.AsyncClient, issuer: LoopbackIssuer) -> None:
        token = issuer.token(iat=int(time.time()) - 600, exp=int(time.time()) - 60)

        assert await refusal(http, token) == "The token has expired."

    async def test_not_yet_valid(self, http: httpx.AsyncClient, issuer: LoopbackIssuer) -> None:
        token = issuer.token(nbf=int(time.time()) + 120)

        assert await refusal(http, token) == "The token is not valid yet."

    async def test_wrong_issuer(self, http: httpx.AsyncClient, issuer: LoopbackIssuer) -> None:
        token = issuer.token(iss="https://sso.example/auth/realms/other")

        assert await refusal(http, token) == "The token's issuer is not accepted."

    async def test_wrong_audience(self, http: httpx.AsyncClient, issuer: LoopbackIssuer) -> None:
        token = issuer.token(aud="another-service")

        assert await refusal(http, token) == "The token is not meant for this service (audience)."

    async def test_alg_none(self, http: httpx.AsyncClient, issuer: LoopbackIssuer) -> None:
        message = await refusal(http, issuer.unsigned_token())

        assert message == "The token's signing algorithm is not accepted."

    async def test_hs256_keyed_with_the_public_key(
        self, http: httpx.AsyncClient, issuer: LoopbackIssuer
    ) -> None:
        message = await refusal(http, issuer.hs256_with_public_key())

        assert message == "The token's signing algorithm is not accepted."

    async def test_a_client_claim_naming_no_client(
        self, http: httpx.AsyncClient, issuer: LoopbackIssuer
    ) -> None:
        assert await refusal(http, issuer.token(client_code="XY999")) == (
            "The token names no known client."
        )
        assert await refusal(http, issuer.token(client_code=None)) == (
            "The token names no known client."
        )

    async def test_no_operator_role_on_the_staff_actions(
        self, http: httpx.AsyncClient, issuer: LoopbackIssuer
    ) -> None:
        response = await http.post(RELEASE, headers=bearer(issuer.token()))

        assert response.status_code == 401
        assert response.json()["message"] == "This action needs an operator's token."

    async def test_a_signature_of_another_key_never_says_which_key(
        self, http: httpx.AsyncClient, issuer: LoopbackIssuer
    ) -> None:
        assert (await http.get(SESSIONS, headers=bearer(issuer.token()))).status_code == 200
        impostor = LoopbackIssuer()  # same kid and issuer URL, another private key
        impostor.url, impostor.kid = issuer.url, issuer.kid

        message = await refusal(http, impostor.token())
        impostor.stop()

        assert message == "The token's signature is not valid."
        assert issuer.kid not in message


class TestKeyRotation:
    async def test_an_unknown_kid_fetches_the_keys_again_at_most_once_a_minute(
        self, http: httpx.AsyncClient, issuer: LoopbackIssuer, clock: ManualClock
    ) -> None:
        assert (await http.get(SESSIONS, headers=bearer(issuer.token()))).status_code == 200
        issuer.rotate()
        rotated = issuer.token()

        too_soon = await http.get(SESSIONS, headers=bearer(rotated))
        clock.advance(61)
        accepted = await http.get(SESSIONS, headers=bearer(issuer.token(sub="again")))
        issuer.rotate()
        unknown_again = await http.get(SESSIONS, headers=bearer(issuer.token()))

        assert too_soon.status_code == 401
        assert accepted.status_code == 200
        assert unknown_again.status_code == 401
        assert issuer.key_requests == 2


class TestIssuerDown:
    async def test_its_tokens_get_503_while_opaque_tokens_keep_working(
        self, settings: Settings, database: Database
    ) -> None:
        issuer = LoopbackIssuer()
        issuer.stop()  # before it ever served: nothing answers at its address
        async with database.transaction() as db:
            _, opaque = await create_client(db, "DC173")

        async for app in serving(settings, database, issuer.url):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                with_jwt = await http.get(SESSIONS, headers=bearer(issuer.token()))
                with_opaque = await http.get(SESSIONS, headers=bearer(opaque))

        assert with_jwt.status_code == 503
        assert with_jwt.json()["code"] == "unavailable"
        assert with_opaque.status_code == 200

    async def test_keys_already_fetched_keep_working_while_it_is_down(
        self, http: httpx.AsyncClient, issuer: LoopbackIssuer
    ) -> None:
        assert (await http.get(SESSIONS, headers=bearer(issuer.token()))).status_code == 200

        issuer.stop()

        assert (await http.get(SESSIONS, headers=bearer(issuer.token(sub="b")))).status_code == 200
