"""backend.worker: batches, bounded concurrency, retries with back-off, leases, the embedded
worker. Workers are driven directly (`run_once`) on a clock the test moves."""

import asyncio
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from order_taking.app import create_app
from order_taking.backend.interface import OrderCreated
from order_taking.backend.worker import retry_delay
from order_taking.clients.service import create_client
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from order_taking.ordering.states import LineState
from tests.backend.backends import REJECTED, Fixed, Flaky, Gated, HoldsOne, Scripted
from tests.backend.conftest import Clock, WorkerFactory
from tests.backend.factories import (
    confirmed_session,
    jobs_of,
    lines_of,
    outcome_entries,
    session_row,
)
from tests.polling import eventually

DEADLINE_SECONDS = 10.0


class TestRetryDelay:
    @pytest.mark.parametrize(("attempts", "seconds"), [(1, 2), (2, 4), (3, 8), (6, 64)])
    def test_doubles_with_each_attempt(
        self, settings: Settings, attempts: int, seconds: float
    ) -> None:
        base = settings.model_copy(update={"retry_base_seconds": 2.0, "retry_max_seconds": 600.0})

        assert retry_delay(attempts, base) == timedelta(seconds=seconds)

    def test_is_capped(self, settings: Settings) -> None:
        capped = settings.model_copy(update={"retry_base_seconds": 2.0, "retry_max_seconds": 60.0})

        assert retry_delay(10, capped) == timedelta(seconds=60)
        assert retry_delay(10_000, capped, jitter=1.0) == timedelta(seconds=60)

    def test_jitter_stretches_by_a_tenth_at_most(self, settings: Settings) -> None:
        base = settings.model_copy(update={"retry_base_seconds": 10.0, "retry_max_seconds": 600.0})

        assert retry_delay(1, base, jitter=1.0) == timedelta(seconds=11)
        assert retry_delay(1, base, jitter=0.5) == timedelta(seconds=10.5)


class TestRunOnce:
    async def test_answers_every_due_line_and_settles_the_session(
        self, api: httpx.AsyncClient, database: Database, make_worker: WorkerFactory
    ) -> None:
        session = await confirmed_session(api, "", REJECTED)
        backend = Scripted()

        assert await make_worker(backend).run_once() == 2

        assert sorted(backend.calls) == sorted(line["id"] for line in session["product_order_item"])
        detail = (await api.get(f"/api/v1/product_order/{session['id']}/")).json()
        assert detail["state"] == "partial"
        assert detail["completion_date"] is not None
        assert sorted(line["state"] for line in detail["product_order_item"]) == [
            "acknowledged",
            "rejected_creation",
        ]
        assert await jobs_of(database, session["id"]) == []

    async def test_answers_nothing_when_nothing_is_due(self, make_worker: WorkerFactory) -> None:
        backend = Scripted()

        assert await make_worker(backend).run_once() == 0
        assert backend.calls == []

    async def test_claims_one_batch_at_a_time(
        self, api: httpx.AsyncClient, make_worker: WorkerFactory
    ) -> None:
        await confirmed_session(api, "", "", "")
        worker = make_worker(Scripted(), batch_size=2)

        assert [await worker.run_once() for _ in range(3)] == [2, 1, 0]

    async def test_sends_at_most_its_concurrency_to_the_back_end(
        self, api: httpx.AsyncClient, make_worker: WorkerFactory
    ) -> None:
        await confirmed_session(api, "", "", "", "", "")
        backend = Gated()
        batch = asyncio.create_task(make_worker(backend, concurrency=2).run_once())

        async def two_in_flight() -> bool:
            return backend.in_flight == 2

        await eventually(two_in_flight)
        for _ in range(20):  # let every other call start, were it allowed to
            await asyncio.sleep(0)
        backend.gate.set()

        assert await batch == 5
        assert backend.most_in_flight == 2


