"""The API accepts the built-in issuer's access tokens as it accepts opaque tokens."""

from datetime import timedelta

import httpx
import pytest

from order_taking.auth import keys, tokens
from order_taking.clients.service import ClientIdentity
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from order_taking.core.time import now
from tests.auth.factories import (
    REALM,
    SESSIONS,
    access_token,
    bearer,
    client_with_password,
    operator_with_password,
)
from tests.conftest import ClientFactory

RELEASE = "/api/v1/operator/product_order_item/00000000-0000-0000-0000-000000000000/release"


async def signed_for(database: Database, holder: ClientIdentity, **changes: object) -> str:
    """An access token signed with the service's key, as the token endpoint would make it."""
    async with database.transaction() as db:
        key = await keys.signing_key(db)
    claims: dict[str, object] = {
        "issuer": f"http://testserver{REALM}",
        "holder": holder,
        "typ": tokens.ACCESS,
        "client_id": "api-client",
        "scope": "",
        "issued_at": now(),
        "lifetime": timedelta(minutes=5),
        **changes,
    }
    return tokens.sign(key, **claims)  # type: ignore[arg-type]


class TestClientAccessToken:
    async def test_opens_the_api_as_the_client(
        self, http: httpx.AsyncClient, database: Database
    ) -> None:
        password = await client_with_password(database)
        token = await access_token(http, "DC173", password)

        created = await http.post(SESSIONS, json={"external_id": "12345"}, headers=bearer(token))
        listed = await http.get(SESSIONS, headers=bearer(token))

        assert created.status_code == 201, created.text
        assert [s["id"] for s in listed.json()] == [created.json()["id"]]

    async def test_sees_what_the_clients_opaque_token_sees(
        self, http: httpx.AsyncClient, database: Database, make_client: ClientFactory
    ) -> None:
        opaque = await make_client("DC173")
        password = await client_with_password(database)
        jwt_token = await access_token(http, "DC173", password)
        created = (await opaque.post(SESSIONS, json={"external_id": "1"})).json()

        seen = await http.get(f"{SESSIONS}/{created['id']}", headers=bearer(jwt_token))

        assert seen.status_code == 200

    async def test_an_expired_one_is_refused_saying_so(
        self, http: httpx.AsyncClient, database: Database
    ) -> None:
        client = ClientIdentity(id="0", code="DC173")
        ten_minutes_ago = now() - timedelta(minutes=10)
        token = await signed_for(database, client, issued_at=ten_minutes_ago)

        refused = await http.get(SESSIONS, headers=bearer(token))

        assert refused.status_code == 401
        assert refused.json() == {
            "code": "unauthorized",
            "message": "The token has expired.",
            "errors": [],
        }

    async def test_a_tampered_one_is_refused(
        self, http: httpx.AsyncClient, database: Database
    ) -> None:
        token = await signed_for(database, ClientIdentity(id="0", code="DC173"))
        header, _, signature = token.split(".")
        forged = await signed_for(database, ClientIdentity(id="1", code="XY999"))

        mixed = ".".join([header, forged.split(".")[1], signature])
        refused = await http.get(SESSIONS, headers=bearer(mixed))

        assert refused.status_code == 401
        assert refused.json()["message"] == "The token's signature is not valid."

    @pytest.mark.parametrize("token", ["a.b.c", "e30.e30.", "not-a-jwt.at.all"])
    async def test_a_malformed_one_is_refused(self, http: httpx.AsyncClient, token: str) -> None:
        refused = await http.get(SESSIONS, headers=bearer(token))

        assert refused.status_code == 401
        assert refused.json()["code"] == "unauthorized"


class TestOperatorAccessToken:
    async def test_opens_the_staff_actions(
        self, http: httpx.AsyncClient, database: Database
    ) -> None:
        password = await operator_with_password(database)
        token = await access_token(http, "Marie ADV", password)

        answer = await http.post(RELEASE, headers=bearer(token))

        assert answer.status_code == 404  # no such line: the operator got past authentication


class TestWrongSide:
    @pytest.mark.parametrize(
        ("holder", "method", "path", "message"),
        [
            ("client", "POST", RELEASE, "This action needs an operator's token."),
            ("operator", "GET", SESSIONS, "The token names no known client."),
        ],
    )
    async def test_a_token_opens_only_its_holders_side(
        self,
        http: httpx.AsyncClient,
        database: Database,
        holder: str,
        method: str,
        path: str,
        message: str,
    ) -> None:
        if holder == "client":
            token = await access_token(http, "DC173", await client_with_password(database))
        else:
            token = await access_token(http, "Marie ADV", await operator_with_password(database))

        refused = await http.request(method, path, headers=bearer(token))

        assert refused.status_code == 401
        assert refused.json()["message"] == message


class TestKeyRotation:
    async def test_tokens_of_the_old_and_the_new_key_are_both_accepted(
        self, http: httpx.AsyncClient, database: Database, settings: Settings
    ) -> None:
        password = await client_with_password(database)
        before = await access_token(http, "DC173", password)
        assert (await http.get(SESSIONS, headers=bearer(before))).status_code == 200

        async with database.transaction() as db:
            await keys.rotate(db, settings)
        after = await access_token(http, "DC173", password)

        assert (await http.get(SESSIONS, headers=bearer(after))).status_code == 200
        assert (await http.get(SESSIONS, headers=bearer(before))).status_code == 200
