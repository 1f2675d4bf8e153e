"""/api/v1/hub: a client registers, lists, shows and deletes its listeners."""

import base64
from collections.abc import AsyncIterator

import httpx
import pytest

from order_taking.app import create_app
from order_taking.clients.service import create_client
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from tests.conftest import ClientFactory
from tests.notifications.factories import register
from tests.ordering.factories import assert_error


class TestRegister:
    async def test_answers_the_listener_and_its_secret_once(self, api: httpx.AsyncClient) -> None:
        listener = await register(api, "https://8.8.8.8/hooks", "eventType=quoteStateChangeEvent")

        assert listener["callback"] == "https://8.8.8.8/hooks"
        assert listener["query"] == "eventType=quoteStateChangeEvent"
        assert listener["state"] == "enabled"
        prefix, _, key = listener["secret"].partition("_")
        assert prefix == "whsec" and len(base64.b64decode(key, validate=True)) >= 24
        shown = (await api.get(f"/api/v1/hub/{listener['id']}")).json()
        assert "secret" not in shown
        assert shown == {k: v for k, v in listener.items() if k != "secret"}

    async def test_each_listener_has_its_own_secret(self, api: httpx.AsyncClient) -> None:
        first = await register(api, "https://8.8.8.8/a")
        second = await register(api, "https://8.8.8.8/a")

        assert first["secret"] != second["secret"]

    @pytest.mark.parametrize(
        "query", ["eventType=noSuchEvent", "type=quoteStateChangeEvent", "eventType="]
    )
    async def test_an_unknown_query_is_refused(self, api: httpx.AsyncClient, query: str) -> None:
        response = await api.post(
            "/api/v1/hub/", json={"callback": "https://8.8.8.8/", "query": query}
        )

        assert_error(response, 422, "validation_error")

    async def test_a_body_without_callback_is_refused(self, api: httpx.AsyncClient) -> None:
        assert_error(await api.post("/api/v1/hub", json={}), 422, "validation_error")


@pytest.fixture
async def strict_api(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """The API as it runs in production: callbacks to private networks refused."""
    app = create_app(
        settings.model_copy(update={"webhook_allow_private_networks": False}), database
    )
    async with database.transaction() as db:
        _, token = await create_client(db, "STRICT")
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {token}"},
        ) as http,
    ):
        yield http


class TestPrivateCallbacks:
    @pytest.mark.parametrize(
        "callback",
        [
            "http://8.8.8.8/hooks",  # not https
            "https://127.0.0.1/hooks",
            "https://localhost:8443/hooks",
            "https://10.1.2.3/hooks",
            "https://192.168.0.10/hooks",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/hooks",
            "https://[::ffff:127.0.0.1]/hooks",
            "ftp://8.8.8.8/hooks",
            "https:///no-host",
        ],
    )
    async def test_are_refused(self, strict_api: httpx.AsyncClient, callback: str) -> None:
        response = await strict_api.post("/api/v1/hub/", json={"callback": callback})

        body = assert_error(response, 422, "validation_error")
        assert [e["property_path"] for e in body["errors"]] == ["callback"]
        assert (await strict_api.get("/api/v1/hub/")).json() == []

    async def test_a_public_https_address_is_accepted(self, strict_api: httpx.AsyncClient) -> None:
        assert (await register(strict_api, "https://8.8.8.8:8443/hooks"))["state"] == "enabled"

    async def test_are_allowed_when_the_settings_say_so(self, api: httpx.AsyncClient) -> None:
        assert (await register(api, "http://127.0.0.1:9/hooks"))["state"] == "enabled"


class TestListAndDelete:
    async def test_a_client_lists_its_own_listeners(
        self, api: httpx.AsyncClient, make_client: ClientFactory
    ) -> None:
        mine = [await register(api, f"https://8.8.8.8/{n}") for n in range(2)]
        await register(await make_client("OTHER"), "https://8.8.8.8/other")

        listed = (await api.get("/api/v1/hub")).json()

        assert [item["id"] for item in listed] == [item["id"] for item in mine]
        assert all("secret" not in item for item in listed)

    async def test_delete_answers_204_and_the_listener_is_gone(
        self, api: httpx.AsyncClient
    ) -> None:
        listener = await register(api, "https://8.8.8.8/hooks")

        response = await api.delete(f"/api/v1/hub/{listener['id']}/")

        assert response.status_code == 204
        assert_error(await api.get(f"/api/v1/hub/{listener['id']}/"), 404, "not_found")

    async def test_another_clients_listener_is_not_found(
        self, api: httpx.AsyncClient, make_client: ClientFactory
    ) -> None:
        listener = await register(api, "https://8.8.8.8/hooks")
        other = await make_client("OTHER")

        assert_error(await other.get(f"/api/v1/hub/{listener['id']}"), 404, "not_found")
        assert_error(await other.delete(f"/api/v1/hub/{listener['id']}"), 404, "not_found")
        assert (await api.get(f"/api/v1/hub/{listener['id']}")).status_code == 200
