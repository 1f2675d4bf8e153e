"""`order-taking worker` delivers the notifications too; killed mid-delivery, it loses none:
another worker sends the event again, with the same `webhook-id`, once the lease ends."""

import signal
from collections.abc import Callable

import httpx
from sqlalchemy import select

from order_taking.core.database import Database
from order_taking.notifications.models import Delivery, Event
from tests.backend.backends import REJECTED
from tests.backend.factories import confirmed_session
from tests.backend.test_worker_processes import WorkerProcesses, workers  # noqa: F401
from tests.notifications.factories import register
from tests.notifications.receiver import Received, Receiver
from tests.polling import eventually

DELIVERY_SETTINGS = {
    "ORDER_TAKING_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
    # The victim dies long before its POST times out; the rescuer takes over when the lease ends.
    "ORDER_TAKING_WEBHOOK_TIMEOUT_SECONDS": "60",
    "ORDER_TAKING_WEBHOOK_LEASE_SECONDS": "3",
}


async def delivery_states(database: Database) -> list[str]:
    async with database.transaction() as db:
        return list((await db.scalars(select(Delivery.status))).all())


class TestAKilledWorker:
    async def test_loses_no_event(
        self,
        api: httpx.AsyncClient,
        database: Database,
        database_url: str,
        receiver: Receiver,
        workers: Callable[[str], WorkerProcesses],  # noqa: F811
    ) -> None:
        await register(api, receiver)
        session = await confirmed_session(api, "", REJECTED)
        held: list[Received] = []

        def hold_the_final_event_once(request: Received) -> bool:
            if request.json()["event"]["state"] == "partial" and not held:
                held.append(request)
                return True
            return False

        receiver.hold = hold_the_final_event_once
        group = workers(database_url)
        victim = await group.start(**DELIVERY_SETTINGS)

        async def the_victim_is_sending_the_final_event() -> bool:
            return bool(held)

        await eventually(the_victim_is_sending_the_final_event, seconds=60, what="the POST")
        victim.kill()
        assert await victim.wait() == -signal.SIGKILL
        await group.start(**DELIVERY_SETTINGS)

        async def all_delivered() -> bool:
            states = await delivery_states(database)
            return len(states) == 6 and set(states) == {"delivered"}

        await eventually(all_delivered, seconds=60, what="every event delivered")
        assert await group.stop() == [-signal.SIGKILL, 0], group.logs()

        async with database.transaction() as db:
            recorded = set((await db.scalars(select(Event.event_id))).all())
        assert {r.headers["webhook-id"] for r in receiver.received} == recorded
        final = [r for r in receiver.received if r.json()["event"]["state"] == "partial"]
        assert len(final) == 2, "sent again after the victim died"
        assert final[0].headers["webhook-id"] == final[1].headers["webhook-id"]
        assert final[1].json()["event"]["id"] == session["id"]
