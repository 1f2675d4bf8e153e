"""Webhooks to a real receiver on loopback: signed by the Standard Webhooks specification,
in order per resource, retried on the schedule (a test clock, no sleeping), and checked again
against private addresses before every POST."""

import asyncio
import socket
from datetime import timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select
from standardwebhooks import Webhook

from order_taking.backend.worker import Worker
from order_taking.clients.service import create_operator
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from order_taking.notifications import repository
from order_taking.notifications.models import Delivery
from order_taking.notifications.service import RETRY_SCHEDULE
from tests.backend.backends import HELD, REJECTED, Scripted
from tests.backend.conftest import Clock
from tests.backend.factories import confirmed_session
from tests.conftest import ClientFactory
from tests.notifications.conftest import DeliveryWorkerFactory
from tests.notifications.factories import register
from tests.notifications.receiver import Receiver


async def answer_every_line(database: Database, settings: Settings, clock: Clock) -> None:
    """The order-creation worker answers every confirmed line (back end `Scripted`)."""
    await Worker(database, Scripted(), settings, clock=clock).drain(asyncio.Event())


async def deliveries(database: Database) -> list[Delivery]:
    async with database.transaction() as db:
        return list((await db.scalars(select(Delivery).order_by(Delivery.position))).all())


def attempts(outcome: str) -> float:
    """Webhook attempts of that outcome counted so far in this process."""
    counted = REGISTRY.get_sample_value("order_taking_webhook_attempts_total", {"outcome": outcome})
    assert counted is not None
    return counted


class TestAConfirmedSession:
    async def test_its_events_reach_the_receiver_in_order_and_signed(
        self,
        api: httpx.AsyncClient,
        database: Database,
        settings: Settings,
        clock: Clock,
        receiver: Receiver,
        make_delivery_worker: DeliveryWorkerFactory,
    ) -> None:
        listener = await register(api, receiver)
        session = await confirmed_session(api, "", REJECTED, HELD)
        await answer_every_line(database, settings, clock)

        assert await make_delivery_worker().drain() == len(receiver.received)

        hook = Webhook(listener["secret"])
        for request in receiver.received:
            assert hook.verify(request.body, request.headers) == request.json()
            assert request.headers["webhook-id"] == request.json()["eventId"]
            assert request.path == "/hooks"
        events = receiver.events()
        session_events = [e["event"]["state"] for e in events if e["event"]["id"] == session["id"]]
        assert session_events == ["in_progress", "partial"]
        assert events[0]["eventType"] == "productOrderStateChangeEvent"
        assert events[-1]["event"] == {
            "id": session["id"],
            "href": f"/api/v1/product_order/{session['id']}/",
            "state": "partial",
        }
        lines = {line["id"]: line for line in session["product_order_item"]}
        for line_id, line in lines.items():
            mine = [e for e in events if e["event"]["id"] == line_id]
            assert [e["eventType"] for e in mine] == ["productOrderItemStateChangeEvent"] * 2
            assert mine[0]["event"]["state"] == "in_progress"
            assert all(
                e["event"]["product_order_id"] == session["id"]
                and e["event"]["order_reference"] == line["order_reference"]
                and e["event"]["href"] == f"/api/v1/product_order_item/{line_id}/"
                for e in mine
            )
        rejected = next(e for e in events if e["event"]["state"] == "rejected_creation")
        assert [t["code"] for t in rejected["event"]["termination_error"]] == [
            "required",
            "invalid_format",
        ]
        assert len({e["eventId"] for e in events}) == len(events) == 8

    async def test_a_listener_gets_only_the_types_it_asked_for(
        self,
        api: httpx.AsyncClient,
        database: Database,
        settings: Settings,
        clock: Clock,
        receiver: Receiver,
        make_delivery_worker: DeliveryWorkerFactory,
    ) -> None:
        await register(api, receiver, "eventType=productOrderStateChangeEvent")
        await confirmed_session(api, "", "")
        await answer_every_line(database, settings, clock)

        await make_delivery_worker().drain()

        assert [e["event"]["state"] for e in receiver.events()] == ["in_progress", "completed"]

    async def test_other_clients_and_deleted_listeners_get_nothing(
        self,
        api: httpx.AsyncClient,
        make_client: Any,
        receiver: Receiver,
        make_delivery_worker: DeliveryWorkerFactory,
    ) -> None:
        await register(await make_client("OTHER"), receiver)
        gone = await register(api, receiver)
        assert (await api.delete(f"/api/v1/hub/{gone['id']}")).status_code == 204
        await confirmed_session(api, "")

        await make_delivery_worker().drain()

        assert receiver.received == []


