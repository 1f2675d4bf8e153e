"""PATCH /api/v1/product_order/{id}/confirm/: answered at once, the orders queued durably."""

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from order_taking.app import create_app, load_demo_catalog_if_empty
from order_taking.clients.service import create_client
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from tests.backend.factories import jobs_of, line_body, new_session
from tests.conftest import ClientFactory


async def confirm(api: httpx.AsyncClient, session_id: str) -> httpx.Response:
    return await api.patch(f"/api/v1/product_order/{session_id}/confirm/")


async def twenty_confirms(api: httpx.AsyncClient, session_id: str) -> Counter[int]:
    responses = await asyncio.gather(*(confirm(api, session_id) for _ in range(20)))
    return Counter(response.status_code for response in responses)


@pytest.fixture
async def postgresql_api(
    postgresql_url: str, settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """The API of a second app, on PostgreSQL whatever the suite runs on."""
    database = Database(postgresql_url)
    await load_demo_catalog_if_empty(database)
    async with database.transaction() as db:
        _, token = await create_client(db, f"PG{uuid.uuid4().hex[:8].upper()}")
    app = create_app(settings.model_copy(update={"database_url": postgresql_url}), database)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {token}"},
        ) as api,
    ):
        yield api
    await database.dispose()


class TestConfirm:
    async def test_answers_the_session_in_progress_with_its_order_date(
        self, api: httpx.AsyncClient
    ) -> None:
        session_id = await new_session(api, lines=2)

        response = await confirm(api, session_id)

        assert response.status_code == 200
        detail: dict[str, Any] = response.json()
        assert detail["id"] == session_id
        assert detail["state"] == "in_progress"
        assert detail["order_date"] is not None
        assert detail["completion_date"] is None
        assert len(detail["product_order_item"]) == 2
        for line in detail["product_order_item"]:
            assert line["state"] == "in_progress"
            assert line["order_date"] == detail["order_date"]
            assert [e["state"] for e in line["state_change"]] == ["created", "in_progress"]

    async def test_queues_one_job_per_line_in_the_same_transaction(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        session_id = await new_session(api, lines=3)

        detail = (await confirm(api, session_id)).json()

        jobs = await jobs_of(database, session_id)
        assert sorted(job.line_id for job in jobs) == sorted(
            line["id"] for line in detail["product_order_item"]
        )
        assert all(job.claim_token is None and job.attempts == 0 for job in jobs)

    async def test_wakes_the_workers_once_committed(
        self, api: httpx.AsyncClient, app: FastAPI
    ) -> None:
        session_id = await new_session(api)
        app.state.work_signal.clear()

        await confirm(api, session_id)

        assert app.state.work_signal.is_set()

    async def test_a_confirmed_session_is_refused(self, api: httpx.AsyncClient) -> None:
        session_id = await new_session(api)
        await confirm(api, session_id)

        response = await confirm(api, session_id)

        assert response.status_code == 409
        assert response.json()["code"] == "invalid_state"

    async def test_an_empty_session_is_refused_and_nothing_is_queued(
        self, api: httpx.AsyncClient, database: Database, app: FastAPI
    ) -> None:
        session_id = await new_session(api, lines=0)
        app.state.work_signal.clear()

        response = await confirm(api, session_id)

        assert response.status_code == 409
        assert response.json()["code"] == "invalid_state"
        assert (await api.get(f"/api/v1/product_order/{session_id}/")).json()["state"] == "created"
        assert await jobs_of(database, session_id) == []
        assert not app.state.work_signal.is_set()

    async def test_another_clients_session_is_not_found(
        self, api: httpx.AsyncClient, make_client: ClientFactory
    ) -> None:
        session_id = await new_session(api)
        other = await make_client("OTHER1")

        response = await confirm(other, session_id)

        assert response.status_code == 404
        assert (await api.get(f"/api/v1/product_order/{session_id}/")).json()["state"] == "created"

    async def test_an_unknown_session_is_not_found(self, api: httpx.AsyncClient) -> None:
        response = await confirm(api, str(uuid.uuid4()))

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    async def test_twenty_concurrent_confirms_one_wins(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        session_id = await new_session(api, lines=2)

        assert await twenty_confirms(api, session_id) == {200: 1, 409: 19}
        assert len(await jobs_of(database, session_id)) == 2

    @pytest.mark.postgresql
    async def test_a_line_created_during_the_confirm_is_confirmed_with_it_or_refused(
        self, postgresql_api: httpx.AsyncClient
    ) -> None:
        session_id = await new_session(postgresql_api, lines=1)
        path = f"/api/v1/product_order/{session_id}/product_order_item/"

        def creates(count: int) -> list[Any]:
            return [postgresql_api.post(path, json=line_body()) for _ in range(count)]

        *before, confirmed = await asyncio.gather(*creates(10), confirm(postgresql_api, session_id))
        after = await asyncio.gather(*creates(10))

        assert confirmed.status_code == 200
        responses = [*before, *after]
        assert {r.status_code for r in responses} <= {201, 409}
        assert {r.status_code for r in after} == {409}
        detail = (await postgresql_api.get(f"/api/v1/product_order/{session_id}/")).json()
        created = {r.json()["id"] for r in responses if r.status_code == 201}
        lines = detail["product_order_item"]
        assert created <= {line["id"] for line in lines}
        assert len(lines) == len(created) + 1
        assert {line["state"] for line in lines} == {"in_progress"}

    @pytest.mark.postgresql
    async def test_twenty_concurrent_confirms_one_wins_on_postgresql(
        self, postgresql_api: httpx.AsyncClient
    ) -> None:
        session_id = await new_session(postgresql_api, lines=2)

        assert await twenty_confirms(postgresql_api, session_id) == {200: 1, 409: 19}
        detail = (await postgresql_api.get(f"/api/v1/product_order/{session_id}/")).json()
        assert [e["state"] for e in detail["product_order_item"][0]["state_change"]] == [
            "created",
            "in_progress",
        ]
