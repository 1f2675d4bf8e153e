"""/api/v1/event: a client's events in the order they were recorded, page after page."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from order_taking.core.database import Database
from order_taking.core.time import now
from order_taking.notifications.models import Event
from tests.backend.factories import confirmed_session
from tests.conftest import ClientFactory
from tests.notifications.conftest import DeliveryWorkerFactory
from tests.notifications.factories import feed
from tests.ordering.factories import assert_error
from tests.quotes import factories as quotes


async def all_pages(api: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = ""
    while page := await feed(api, after=after, **params):
        items += page["items"]
        if not page["items"]:
            return items
        after = page["next"]
    return items


class TestFeed:
    async def test_pages_without_gaps_or_repeats(
        self, api: httpx.AsyncClient, database: Database, make_delivery_worker: Any
    ) -> None:
        for _ in range(4):
            await confirmed_session(api, "", "")  # 3 events each
        await make_delivery_worker().relay()

        items = await all_pages(api, limit=5)

        async with database.transaction() as db:
            recorded = (await db.scalars(select(Event.event_id).order_by(Event.seq))).all()
        assert [item["eventId"] for item in items] == list(recorded)
        assert len(recorded) == 12

    async def test_an_event_appears_once_relayed_after_the_last_page(
        self, api: httpx.AsyncClient, make_delivery_worker: DeliveryWorkerFactory
    ) -> None:
        worker = make_delivery_worker()
        await confirmed_session(api, "")
        await worker.relay()
        first = await feed(api)
        await confirmed_session(api, "")
        assert (await feed(api, after=first["next"]))["items"] == [], "not relayed yet"

        await worker.relay()

        later = await feed(api, after=first["next"])
        assert [e["event"]["state"] for e in later["items"]] == ["in_progress", "in_progress"]
        assert (await feed(api, after=later["next"])) == {"items": [], "next": later["next"]}

    async def test_filters_by_type_and_by_resource(
        self, api: httpx.AsyncClient, make_delivery_worker: DeliveryWorkerFactory
    ) -> None:
        session = await confirmed_session(api, "", "")
        await quotes.confirmed_line(api)
        await make_delivery_worker().relay()

        quote_events = (await feed(api, eventType="quoteStateChangeEvent"))["items"]
        [line_id, _] = [line["id"] for line in session["product_order_item"]]
        of_the_line = (await feed(api, id=line_id))["items"]

        assert [(e["eventType"], e["event"]["state"]) for e in quote_events] == [
            ("quoteStateChangeEvent", "confirmed")
        ]
        assert quote_events[0]["event"]["href"].startswith("/api/v1/quote/")
        assert [(e["event"]["id"], e["event"]["state"]) for e in of_the_line] == [
            (line_id, "in_progress")
        ]

    async def test_a_client_sees_only_its_own_events(
        self,
        api: httpx.AsyncClient,
        make_client: ClientFactory,
        make_delivery_worker: DeliveryWorkerFactory,
    ) -> None:
        other = await make_client("OTHER")
        mine = await confirmed_session(api, "")
        await confirmed_session(other, "")
        await make_delivery_worker().relay()

        ids = {e["event"]["id"] for e in await all_pages(api)}

        assert ids == {mine["id"], mine["product_order_item"][0]["id"]}

    @pytest.mark.parametrize(
        "params", [{"after": "x"}, {"limit": 0}, {"limit": 1001}, {"eventType": "nope"}]
    )
    async def test_a_bad_parameter_is_refused(
        self, api: httpx.AsyncClient, params: dict[str, Any]
    ) -> None:
        assert_error(await api.get("/api/v1/event", params=params), 422, "validation_error")

    async def test_events_past_their_retention_are_purged(
        self,
        api: httpx.AsyncClient,
        database: Database,
        make_delivery_worker: DeliveryWorkerFactory,
    ) -> None:
        worker = make_delivery_worker(event_retention_days=30)
        await confirmed_session(api, "")
        async with database.transaction() as db:
            await db.execute(update(Event).values(event_time=now() - timedelta(days=30, minutes=1)))
        await confirmed_session(api, "")
        await worker.relay()

        await worker.purge()

        assert len((await feed(api))["items"]) == 2, "only the events of the last 30 days"