class TestRetries:
    async def test_follow_the_schedule_then_the_delivery_fails(
        self,
        api: httpx.AsyncClient,
        database: Database,
        clock: Clock,
        receiver: Receiver,
        make_delivery_worker: DeliveryWorkerFactory,
    ) -> None:
        receiver.status = lambda _request: 503
        await register(api, receiver, "eventType=productOrderStateChangeEvent")
        await confirmed_session(api, "")
        worker = make_delivery_worker()

        assert await worker.drain() == 1
        for delay in RETRY_SCHEDULE:
            clock.advance(delay.total_seconds() - 1)
            assert await worker.drain() == 0, "not due yet"
            clock.advance(1)
            assert await worker.drain() == 1

        [delivery] = await deliveries(database)
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 8, 503)
        clock.advance(timedelta(days=2).total_seconds())
        assert await worker.drain() == 0
        assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
        assert len(receiver.received) == 8

    async def test_a_success_after_failures_delivers(
        self,
        api: httpx.AsyncClient,
        database: Database,
        clock: Clock,
        receiver: Receiver,
        make_delivery_worker: DeliveryWorkerFactory,
    ) -> None:
        receiver.status = lambda _request: 500 if len(receiver.received) < 3 else 204
        await register(api, receiver, "eventType=productOrderStateChangeEvent")
        await confirmed_session(api, "")
        worker = make_delivery_worker()

        for delay in (timedelta(0), *RETRY_SCHEDULE[:2]):
            clock.advance(delay.total_seconds())
            assert await worker.drain() == 1

        [delivery] = await deliveries(database)
        assert (delivery.status, delivery.attempts, delivery.response_code) == (
            "delivered",
            3,
            204,
        )

    async def test_each_attempt_is_counted_in_the_metrics_by_outcome(
        self,
        api: httpx.AsyncClient,
        database: Database,
        clock: Clock,
        receiver: Receiver,
        make_delivery_worker: DeliveryWorkerFactory,
    ) -> None:
        receiver.status = lambda _request: 500 if len(receiver.received) < 3 else 200
        await register(api, receiver, "eventType=productOrderStateChangeEvent")
        await confirmed_session(api, "")
        before = {outcome: attempts(outcome) for outcome in ("answered", "delivered")}
        worker = make_delivery_worker()

        for delay in (timedelta(0), *RETRY_SCHEDULE[:2]):
            clock.advance(delay.total_seconds())
            assert await worker.drain() == 1

        assert attempts("answered") - before["answered"] == 2
        assert attempts("delivered") - before["delivered"] == 1

    async def test_a_listener_failing_for_five_days_is_disabled(
        self,
        api: httpx.AsyncClient,
        database: Database,
        clock: Clock,
        receiver: Receiver,
        make_delivery_worker: DeliveryWorkerFactory,
    ) -> None:
        receiver.status = lambda _request: 500
        listener = await register(api, receiver, "eventType=productOrderStateChangeEvent")
        await confirmed_session(api, "")
        worker = make_delivery_worker()
        await worker.drain()
        clock.advance(timedelta(days=5).total_seconds() - 60)
        await confirmed_session(api, "")
        await worker.drain()
        assert (await api.get(f"/api/v1/hub/{listener['id']}")).json()["state"] == "enabled"

        clock.advance(120)
        await worker.drain()

        shown = (await api.get(f"/api/v1/hub/{listener['id']}")).json()
        assert shown["state"] == "disabled" and shown["disabled_date"]
        assert {d.status for d in await deliveries(database)} == {"failed"}
        await confirmed_session(api, "")
        assert await worker.drain() == 0, "a disabled listener gets nothing more"


