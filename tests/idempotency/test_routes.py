"""Idempotency-Key on every write of the API, through the real app and the suite's database."""

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from order_taking.backend.worker import Worker
from order_taking.clients.service import create_operator, find_client
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from order_taking.idempotency import repository
from order_taking.idempotency.models import IdempotencyKey
from order_taking.ordering.models import OrderSession
from tests.backend.backends import HELD, Scripted
from tests.backend.conftest import Clock
from tests.backend.factories import confirmed_session
from tests.conftest import ClientFactory
from tests.ordering.factories import MINIMAL_LINE, create_line, create_session
from tests.quotes import factories as quotes
from tests.quotes.factories import BPE
from tests.quotes.test_service import wait_for_a_lock_wait

KEY = "8e03978e-40d5-43e8-bc93-6894a57f9324"
REPLAYED = "Idempotent-Replayed"


def lines_path(session_id: str) -> str:
    return f"/api/v1/product_order/{session_id}/product_order_item/"


async def keyed(
    http: httpx.AsyncClient, method: str, url: str, key: str = KEY, **options: Any
) -> httpx.Response:
    return await http.request(method, url, headers={"Idempotency-Key": key}, **options)


async def sent_twice(
    http: httpx.AsyncClient, method: str, url: str, **options: Any
) -> tuple[httpx.Response, httpx.Response]:
    """The same keyed request sent twice; checks that the second is the first, replayed."""
    first = await keyed(http, method, url, **options)
    again = await keyed(http, method, url, **options)
    assert first.status_code < 300, first.text
    assert REPLAYED not in first.headers
    assert again.headers[REPLAYED] == "true"
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers.get("content-type") == first.headers.get("content-type")
    return first, again


async def lines_of(api: httpx.AsyncClient, session_id: str) -> list[dict[str, Any]]:
    detail = (await api.get(f"/api/v1/product_order/{session_id}/")).json()
    lines: list[dict[str, Any]] = detail["product_order_item"]
    return lines