class TestRetries:
    async def test_an_unavailable_back_end_is_retried_with_back_off_never_rejected(
        self,
        api: httpx.AsyncClient,
        database: Database,
        make_worker: WorkerFactory,
        clock: Clock,
    ) -> None:
        session = await confirmed_session(api)
        worker = make_worker(
            Flaky(failures=2),
            settings_update={"retry_base_seconds": 30.0, "retry_max_seconds": 600.0},
        )

        for attempt, backoff in ((1, 30.0), (2, 60.0)):
            before = clock()
            assert await worker.run_once() == 0
            after = clock()
            [job] = await jobs_of(database, session["id"])
            assert job.attempts == attempt
            assert job.claim_token is None
            assert "BackendUnavailable: connection refused" in job.last_error
            assert before + timedelta(seconds=backoff) <= job.run_after
            assert job.run_after <= after + timedelta(seconds=backoff * 1.1)
            [line] = await lines_of(database, session["id"])
            assert (line.state, line.termination_error) == ("in_progress", [])

            assert await worker.run_once() == 0  # not due yet
            clock.advance((job.run_after - clock()).total_seconds())

        assert await worker.run_once() == 1
        [line] = await lines_of(database, session["id"])
        assert [e["state"] for e in outcome_entries(line)] == ["acknowledged"]
        assert (await session_row(database, session["id"])).state == "completed"

    async def test_an_answer_that_is_no_outcome_is_retried_not_applied(
        self, api: httpx.AsyncClient, database: Database, make_worker: WorkerFactory
    ) -> None:
        session = await confirmed_session(api)
        completed = OrderCreated(state=LineState.COMPLETED, backend_order_id="B")

        assert await make_worker(Fixed(completed)).run_once() == 0

        [job] = await jobs_of(database, session["id"])
        assert job.last_error.startswith("TypeError")
        [line] = await lines_of(database, session["id"])
        assert line.state == "in_progress"

    async def test_a_call_that_outlives_its_lease_is_retried(
        self, api: httpx.AsyncClient, database: Database, make_worker: WorkerFactory
    ) -> None:
        session = await confirmed_session(api)
        never_answers = Gated()

        worker = make_worker(never_answers, settings_update={"worker_lease_seconds": 0.05})
        assert await worker.run_once() == 0

        [job] = await jobs_of(database, session["id"])
        assert job.last_error.startswith("TimeoutError")
        assert job.claim_token is None


class TestLeases:
    async def test_a_line_held_by_a_live_worker_is_left_to_it(
        self, api: httpx.AsyncClient, make_worker: WorkerFactory
    ) -> None:
        await confirmed_session(api)
        slow = Gated()
        first = asyncio.create_task(make_worker(slow).run_once())

        async def called() -> bool:
            return slow.in_flight == 1

        await eventually(called)
        other = Scripted()
        assert await make_worker(other).run_once() == 0
        slow.gate.set()

        assert await first == 1
        assert other.calls == []

    async def test_a_dead_workers_line_is_retaken_and_its_late_answer_discarded(
        self,
        api: httpx.AsyncClient,
        database: Database,
        make_worker: WorkerFactory,
        clock: Clock,
        settings: Settings,
    ) -> None:
        session = await confirmed_session(api)
        stuck = Gated()
        first = asyncio.create_task(make_worker(stuck).run_once())

        async def called() -> bool:
            return stuck.in_flight == 1

        await eventually(called)
        clock.advance(settings.worker_lease_seconds + 1)
        rescuer = Scripted()
        assert await make_worker(rescuer).run_once() == 1
        stuck.gate.set()

        assert await first == 0
        [line] = await lines_of(database, session["id"])
        assert [e["state"] for e in outcome_entries(line)] == ["acknowledged"]
        assert rescuer.calls == stuck.calls == [line.id]

    async def test_workers_side_by_side_answer_each_line_once(
        self, api: httpx.AsyncClient, database: Database, make_worker: WorkerFactory
    ) -> None:
        sessions = [await confirmed_session(api, "", REJECTED, "") for _ in range(4)]
        backends = [Scripted() for _ in range(3)]
        workers = [make_worker(backend, batch_size=2) for backend in backends]
        stop = asyncio.Event()

        answered = await asyncio.gather(*(worker.drain(stop) for worker in workers))

        assert sum(answered) == 12
        calls = [line_id for backend in backends for line_id in backend.calls]
        assert sorted(calls) == sorted(
            line["id"] for s in sessions for line in s["product_order_item"]
        )
        for s in sessions:
            assert (await session_row(database, s["id"])).state == "partial"


