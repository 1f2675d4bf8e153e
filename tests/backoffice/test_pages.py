"""What the back office's pages show: the dashboard, the line search, a line, the clients."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from order_taking.backend.models import OrderCreationJob
from order_taking.backoffice import service
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from order_taking.core.time import now
from order_taking.notifications.delivery import DeliveryWorker
from order_taking.ordering.repository import list_lines
from order_taking.ordering.schemas import LineFilters
from tests.backend.backends import HELD, REJECTED
from tests.backend.factories import confirmed_session, new_session
from tests.notifications.factories import register
from tests.ordering.factories import contact

AnsweredLines = Any


def between(page: str, start: str, end: str) -> str:
    """The part of the page from `start` to the next `end`."""
    begin = page.index(start)
    return page[begin : page.index(end, begin)]


class TestDashboard:
    async def test_the_adv_queue_lists_held_lines_oldest_first(
        self, staff: httpx.AsyncClient, answered_lines: AnsweredLines
    ) -> None:
        first, acknowledged = await answered_lines(HELD, "")
        (second,) = await answered_lines(HELD)

        page = (await staff.get("/backoffice/")).text

        queue = between(page, 'id="adv-queue"', "</table>")
        assert "2 held" in queue
        assert queue.index(first["order_reference"]) < queue.index(second["order_reference"])
        assert f'href="/backoffice/lines/{first["id"]}"' in queue
        assert acknowledged["order_reference"] not in queue
        assert "DC173" in queue

    async def test_rejected_lines_show_their_termination_errors(
        self, staff: httpx.AsyncClient, answered_lines: AnsweredLines
    ) -> None:
        (rejected,) = await answered_lines(REJECTED)

        page = (await staff.get("/backoffice/")).text

        section = between(page, 'id="rejected"', "</section>")
        assert rejected["order_reference"] in section
        assert "<code>required</code> enni" in section

    async def test_counts_lines_by_state(
        self, staff: httpx.AsyncClient, answered_lines: AnsweredLines
    ) -> None:
        await answered_lines(HELD, HELD, REJECTED)

        page = (await staff.get("/backoffice/")).text

        row = between(page, "lines?state=held_adv_validation", "</tr>")
        assert row.endswith('<td class="num">2</td><td class="num">2</td>')

    async def test_the_work_list_shows_due_and_retrying_lines(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient, database: Database
    ) -> None:
        session = await confirmed_session(api, "", "")
        retried = session["product_order_item"][0]
        async with database.transaction() as db:
            await db.execute(
                update(OrderCreationJob)
                .where(OrderCreationJob.line_id == retried["id"])
                .values(attempts=3, last_error="Back end unavailable: timeout")
            )
            await db.execute(
                update(OrderCreationJob).values(created_at=now() - timedelta(minutes=90))
            )

        page = (await staff.get("/backoffice/")).text

        work_list = between(page, "<h2>Work list</h2>", "</section>")
        assert "<dt>Lines due</dt><dd>2</dd>" in work_list
        assert "<dt>Retrying</dt><dd>1</dd>" in work_list
        assert "<dd>1 h 30 min</dd>" in work_list
        assert "Back end unavailable: timeout" in work_list
        assert retried["order_reference"] in work_list


class TestLineSearch:
    async def test_searches_every_clients_lines(
        self, staff: httpx.AsyncClient, make_client: Any
    ) -> None:
        dc173, other = await make_client("DC173"), await make_client("ZX900")
        await new_session(dc173, end_customer_name="Boulangerie Léa")
        await new_session(other, end_customer_name="Boulangerie Martin")
        await new_session(other, end_customer_name="Garage Dubois")

        page = (await staff.get("/backoffice/lines", params={"search": "boulangerie lea"})).text
        assert "1 line<" in page
        assert "Boulangerie Léa" in page

        page = (await staff.get("/backoffice/lines", params={"search": "boulangerie"})).text
        assert "2 lines" in page
        assert ">DC173<" in page
        assert ">ZX900<" in page

    async def test_filters_on_state_and_client(
        self,
        staff: httpx.AsyncClient,
        make_client: Any,
        answered_lines: AnsweredLines,
    ) -> None:
        held, _ = await answered_lines(HELD, "")
        other = await make_client("ZX900")
        await new_session(other)

        page = (await staff.get("/backoffice/lines", params={"state": "held_adv_validation"})).text
        assert "1 line<" in page
        assert held["order_reference"] in page

        page = (await staff.get("/backoffice/lines", params={"client": "ZX900"})).text
        assert "1 line<" in page
        assert "PO_ZX900_" in page
        assert "PO_DC173_" not in page

    async def test_pages_through_the_lines(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient
    ) -> None:
        await new_session(api, lines=51)

        first = (await staff.get("/backoffice/lines")).text
        assert "51 lines, page 1 of 2" in first
        assert 'rel="next" href="/backoffice/lines?search=&amp;state=&amp;client=&amp;page=2"' in (
            first
        )

        second = (await staff.get("/backoffice/lines", params={"page": 2})).text
        assert "page 2 of 2" in second
        assert second.count('href="/backoffice/lines/') == 1

    @pytest.mark.parametrize("params", [{"state": "lost"}, {"search": "x" * 256}])
    async def test_a_search_the_api_refuses_is_a_message(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient, params: dict[str, str]
    ) -> None:
        await new_session(api)

        response = await staff.get("/backoffice/lines", params=params)

        assert response.status_code == 422
        assert 'role="alert"' in response.text
        assert '<option value="DC173">DC173</option>' in response.text


class TestLinePage:
    async def test_text_fields_are_escaped(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient
    ) -> None:
        name = "<script>alert('x')</script>"
        session_id = await new_session(
            api, end_customer_name=name, related_contact_information=[contact(city=name)]
        )
        line = (await api.get(f"/api/v1/product_order/{session_id}/")).json()
        line_id = line["product_order_item"][0]["id"]

        for path in (f"/backoffice/lines/{line_id}", "/backoffice/lines"):
            page = (await staff.get(path)).text
            assert "<script>" not in page
            assert "&lt;script&gt;alert(" in page

    async def test_shows_the_line_its_contacts_session_and_history(
        self, staff: httpx.AsyncClient, answered_lines: AnsweredLines
    ) -> None:
        held, acknowledged = await answered_lines(HELD, "")

        page = (await staff.get(f"/backoffice/lines/{held['id']}")).text

        assert held["order_reference"] in page
        assert "<dt>product_offering_qualification_item_id</dt>" in page
        assert f'href="/backoffice/lines/{acknowledged["id"]}"' in page
        history = between(page, 'id="history"', "</table>")
        assert history.count("<tr>") == 1 + len(held["state_change"])
        assert "Test back end: held_adv_validation." in history

    async def test_the_history_shows_who_made_each_change(
        self, staff: httpx.AsyncClient, answered_lines: AnsweredLines
    ) -> None:
        (held,) = await answered_lines(HELD)

        history = between(
            (await staff.get(f"/backoffice/lines/{held['id']}")).text, 'id="history"', "</table>"
        )

        rows = history.split("<tr>")[2:]
        assert all("<td>client:DC173</td></tr>" in row for row in rows[:-1])  # created, confirmed
        assert "<td>backend</td></tr>" in rows[-1]  # the back end's answer

    async def test_shows_the_notifications_sent_for_the_line(
        self,
        staff: httpx.AsyncClient,
        api: httpx.AsyncClient,
        database: Database,
        settings: Settings,
    ) -> None:
        await register(api, "https://8.8.8.8/hooks")
        session = await confirmed_session(api, "")
        line_id = session["product_order_item"][0]["id"]
        worker = DeliveryWorker(database, settings)
        try:
            await worker.relay()
        finally:
            await worker.close()

        page = (await staff.get(f"/backoffice/lines/{line_id}")).text

        sent = between(page, 'id="notifications"', "</table>")
        assert "productOrderItemStateChangeEvent" in sent
        assert "https://8.8.8.8/hooks" in sent
        assert "<td>pending</td>" in sent

    async def test_shows_the_order_creation_job_while_there_is_one(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient
    ) -> None:
        session = await confirmed_session(api, "")
        line_id = session["product_order_item"][0]["id"]

        page = (await staff.get(f"/backoffice/lines/{line_id}")).text

        job = between(page, "<h2>Order creation</h2>", "</dl>")
        assert "<dt>Attempts</dt><dd>0</dd>" in job
        assert "<dt>Next try</dt>" in job
        assert "<button" not in between(page, "<h1>", '<div class="cards">')

    async def test_an_unknown_line_is_not_found(self, staff: httpx.AsyncClient) -> None:
        response = await staff.get("/backoffice/lines/no-such-line")

        assert response.status_code == 404


class TestClients:
    async def test_counts_each_clients_sessions_and_lines_by_state(
        self, staff: httpx.AsyncClient, make_client: Any, answered_lines: AnsweredLines
    ) -> None:
        await answered_lines(HELD, HELD, "")
        other = await make_client("ZX900")
        await new_session(other, lines=3)

        page = (await staff.get("/backoffice/clients")).text

        dc173 = between(page, "lines?client=DC173", "</tr>")
        assert "completed</span> 1</li>" in dc173  # the session, confirmed and answered
        assert 'state=held_adv_validation"><span class="state' in dc173
        assert "held_adv_validation</span> 2</a>" in dc173
        zx900 = between(page, "lines?client=ZX900", "</tr>")
        assert "client=ZX900&amp;state=created" in zx900
        assert '<td class="num">3</td>' in zx900


class TestCountAhead:
    async def test_a_wide_search_counts_only_so_far_past_the_page(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        await new_session(api, lines=6)
        filters = LineFilters(limit=2, offset=2)

        async with database.transaction() as db:
            page, at_least = await list_lines(db, None, filters, count_ahead=3)
            _, total = await list_lines(db, None, filters)

        assert len(page) == 2
        assert at_least == 5
        assert total == 6

    async def test_the_page_says_there_are_more(
        self, staff: httpx.AsyncClient, api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        await new_session(api, lines=60)
        monkeypatch.setattr(service, "COUNT_AHEAD", 55)

        page = (await staff.get("/backoffice/lines")).text

        assert "More than 55 lines, page 1" in page
        assert 'rel="next"' in page