async def stored_keys(database: Database) -> int:
    async with database.transaction() as db:
        return int(await db.scalar(select(func.count()).select_from(IdempotencyKey)) or 0)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock of the Idempotency-Key routes, which the test moves."""
    moved = Clock()
    monkeypatch.setattr("order_taking.idempotency.routes.now", moved)
    return moved


@pytest.fixture
async def staff(make_client: ClientFactory, database: Database) -> httpx.AsyncClient:
    async with database.transaction() as db:
        _, token = await create_operator(db, "Marie ADV")
    return await make_client(token=token)


class TestReplay:
    async def test_a_retried_line_creation_creates_one_line(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)

        first, _ = await sent_twice(api, "POST", lines_path(session["id"]), json=MINIMAL_LINE)

        assert first.status_code == 201
        assert [line["id"] for line in await lines_of(api, session["id"])] == [first.json()["id"]]

    async def test_the_draft_quoted_form_names_the_same_key(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)
        url = lines_path(session["id"])

        first = await keyed(api, "POST", url, key=KEY, json=MINIMAL_LINE)
        again = await keyed(api, "POST", url, key=f'"{KEY}"', json=MINIMAL_LINE)

        assert again.headers[REPLAYED] == "true"
        assert again.json() == first.json()

    async def test_without_the_header_nothing_is_kept(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        session = await create_session(api)

        response = await api.post(lines_path(session["id"]), json=MINIMAL_LINE)

        assert response.status_code == 201
        assert REPLAYED not in response.headers
        assert await stored_keys(database) == 0

    async def test_a_failed_request_keeps_no_key_and_may_be_retried_corrected(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        session = await create_session(api)
        url = lines_path(session["id"])

        refused = await keyed(api, "POST", url, json=MINIMAL_LINE | {"vlan_reference": 0})
        corrected = await keyed(api, "POST", url, json=MINIMAL_LINE)

        assert refused.status_code == 422
        assert corrected.status_code == 201
        assert REPLAYED not in corrected.headers
        assert await stored_keys(database) == 1

    async def test_two_at_once_create_one_line(self, api: httpx.AsyncClient) -> None:
        """On SQLite the second waits for the first's transaction and replays it; on PostgreSQL
        it may instead be refused while the first runs (409)."""
        session = await create_session(api)
        url = lines_path(session["id"])

        responses = await asyncio.gather(
            *(keyed(api, "POST", url, json=MINIMAL_LINE) for _ in range(2))
        )

        lines = await lines_of(api, session["id"])
        assert len(lines) == 1
        for response in responses:
            if response.status_code == 409:
                assert response.json()["code"] == "idempotency_key_in_use"
            else:
                assert (response.status_code, response.json()["id"]) == (201, lines[0]["id"])
        assert sum(r.status_code == 201 and REPLAYED not in r.headers for r in responses) == 1


class TestReuse:
    async def test_another_body_is_refused(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)
        url = lines_path(session["id"])
        await keyed(api, "POST", url, json=MINIMAL_LINE)

        response = await keyed(api, "POST", url, json=MINIMAL_LINE | {"external_id": "other"})

        assert response.status_code == 422
        assert response.json()["code"] == "idempotency_key_reused"
        assert len(await lines_of(api, session["id"])) == 1

    async def test_another_path_is_refused(self, api: httpx.AsyncClient) -> None:
        first, second = await create_session(api), await create_session(api)
        await keyed(api, "POST", lines_path(first["id"]), json=MINIMAL_LINE)

        response = await keyed(api, "POST", lines_path(second["id"]), json=MINIMAL_LINE)

        assert response.status_code == 422
        assert response.json()["code"] == "idempotency_key_reused"
        assert await lines_of(api, second["id"]) == []

    async def test_another_method_is_refused(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)
        url = f"/api/v1/product_order/{session['id']}/"
        await keyed(api, "PATCH", url, json={"external_id": "edited"})

        response = await keyed(api, "DELETE", url)

        assert response.status_code == 422
        assert response.json()["code"] == "idempotency_key_reused"
        assert (await api.get(url)).status_code == 200

    async def test_the_path_with_or_without_its_slash_is_the_same(
        self, api: httpx.AsyncClient
    ) -> None:
        session = await create_session(api)
        url = lines_path(session["id"])
        first = await keyed(api, "POST", url, json=MINIMAL_LINE)

        again = await keyed(api, "POST", url.rstrip("/"), json=MINIMAL_LINE)

        assert again.headers[REPLAYED] == "true"
        assert again.json() == first.json()


class TestInUse:
    async def test_a_key_held_by_a_running_request_is_refused_at_once(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        if database.dialect != "postgresql":
            pytest.skip("PostgreSQL only: SQLite runs one writer at a time, the second waits")
        async with database.transaction() as db:
            client = await find_client(db, "DC173")
        assert client is not None
        session = await create_session(api)
        url = lines_path(session["id"])

        # Another transaction holds the key, as a first request still running would.
        async with database.transaction() as holder:
            lock = func.pg_advisory_xact_lock(repository.lock_id(f"client:{client.id}", KEY))
            await holder.execute(select(lock))
            refused = await keyed(api, "POST", url, json=MINIMAL_LINE)
        retried = await keyed(api, "POST", url, json=MINIMAL_LINE)

        assert refused.status_code == 409
        assert refused.json()["code"] == "idempotency_key_in_use"
        assert retried.status_code == 201
        assert REPLAYED not in retried.headers
        assert len(await lines_of(api, session["id"])) == 1

    async def test_a_request_arriving_while_the_first_runs_is_refused_at_once(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        if database.dialect != "postgresql":
            pytest.skip("PostgreSQL only: SQLite runs one writer at a time, the second waits")
        session = await create_session(api)
        await create_line(api, session["id"])
        url = f"/api/v1/product_order/{session['id']}/confirm/"

        # The first confirm takes its key, then waits on the session's row, locked here.
        async with database.transaction() as holder:
            await holder.execute(
                select(OrderSession.id).where(OrderSession.id == session["id"]).with_for_update()
            )
            first = asyncio.create_task(keyed(api, "PATCH", url))
            await wait_for_a_lock_wait(database)
            second = await keyed(api, "PATCH", url)
        answered = await first
        third = await keyed(api, "PATCH", url)

        assert second.status_code == 409
        assert second.json()["code"] == "idempotency_key_in_use"
        assert answered.status_code == 200
        assert third.headers[REPLAYED] == "true"
        assert third.json() == answered.json()


class TestKeyFormat:
    @pytest.mark.parametrize(
        "key", ["", "two words", "x" * 256, "caf\xe9".encode("latin-1"), '""', "tab\there"]
    )
    async def test_a_key_not_of_1_to_255_visible_ascii_characters_is_refused(
        self, api: httpx.AsyncClient, key: str | bytes
    ) -> None:
        response = await api.post(
            "/api/v1/product_order/", json={}, headers={"Idempotency-Key": key}
        )

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "malformed_request"
        assert body["errors"][0]["property_path"] == "Idempotency-Key"
        assert (await api.get("/api/v1/product_order/")).json() == []

    async def test_255_visible_characters_are_a_key(self, api: httpx.AsyncClient) -> None:
        key = "".join(chr(33 + i % 94) for i in range(255))

        await sent_twice(api, "POST", "/api/v1/product_order/", key=key, json={})


class TestExpiry:
    async def test_an_expired_key_is_forgotten(
        self, api: httpx.AsyncClient, clock: Clock, settings: Settings
    ) -> None:
        session = await create_session(api)
        url = lines_path(session["id"])
        first = await keyed(api, "POST", url, json=MINIMAL_LINE)

        clock.advance(settings.idempotency_key_hours * 3600 + 1)
        again = await keyed(api, "POST", url, json=MINIMAL_LINE | {"external_id": "new"})

        assert again.status_code == 201
        assert REPLAYED not in again.headers
        assert again.json()["id"] != first.json()["id"]

    async def test_a_key_is_kept_until_it_expires(
        self, api: httpx.AsyncClient, clock: Clock, settings: Settings
    ) -> None:
        session = await create_session(api)
        url = lines_path(session["id"])
        await keyed(api, "POST", url, json=MINIMAL_LINE)

        clock.advance(settings.idempotency_key_hours * 3600 - 1)
        again = await keyed(api, "POST", url, json=MINIMAL_LINE)

        assert again.headers[REPLAYED] == "true"

    async def test_expired_keys_are_purged_by_later_keyed_writes(
        self, api: httpx.AsyncClient, database: Database, clock: Clock, settings: Settings
    ) -> None:
        for key in ("one", "two"):
            await keyed(api, "POST", "/api/v1/product_order/", key=key, json={})

        clock.advance(settings.idempotency_key_hours * 3600 + 1)
        await keyed(api, "POST", "/api/v1/product_order/", key="three", json={})

        assert await stored_keys(database) == 1


class TestOwners:
    async def test_another_clients_same_key_is_its_own(
        self, api: httpx.AsyncClient, make_client: ClientFactory
    ) -> None:
        other = await make_client("XY999")

        mine = await keyed(api, "POST", "/api/v1/product_order/", json={"external_id": "a"})
        theirs = await keyed(other, "POST", "/api/v1/product_order/", json={"external_id": "a"})

        assert (mine.status_code, theirs.status_code) == (201, 201)
        assert REPLAYED not in theirs.headers
        assert mine.json()["id"] != theirs.json()["id"]
        assert [s["id"] for s in (await other.get("/api/v1/product_order/")).json()] == [
            theirs.json()["id"]
        ]


class TestEachWrite:
    """Each kind of write, sent twice with one key: replayed, and its work done once."""

    async def test_session_creation(self, api: httpx.AsyncClient) -> None:
        await sent_twice(api, "POST", "/api/v1/product_order/", json={"external_id": "x"})

        assert len((await api.get("/api/v1/product_order/")).json()) == 1

    async def test_session_update(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)

        first, _ = await sent_twice(
            api, "PATCH", f"/api/v1/product_order/{session['id']}/", json={"external_id": "e"}
        )

        assert first.json()["external_id"] == "e"

    async def test_session_deletion(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)

        first, _ = await sent_twice(api, "DELETE", f"/api/v1/product_order/{session['id']}/")

        assert first.status_code == 204

    async def test_line_update(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)
        line = await create_line(api, session["id"])

        first, _ = await sent_twice(
            api, "PATCH", lines_path(session["id"]) + f"{line['id']}/", json={"note": "n"}
        )

        assert first.json()["note"] == "n"

    async def test_line_deletion(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)
        line = await create_line(api, session["id"])

        first, _ = await sent_twice(api, "DELETE", lines_path(session["id"]) + f"{line['id']}/")

        assert first.json()["product_order_item"] == []

    async def test_confirm(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)
        await create_line(api, session["id"])

        first, _ = await sent_twice(api, "PATCH", f"/api/v1/product_order/{session['id']}/confirm/")

        assert first.status_code == 200
        assert first.json()["state"] == "in_progress"

    async def test_quote_writes(self, api: httpx.AsyncClient) -> None:
        cart, _ = await sent_twice(api, "POST", "/api/v1/quote/", key="cart", json={})
        cart_url = f"/api/v1/quote/{cart.json()['id']}/"
        body = {"product_offering_qualification_item_id": quotes.ITEM, "product_offerings": [BPE]}
        line, _ = await sent_twice(api, "POST", cart_url + "quote_item/", key="line", json=body)
        line_url = cart_url + f"quote_item/{line.json()['id']}/"
        kept = await quotes.add_line(api, cart.json()["id"])

        await sent_twice(api, "PATCH", cart_url, key="edit", json={"external_id": "q2"})
        await sent_twice(api, "PATCH", line_url, key="edit-line", json={"product_offerings": [BPE]})
        await sent_twice(api, "DELETE", line_url, key="delete")
        confirmed, _ = await sent_twice(api, "PATCH", cart_url + "confirm/", key="confirm")

        assert confirmed.status_code == 204
        detail = (await api.get(cart_url)).json()
        assert [item["id"] for item in detail["quote_item"]] == [kept["id"]]

    @pytest.mark.parametrize(
        ("outcome", "verb", "body"),
        [(HELD, "release", None), (HELD, "cancel", {"reason": "asked"}), ("", "complete", None)],
    )
    async def test_operator_actions(
        self,
        api: httpx.AsyncClient,
        staff: httpx.AsyncClient,
        database: Database,
        settings: Settings,
        outcome: str,
        verb: str,
        body: dict[str, str] | None,
    ) -> None:
        session = await confirmed_session(api, outcome)
        assert await Worker(database, Scripted(), settings).run_once() == 1
        line_id = session["product_order_item"][0]["id"]
        url = f"/api/v1/operator/product_order_item/{line_id}/{verb}/"

        first, _ = await sent_twice(staff, "POST", url, json=body)

        changes = (await api.get(f"/api/v1/product_order_item/{line_id}/")).json()["state_change"]
        assert changes == first.json()["state_change"]

    async def test_hub_writes(self, api: httpx.AsyncClient) -> None:
        body = {"callback": "https://8.8.8.8/hooks"}
        listener, _ = await sent_twice(api, "POST", "/api/v1/hub/", key="register", json=body)
        await sent_twice(api, "DELETE", f"/api/v1/hub/{listener.json()['id']}/", key="delete")

        assert (await api.get("/api/v1/hub/")).json() == []


class TestEveryWriteRoute:
    def test_every_write_of_the_api_declares_the_header_and_its_errors(self, app: FastAPI) -> None:
        """Declared by IdempotentRoute only: a router of the API without it fails here."""
        writes = 0
        for path, operations in app.openapi()["paths"].items():
            for method, operation in operations.items():
                names = [p["name"] for p in operation.get("parameters", [])]
                if method not in ("post", "patch", "delete"):
                    assert "Idempotency-Key" not in names, (method, path)
                elif path.startswith("/api/"):
                    writes += 1
                    assert "Idempotency-Key" in names, (method, path)
                    assert {"400", "409", "422"} <= set(operation["responses"]), (method, path)
                    assert "idempotency_key_in_use" in operation["responses"]["409"]["description"]
                    assert "idempotency_key_reused" in operation["responses"]["422"]["description"]
                    success = next(s for s in operation["responses"] if s.startswith("2"))
                    assert REPLAYED in operation["responses"][success]["headers"], (method, path)
        assert writes >= 16
