"""/api/v1/product_order: create, list, detail, update, delete and confirm order sessions."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from order_taking.core.database import Database
from order_taking.ordering.models import OrderSession
from tests.ordering.factories import (
    API_DATETIME,
    DOCUMENTED_LINE_FIELDS,
    DOCUMENTED_SESSION_FIELDS,
    SPEC_SESSION_CREATE,
    UNKNOWN_ID,
    assert_error,
    confirm,
    create_line,
    create_session,
    create_session_with_line,
)


async def set_session(database: Database, session_id: str, **values: Any) -> None:
    """Puts a session where only the back end or the staff could (completed, cancelled...)."""
    async with database.transaction() as db:
        await db.execute(update(OrderSession).where(OrderSession.id == session_id).values(**values))


class TestCreateSession:
    async def test_the_documentation_example_is_created(self, api: httpx.AsyncClient) -> None:
        response = await api.post("/api/v1/product_order", json=SPEC_SESSION_CREATE)

        assert response.status_code == 201
        session = response.json()
        assert set(session) >= DOCUMENTED_SESSION_FIELDS
        assert session["external_id"] == "12345"
        assert session["project_id"] == ""
        assert session["state"] == "created"
        assert session["order_date"] is None
        assert session["completion_date"] is None
        assert session["cancellation_date"] is None
        assert API_DATETIME.fullmatch(session["creation_date"])

    # (A JSON null body is refused: tests/core/test_http_details.py.)
    @pytest.mark.parametrize("body", [None, {}], ids=["no body", "empty"])
    async def test_every_field_is_optional(self, api: httpx.AsyncClient, body: object) -> None:
        response = await api.post("/api/v1/product_order", json=body)

        assert response.status_code == 201, response.text
        assert response.json()["external_id"] == ""
        assert response.json()["project_id"] == ""

    async def test_null_strings_are_stored_empty(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api, external_id=None, project_id=None)

        assert (session["external_id"], session["project_id"]) == ("", "")

    async def test_unknown_fields_are_ignored(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api, external_id="1", colour="blue")

        assert "colour" not in session

    async def test_each_bad_field_gets_an_entry(self, api: httpx.AsyncClient) -> None:
        response = await api.post(
            "/api/v1/product_order", json={"external_id": 12345, "project_id": "p" * 256}
        )

        body = assert_error(response, 422, "validation_error")
        assert body["errors"] == [
            {"code": "invalid_type", "property_path": "external_id", "value": "12345"},
            {"code": "too_long", "property_path": "project_id", "value": "p" * 197 + "..."},
        ]

    async def test_nothing_is_created_when_refused(self, api: httpx.AsyncClient) -> None:
        await api.post("/api/v1/product_order", json={"external_id": []})

        assert (await api.get("/api/v1/product_order")).json() == []


class TestListSessions:
    async def test_lists_the_sessions_newest_first(self, api: httpx.AsyncClient) -> None:
        first = await create_session(api, external_id="first")
        second = await create_session(api, external_id="second")

        response = await api.get("/api/v1/product_order/")

        assert response.status_code == 200
        assert [s["id"] for s in response.json()] == [second["id"], first["id"]]
        assert response.json()[0] == second
        assert response.headers["X-Total-Count"] == "2"

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"external_id": "EXT-1"}, ["a"]),
            ({"project_id": "PRJ-2"}, ["b"]),
            ({"state": "created"}, ["b"]),
            ({"state": "in_progress"}, ["a"]),
        ],
    )
    async def test_filters_on_fields(
        self, api: httpx.AsyncClient, query: dict[str, str], expected: list[str]
    ) -> None:
        a, _ = await create_session_with_line(api)
        await api.patch(f"/api/v1/product_order/{a['id']}", json={"external_id": "EXT-1"})
        await confirm(api, a["id"])
        b = await create_session(api, external_id="EXT-2", project_id="PRJ-2")
        names = {a["id"]: "a", b["id"]: "b"}

        response = await api.get("/api/v1/product_order", params=query)

        assert response.status_code == 200, response.text
        assert [names[s["id"]] for s in response.json()] == expected
        assert response.headers["X-Total-Count"] == str(len(expected))

    @pytest.mark.parametrize(
        "column", ["creation_date", "order_date", "completion_date", "cancellation_date"]
    )
    async def test_filters_on_dates(
        self, api: httpx.AsyncClient, database: Database, column: str
    ) -> None:
        sessions = [await create_session(api) for _ in range(3)]
        days = [datetime(2025, 4, day, 10, 0, tzinfo=UTC) for day in (1, 10, 20)]
        for session, day in zip(sessions, days, strict=True):
            await set_session(database, session["id"], **{column: day})
        ids = [s["id"] for s in sessions]

        after = await api.get("/api/v1/product_order", params={f"{column}_gt": "2025-04-05"})
        before = await api.get(
            "/api/v1/product_order", params={f"{column}_lt": "2025-04-15T00:00:00+02:00"}
        )
        between = await api.get(
            "/api/v1/product_order",
            params={f"{column}_gt": "2025-04-05T00:00:00", f"{column}_lt": "2025-04-15"},
        )

        assert {s["id"] for s in after.json()} == {ids[1], ids[2]}
        assert {s["id"] for s in before.json()} == {ids[0], ids[1]}
        assert [s["id"] for s in between.json()] == [ids[1]]

    async def test_pages_with_limit_and_offset(self, api: httpx.AsyncClient) -> None:
        ids = [(await create_session(api))["id"] for _ in range(5)][::-1]

        response = await api.get("/api/v1/product_order", params={"limit": 2, "offset": 1})

        assert [s["id"] for s in response.json()] == ids[1:3]
        assert response.headers["X-Total-Count"] == "5"

    @pytest.mark.parametrize(("limit", "offset"), [(10, 0), (5, 0), (3, 3), (2, 5), (2, 9)])
    async def test_counts_every_session_whatever_the_page(
        self, api: httpx.AsyncClient, limit: int, offset: int
    ) -> None:
        for _ in range(5):
            await create_session(api)

        response = await api.get("/api/v1/product_order", params={"limit": limit, "offset": offset})

        assert response.headers["X-Total-Count"] == "5"
        assert len(response.json()) == max(0, min(limit, 5 - offset))

    @pytest.mark.parametrize(
        ("query", "path", "code"),
        [
            ({"limit": 0}, "limit", "out_of_range"),
            ({"limit": 1001}, "limit", "out_of_range"),
            ({"offset": -1}, "offset", "out_of_range"),
            ({"limit": "ten"}, "limit", "invalid_type"),
            ({"state": "finished"}, "state", "invalid_choice"),
            ({"creation_date_gt": "yesterday"}, "creation_date_gt", "invalid_date"),
            ({"order_date_lt": "2025-13-01"}, "order_date_lt", "invalid_date"),
        ],
    )
    async def test_bad_parameters_are_refused(
        self, api: httpx.AsyncClient, query: dict[str, object], path: str, code: str
    ) -> None:
        response = await api.get("/api/v1/product_order", params=query)

        body = assert_error(response, 422, "validation_error")
        assert [(e["property_path"], e["code"]) for e in body["errors"]] == [(path, code)]


class TestGetSession:
    async def test_has_every_session_field_and_its_lines(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api, external_id="E1")
        first = await create_line(api, session["id"], external_id="L1")
        second = await create_line(api, session["id"], external_id="L2")

        response = await api.get(f"/api/v1/product_order/{session['id']}/")

        assert response.status_code == 200
        detail = response.json()
        assert {k: detail[k] for k in session} == session
        assert detail["product_order_item"] == [first, second]
        assert set(detail["product_order_item"][0]) >= DOCUMENTED_LINE_FIELDS

    async def test_an_unknown_session_is_not_found(self, api: httpx.AsyncClient) -> None:
        response = await api.get(f"/api/v1/product_order/{UNKNOWN_ID}")

        assert_error(response, 404, "not_found")


class TestUpdateSession:
    async def test_changes_the_fields_sent(self, api: httpx.AsyncClient) -> None:
        session, line = await create_session_with_line(api)

        response = await api.patch(
            f"/api/v1/product_order/{session['id']}",
            json={"external_id": "444555666777", "project_id": ""},
        )

        assert response.status_code == 200
        detail = response.json()
        assert detail["external_id"] == "444555666777"
        assert detail["product_order_item"] == [line]

    async def test_keeps_the_fields_not_sent(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api, external_id="E1", project_id="P1")

        response = await api.patch(
            f"/api/v1/product_order/{session['id']}/", json={"project_id": "P2"}
        )

        assert (response.json()["external_id"], response.json()["project_id"]) == ("E1", "P2")

    async def test_refuses_a_bad_field(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api, external_id="E1")

        response = await api.patch(
            f"/api/v1/product_order/{session['id']}", json={"external_id": {"a": 1}}
        )

        assert_error(response, 422, "validation_error")
        detail = (await api.get(f"/api/v1/product_order/{session['id']}")).json()
        assert detail["external_id"] == "E1"

    async def test_a_confirmed_session_cannot_change(self, api: httpx.AsyncClient) -> None:
        session, _ = await create_session_with_line(api)
        await confirm(api, session["id"])

        response = await api.patch(f"/api/v1/product_order/{session['id']}", json={"note": ""})

        assert_error(response, 409, "invalid_state")

    async def test_an_unknown_session_is_not_found(self, api: httpx.AsyncClient) -> None:
        response = await api.patch(f"/api/v1/product_order/{UNKNOWN_ID}", json={})

        assert_error(response, 404, "not_found")


class TestDeleteSession:
    async def test_deletes_the_session_and_its_lines(self, api: httpx.AsyncClient) -> None:
        session, line = await create_session_with_line(api)
        _, kept_line = await create_session_with_line(api)

        response = await api.delete(f"/api/v1/product_order/{session['id']}/")

        assert response.status_code == 204
        assert response.content == b""
        assert (await api.get(f"/api/v1/product_order/{session['id']}")).status_code == 404
        assert (await api.get(f"/api/v1/product_order_item/{line['id']}")).status_code == 404
        lines = (await api.get("/api/v1/product_order_item")).json()
        assert [item["id"] for item in lines["items"]] == [kept_line["id"]]

    async def test_a_confirmed_session_cannot_be_deleted(self, api: httpx.AsyncClient) -> None:
        session, _ = await create_session_with_line(api)
        await confirm(api, session["id"])

        response = await api.delete(f"/api/v1/product_order/{session['id']}")

        assert_error(response, 409, "invalid_state")
        assert (await api.get(f"/api/v1/product_order/{session['id']}")).status_code == 200

    async def test_an_unknown_session_is_not_found(self, api: httpx.AsyncClient) -> None:
        response = await api.delete(f"/api/v1/product_order/{UNKNOWN_ID}")

        assert_error(response, 404, "not_found")


class TestConfirmSession:
    async def test_moves_the_session_and_its_lines_in_progress(
        self, api: httpx.AsyncClient
    ) -> None:
        session, _ = await create_session_with_line(api)

        response = await api.patch(f"/api/v1/product_order/{session['id']}/confirm/")

        assert response.status_code == 200
        detail = response.json()
        assert detail["state"] == "in_progress"
        assert API_DATETIME.fullmatch(detail["order_date"])
        [confirmed] = detail["product_order_item"]
        assert confirmed["state"] == "in_progress"
        assert confirmed["order_date"] == detail["order_date"]
        assert [c["state"] for c in confirmed["state_change"]] == ["created", "in_progress"]
        assert confirmed["state_change"][1]["change_date"] == detail["order_date"]

    async def test_a_session_is_confirmed_once(self, api: httpx.AsyncClient) -> None:
        session, _ = await create_session_with_line(api)
        await confirm(api, session["id"])

        response = await api.patch(f"/api/v1/product_order/{session['id']}/confirm")

        assert_error(response, 409, "invalid_state")

    async def test_an_empty_session_cannot_be_confirmed(self, api: httpx.AsyncClient) -> None:
        session = await create_session(api)

        response = await api.patch(f"/api/v1/product_order/{session['id']}/confirm")

        assert_error(response, 409, "invalid_state")
        detail = (await api.get(f"/api/v1/product_order/{session['id']}")).json()
        assert detail["state"] == "created"

    async def test_an_unknown_session_is_not_found(self, api: httpx.AsyncClient) -> None:
        response = await api.patch(f"/api/v1/product_order/{UNKNOWN_ID}/confirm")

        assert_error(response, 404, "not_found")


@pytest.mark.parametrize("offset", ["+02:00", "-05:00", "Z", ""])
async def test_session_date_filters_take_any_iso_8601_form(
    api: httpx.AsyncClient, database: Database, offset: str
) -> None:
    session = await create_session(api)
    moment = datetime(2025, 4, 10, 12, 0, tzinfo=UTC)
    await set_session(database, session["id"], creation_date=moment)
    # The same instant as the session's, written in the form given; a naive one is Paris time.
    written = {
        "+02:00": "2025-04-10T14:00:00+02:00",
        "-05:00": "2025-04-10T07:00:00-05:00",
        "Z": "2025-04-10T12:00:00Z",
        "": "2025-04-10T14:00:00",
    }[offset]

    at = await api.get("/api/v1/product_order", params={"creation_date_gt": written})
    earlier = await api.get(
        "/api/v1/product_order", params={"creation_date_gt": "2025-04-10T11:59:59Z"}
    )

    assert at.json() == []
    assert [s["id"] for s in earlier.json()] == [session["id"]]