class TestRun:
    async def test_stops_when_asked_after_its_batch(
        self, api: httpx.AsyncClient, make_worker: WorkerFactory
    ) -> None:
        await confirmed_session(api)
        backend = Gated()
        stop, wake = asyncio.Event(), asyncio.Event()
        running = asyncio.create_task(make_worker(backend).run(stop, wake))

        async def called() -> bool:
            return backend.in_flight == 1

        await eventually(called)
        stop.set()
        backend.gate.set()
        await asyncio.wait_for(running, DEADLINE_SECONDS)

        assert len(backend.calls) == 1  # the batch in flight was finished

    async def test_a_wake_starts_the_next_batch_without_waiting_for_the_poll(
        self, api: httpx.AsyncClient, make_worker: WorkerFactory
    ) -> None:
        backend = Scripted()
        worker = make_worker(backend, settings_update={"worker_poll_seconds": 3600.0})
        stop, wake = asyncio.Event(), asyncio.Event()
        running = asyncio.create_task(worker.run(stop, wake))
        session = await confirmed_session(api)
        wake.set()

        async def answered() -> bool:
            detail = (await api.get(f"/api/v1/product_order/{session['id']}/")).json()
            return bool(detail["state"] == "completed")

        await eventually(answered)
        stop.set()
        await asyncio.wait_for(running, DEADLINE_SECONDS)

    async def test_a_slow_line_holds_one_slot_not_the_lines_confirmed_after_it(
        self, api: httpx.AsyncClient, make_worker: WorkerFactory
    ) -> None:
        backend = HoldsOne()
        worker = make_worker(
            backend, concurrency=2, settings_update={"worker_poll_seconds": 3600.0}
        )
        stop, wake = asyncio.Event(), asyncio.Event()
        await confirmed_session(api, HoldsOne.STUCK)
        running = asyncio.create_task(worker.run(stop, wake))

        async def held() -> bool:
            return backend.held == 1

        await eventually(held)
        later = await confirmed_session(api)
        wake.set()

        async def later_answered() -> bool:
            detail = (await api.get(f"/api/v1/product_order/{later['id']}/")).json()
            return bool(detail["state"] == "completed")

        await eventually(later_answered)
        stop.set()
        backend.gate.set()
        await asyncio.wait_for(running, DEADLINE_SECONDS)


class TestEmbeddedWorker:
    async def test_serve_processes_confirmed_lines_in_process(
        self, settings: Settings, database: Database
    ) -> None:
        embedded = settings.model_copy(
            update={
                "embedded_worker": True,
                "backend": "tests.backend.backends:Scripted",
                # Only the confirm's wake can start the batch before the deadline.
                "worker_poll_seconds": 3600.0,
            }
        )
        app: FastAPI = create_app(embedded, database)
        async with database.transaction() as db:
            _, token = await create_client(db, "EMB01")
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://testserver",
                headers={"Authorization": f"Bearer {token}"},
            ) as api,
        ):
            session = await confirmed_session(api, "", REJECTED)

            async def settled() -> bool:
                detail = (await api.get(f"/api/v1/product_order/{session['id']}/")).json()
                return bool(detail["state"] == "partial")

            await eventually(settled)
