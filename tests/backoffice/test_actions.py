"""Release, Cancel, Complete from a line's page: the operator's services, behind a CSRF check."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from order_taking.clients.service import create_operator
from order_taking.core.database import Database
from tests.backend.backends import HELD, REJECTED
from tests.backend.factories import confirmed_session
from tests.backoffice.conftest import csrf_token, post_form, sign_in

AnsweredLines = Any


def page_of(line: dict[str, Any]) -> str:
    return f"/backoffice/lines/{line['id']}"


async def submit(
    staff: httpx.AsyncClient, line: dict[str, Any], verb: str, **fields: str
) -> httpx.Response:
    """Submits the form of `verb` from the line's page, as the browser does."""
    return await post_form(staff, page_of(line), f"{page_of(line)}/{verb}", **fields)


async def state_seen_by_the_client(api: httpx.AsyncClient, line: dict[str, Any]) -> str:
    state: str = (await api.get(f"/api/v1/product_order_item/{line['id']}/")).json()["state"]
    return state


def buttons(page: str) -> set[str]:
    return {verb for verb in ("Release", "Cancel", "Complete") if f">{verb}</button>" in page}


class TestButtons:
    @pytest.mark.parametrize(
        ("outcome", "shown"),
        [
            (HELD, {"Release", "Cancel"}),
            ("acknowledged", {"Cancel", "Complete"}),
            ("in_progress", {"Cancel", "Complete"}),
            (REJECTED, set()),
        ],
    )
    async def test_only_the_moves_the_state_allows(
        self,
        staff: httpx.AsyncClient,
        answered_lines: AnsweredLines,
        outcome: str,
        shown: set[str],
    ) -> None:
        (line,) = await answered_lines(outcome)

        assert buttons((await staff.get(page_of(line))).text) == shown

    async def test_none_while_the_order_is_not_created(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient
    ) -> None:
        line = (await confirmed_session(api, ""))["product_order_item"][0]

        assert buttons((await staff.get(page_of(line))).text) == set()

    async def test_cancel_asks_for_a_reason(
        self, staff: httpx.AsyncClient, answered_lines: AnsweredLines
    ) -> None:
        (line,) = await answered_lines(HELD)

        page = (await staff.get(page_of(line))).text

        assert '<label for="reason">Reason</label>' in page
        assert '<input id="reason" name="reason"' in page


class TestRelease:
    async def test_the_page_then_shows_the_new_state_and_history(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient, answered_lines: AnsweredLines
    ) -> None:
        (line,) = await answered_lines(HELD)

        response = await submit(staff, line, "release")

        assert response.status_code == 303
        page = (await staff.get(response.headers["location"])).text
        assert "Line released: it is now in_progress." in page
        assert "Released by the sales administration (ADV)." in page
        assert buttons(page) == {"Cancel", "Complete"}
        assert await state_seen_by_the_client(api, line) == "in_progress"

    async def test_a_line_not_held_is_refused_with_a_message(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient, answered_lines: AnsweredLines
    ) -> None:
        (line,) = await answered_lines("acknowledged")

        response = await submit(staff, line, "release")

        assert response.status_code == 409
        assert "only a held_adv_validation line is released" in response.text
        assert await state_seen_by_the_client(api, line) == "acknowledged"


class TestCancel:
    async def test_with_a_reason_the_client_sees(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient, answered_lines: AnsweredLines
    ) -> None:
        (line,) = await answered_lines(HELD)

        response = await submit(staff, line, "cancel", reason="Building owner refused")

        assert response.status_code == 303
        seen = (await api.get(f"/api/v1/product_order_item/{line['id']}/")).json()
        assert seen["state"] == "cancelled"
        assert seen["cancellation_reason"] == "Building owner refused"

    async def test_without_a_reason_is_refused(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient, answered_lines: AnsweredLines
    ) -> None:
        (line,) = await answered_lines(HELD)

        response = await submit(staff, line, "cancel", reason="   ")

        assert response.status_code == 422
        assert "A reason" in response.text
        assert await state_seen_by_the_client(api, line) == HELD


class TestComplete:
    async def test_completes_a_delivered_order(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient, answered_lines: AnsweredLines
    ) -> None:
        (line,) = await answered_lines("acknowledged")

        response = await submit(staff, line, "complete")

        assert response.status_code == 303
        assert await state_seen_by_the_client(api, line) == "completed"


@pytest.fixture
async def office_of_another(app: FastAPI, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """Another member of the staff, signed in in another browser."""
    async with database.transaction() as db:
        _, token = await create_operator(db, "Paul ADV")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://127.0.0.1",
    ) as http:
        await sign_in(http, token)
        yield http


class TestCsrf:
    @pytest.mark.parametrize("verb", ["release", "cancel", "complete"])
    @pytest.mark.parametrize("token", [None, "", "forged"])
    async def test_a_form_without_the_sessions_token_changes_nothing(
        self,
        staff: httpx.AsyncClient,
        api: httpx.AsyncClient,
        answered_lines: AnsweredLines,
        verb: str,
        token: str | None,
    ) -> None:
        (line,) = await answered_lines(HELD)
        fields = {"reason": "forged"} | ({} if token is None else {"csrf_token": token})

        response = await staff.post(f"{page_of(line)}/{verb}", data=fields)

        assert response.status_code == 403
        assert "Nothing was changed" in response.text
        assert await state_seen_by_the_client(api, line) == HELD

    async def test_another_sessions_token_is_refused(
        self,
        staff: httpx.AsyncClient,
        office_of_another: httpx.AsyncClient,
        api: httpx.AsyncClient,
        answered_lines: AnsweredLines,
    ) -> None:
        (line,) = await answered_lines(HELD)
        theirs = csrf_token((await office_of_another.get("/backoffice/")).text)

        response = await staff.post(f"{page_of(line)}/release", data={"csrf_token": theirs})

        assert response.status_code == 403
        assert await state_seen_by_the_client(api, line) == HELD
