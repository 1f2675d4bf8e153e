"""/api/v1/operator/product_order_item/{id}/release|cancel|complete/: the staff's actions."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from order_taking.backend.worker import Worker
from order_taking.clients.service import create_operator
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from tests.backend.backends import HELD, IN_PROGRESS, REJECTED, Scripted
from tests.backend.factories import confirmed_session, new_session

ACKNOWLEDGED = "acknowledged"


@pytest.fixture
async def staff(app: FastAPI, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """The API as a member of the operator's sales administration sees it."""
    async with database.transaction() as db:
        _, token = await create_operator(db, "Marie ADV")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {token}"},
    ) as http:
        yield http


@pytest.fixture
def order_line(api: httpx.AsyncClient, database: Database, settings: Settings) -> Any:
    """`await order_line(HELD)`: a line whose order the back end created in that state (or
    rejected), as the client sees it."""

    async def make(outcome: str) -> dict[str, Any]:
        session = await confirmed_session(api, outcome)
        assert await Worker(database, Scripted(), settings).run_once() == 1
        line_id = session["product_order_item"][0]["id"]
        line: dict[str, Any] = (await api.get(f"/api/v1/product_order_item/{line_id}/")).json()
        return line

    return make


def action(line_id: str, verb: str) -> str:
    return f"/api/v1/operator/product_order_item/{line_id}/{verb}/"


async def client_view(api: httpx.AsyncClient, line_id: str) -> dict[str, Any]:
    line: dict[str, Any] = (await api.get(f"/api/v1/product_order_item/{line_id}/")).json()
    return line


class TestRelease:
    async def test_a_held_order_goes_on(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient, order_line: Any
    ) -> None:
        line = await order_line(HELD)

        response = await staff.post(action(line["id"], "release"))

        assert response.status_code == 200
        released = response.json()
        assert released["state"] == "in_progress"
        assert released["state_change"][:-1] == line["state_change"]
        last = released["state_change"][-1]
        assert last["state"] == "in_progress"
        assert last["change_reason"] == "Released by the sales administration (ADV)."
        assert await client_view(api, line["id"]) == released

    @pytest.mark.parametrize("outcome", [ACKNOWLEDGED, IN_PROGRESS, REJECTED])
    async def test_only_a_held_order_is_released(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient, order_line: Any, outcome: str
    ) -> None:
        line = await order_line(outcome)

        response = await staff.post(action(line["id"], "release"))

        assert response.status_code == 409
        assert response.json()["code"] == "invalid_state"
        assert await client_view(api, line["id"]) == line


class TestCancel:
    @pytest.mark.parametrize("outcome", [ACKNOWLEDGED, HELD, IN_PROGRESS])
    async def test_cancels_a_created_order_with_its_reason(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient, order_line: Any, outcome: str
    ) -> None:
        line = await order_line(outcome)

        response = await staff.post(
            action(line["id"], "cancel"), json={"reason": "  Customer withdrew.  "}
        )

        assert response.status_code == 200
        cancelled = response.json()
        assert cancelled["state"] == "cancelled"
        assert cancelled["cancellation_reason"] == "Customer withdrew."
        assert cancelled["cancellation_date"] is not None
        assert cancelled["cancellation_date"] == cancelled["state_change"][-1]["change_date"]
        assert cancelled["state_change"][-1] | {"change_date": ""} == {
            "state": "cancelled",
            "change_reason": "Customer withdrew.",
            "change_date": "",
        }
        assert await client_view(api, line["id"]) == cancelled

    async def test_a_cancelled_order_stays_cancelled(
        self, staff: httpx.AsyncClient, order_line: Any
    ) -> None:
        line = await order_line(ACKNOWLEDGED)
        await staff.post(action(line["id"], "cancel"), json={"reason": "First."})

        for verb, body in (("cancel", {"reason": "Again."}), ("complete", None), ("release", None)):
            response = await staff.post(action(line["id"], verb), json=body)
            assert response.status_code == 409, verb

    async def test_a_rejected_line_has_no_order_to_cancel(
        self, staff: httpx.AsyncClient, order_line: Any
    ) -> None:
        line = await order_line(REJECTED)

        response = await staff.post(action(line["id"], "cancel"), json={"reason": "Why not."})

        assert response.status_code == 409

    @pytest.mark.parametrize(
        ("body", "code"),
        [
            ({}, "required"),
            ({"reason": ""}, "too_short"),
            ({"reason": "   "}, "too_short"),
            ({"reason": "x" * 1001}, "too_long"),
            ({"reason": None}, "invalid_type"),
            ({"reason": 12}, "invalid_type"),
        ],
    )
    async def test_a_reason_is_required(
        self,
        staff: httpx.AsyncClient,
        api: httpx.AsyncClient,
        order_line: Any,
        body: dict[str, Any],
        code: str,
    ) -> None:
        line = await order_line(ACKNOWLEDGED)

        response = await staff.post(action(line["id"], "cancel"), json=body)

        assert response.status_code == 422
        assert [(e["code"], e["property_path"]) for e in response.json()["errors"]] == [
            (code, "reason")
        ]
        assert (await client_view(api, line["id"]))["state"] == "acknowledged"

    async def test_a_reason_of_a_thousand_characters_is_kept_whole(
        self, staff: httpx.AsyncClient, order_line: Any
    ) -> None:
        line = await order_line(ACKNOWLEDGED)

        response = await staff.post(action(line["id"], "cancel"), json={"reason": "x" * 1000})

        assert response.status_code == 200
        assert response.json()["cancellation_reason"] == "x" * 1000