class TestOrder:
    async def test_a_resources_next_event_waits_for_the_one_before(
        self,
        api: httpx.AsyncClient,
        database: Database,
        settings: Settings,
        clock: Clock,
        receiver: Receiver,
        make_delivery_worker: DeliveryWorkerFactory,
    ) -> None:
        first_tries: set[str] = set()

        def fail_each_first_try(request: Any) -> int:
            event_id = request.headers["webhook-id"]
            first = event_id not in first_tries
            first_tries.add(event_id)
            return 500 if first else 200

        receiver.status = fail_each_first_try
        await register(api, receiver)
        session = await confirmed_session(api, "", "")
        await answer_every_line(database, settings, clock)
        worker = make_delivery_worker()

        await worker.drain()
        assert [e["event"]["state"] for e in receiver.events()] == ["in_progress"] * 3

        clock.advance(RETRY_SCHEDULE[0].total_seconds())
        while await worker.drain():
            clock.advance(RETRY_SCHEDULE[0].total_seconds())

        delivered = [e for e, r in zip(receiver.events(), receiver.received, strict=True) if r]
        for resource in [session["id"], *(li["id"] for li in session["product_order_item"])]:
            states = [e["event"]["state"] for e in delivered if e["event"]["id"] == resource]
            assert states[0] == states[1] == "in_progress"
            assert states[-1] in ("completed", "acknowledged")
        assert {d.status for d in await deliveries(database)} == {"delivered"}


class TestPrivateAddresses:
    async def test_are_checked_again_before_each_delivery(
        self,
        api: httpx.AsyncClient,
        database: Database,
        receiver: Receiver,
        make_delivery_worker: DeliveryWorkerFactory,
    ) -> None:
        # A name, not an address: only its resolution tells where it leads (here, inside).
        callback = f"https://{socket.gethostname()}:{receiver.port}/hooks"
        await register(api, callback, "eventType=productOrderStateChangeEvent")
        await confirmed_session(api, "")

        await make_delivery_worker(webhook_allow_private_networks=False).drain()

        assert receiver.received == []
        [delivery] = await deliveries(database)
        assert (delivery.status, delivery.response_code) == ("pending", None)
        assert delivery.error.endswith("resolves to a private address")


class TestTimeout:
    async def test_no_answer_in_time_is_a_failed_attempt(
        self,
        api: httpx.AsyncClient,
        database: Database,
        receiver: Receiver,
        make_delivery_worker: DeliveryWorkerFactory,
    ) -> None:
        receiver.hold = lambda _request: True
        await register(api, receiver, "eventType=productOrderStateChangeEvent")
        await confirmed_session(api, "")

        await make_delivery_worker(webhook_timeout_seconds=0.2).drain()

        [delivery] = await deliveries(database)
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert delivery.error == "no answer within 0.2 s"


@pytest.fixture
async def operator_api(make_client: ClientFactory, database: Database) -> httpx.AsyncClient:
    async with database.transaction() as db:
        _, token = await create_operator(db, "Camille")
    return await make_client(token=token)


class TestWhatTheOperatorSees:
    async def test_a_lines_history_with_who_moved_it_and_its_notifications(
        self,
        api: httpx.AsyncClient,
        operator_api: httpx.AsyncClient,
        database: Database,
        settings: Settings,
        clock: Clock,
        receiver: Receiver,
        make_delivery_worker: DeliveryWorkerFactory,
    ) -> None:
        receiver.status = lambda request: 500 if len(receiver.received) == 1 else 200
        await register(api, receiver, "eventType=productOrderItemStateChangeEvent")
        [line] = (await confirmed_session(api, HELD))["product_order_item"]
        await answer_every_line(database, settings, clock)
        released = await operator_api.post(
            f"/api/v1/operator/product_order_item/{line['id']}/release"
        )
        assert released.status_code == 200, released.text
        worker = make_delivery_worker()
        await worker.drain()

        shown = (await api.get(f"/api/v1/product_order_item/{line['id']}")).json()
        assert {tuple(entry) for entry in shown["state_change"]} == {
            ("state", "change_date", "change_reason")
        }
        async with database.transaction() as db:
            records = await repository.deliveries_for_line(db, line["id"])
        assert [r.delivery.status for r in records] == ["pending", "pending", "pending"]
        notifications = (
            await operator_api.get(
                f"/api/v1/operator/product_order_item/{line['id']}/notifications"
            )
        ).json()
        assert [n["event_type"] for n in notifications] == ["productOrderItemStateChangeEvent"] * 3
        first = notifications[0]
        assert (first["status"], first["response_code"], first["next_attempt_date"] is None) == (
            "pending",
            500,
            False,
        )
        assert [(a["number"], a["response_code"]) for a in first["attempts"]] == [(1, 500)]
        assert [n["attempts"] for n in notifications[1:]] == [[], []], "they wait for the first"