class TestComplete:
    @pytest.mark.parametrize("outcome", [ACKNOWLEDGED, IN_PROGRESS])
    async def test_completes_a_delivered_order(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient, order_line: Any, outcome: str
    ) -> None:
        line = await order_line(outcome)

        response = await staff.post(action(line["id"], "complete"))

        assert response.status_code == 200
        completed = response.json()
        assert completed["state"] == "completed"
        assert completed["completion_date"] == completed["state_change"][-1]["change_date"]
        assert completed["state_change"][-1]["state"] == "completed"
        assert completed["state_change"][-1]["change_reason"]
        assert await client_view(api, line["id"]) == completed

    async def test_a_held_order_is_released_before_it_completes(
        self, staff: httpx.AsyncClient, order_line: Any
    ) -> None:
        line = await order_line(HELD)

        assert (await staff.post(action(line["id"], "complete"))).status_code == 409
        assert (await staff.post(action(line["id"], "release"))).status_code == 200
        assert (await staff.post(action(line["id"], "complete"))).status_code == 200


class TestLinesWithoutAnOrder:
    @pytest.mark.parametrize(
        ("verb", "body"), [("release", None), ("cancel", {"reason": "r"}), ("complete", None)]
    )
    async def test_a_line_waiting_for_the_back_end_is_out_of_reach(
        self,
        staff: httpx.AsyncClient,
        api: httpx.AsyncClient,
        verb: str,
        body: dict[str, str] | None,
    ) -> None:
        session = await confirmed_session(api)
        line = session["product_order_item"][0]

        response = await staff.post(action(line["id"], verb), json=body)

        assert response.status_code == 409
        assert "has no order yet: the back end is still creating it" in response.json()["message"]
        assert (await client_view(api, line["id"]))["state_change"] == line["state_change"]

    @pytest.mark.parametrize(
        ("verb", "body"), [("release", None), ("cancel", {"reason": "r"}), ("complete", None)]
    )
    async def test_a_draft_line_is_out_of_reach(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient, verb: str, body: Any
    ) -> None:
        session_id = await new_session(api)
        [line] = (await api.get(f"/api/v1/product_order/{session_id}/")).json()[
            "product_order_item"
        ]

        response = await staff.post(action(line["id"], verb), json=body)

        assert response.status_code == 409
        assert "has no order yet: the client has not confirmed it" in response.json()["message"]
        assert (await client_view(api, line["id"]))["state"] == "created"

    @pytest.mark.parametrize(
        ("verb", "body"), [("release", None), ("cancel", {"reason": "r"}), ("complete", None)]
    )
    async def test_an_unknown_line_is_not_found(
        self, staff: httpx.AsyncClient, verb: str, body: Any
    ) -> None:
        response = await staff.post(action("no-such-line", verb), json=body)

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


class TestOperatorToken:
    @pytest.mark.parametrize(
        ("verb", "body"), [("release", None), ("cancel", {"reason": "r"}), ("complete", None)]
    )
    async def test_a_clients_token_is_refused(
        self, api: httpx.AsyncClient, order_line: Any, verb: str, body: Any
    ) -> None:
        line = await order_line(HELD)

        response = await api.post(action(line["id"], verb), json=body)

        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"
        assert await client_view(api, line["id"]) == line

    async def test_no_token_is_refused(self, app: FastAPI, order_line: Any) -> None:
        line = await order_line(ACKNOWLEDGED)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as anonymous:
            response = await anonymous.post(action(line["id"], "complete"))

        assert response.status_code == 401

    async def test_paths_answer_without_their_trailing_slash(
        self, staff: httpx.AsyncClient, order_line: Any
    ) -> None:
        line = await order_line(ACKNOWLEDGED)

        response = await staff.post(action(line["id"], "complete").rstrip("/"))

        assert response.status_code == 200
