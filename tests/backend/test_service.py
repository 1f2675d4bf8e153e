"""backend.service: claims, outcomes recorded once, the session settled by its last answer."""

import itertools
from datetime import timedelta

import httpx
import pytest

from order_taking.backend import service
from order_taking.backend.interface import OrderCreated, OrderRejected
from order_taking.backend.service import ClaimedLine
from order_taking.core.database import Database
from order_taking.core.errors import ErrorEntry
from order_taking.core.time import now
from order_taking.ordering.states import LineState
from tests.backend.backends import HELD, IN_PROGRESS, REJECTED
from tests.backend.factories import (
    confirmed_session,
    jobs_of,
    lines_of,
    outcome_entries,
    session_row,
)

LEASE = timedelta(seconds=60)
ACKNOWLEDGED = OrderCreated(state=LineState.ACKNOWLEDGED, backend_order_id="B-1")
OUTCOMES = {
    "acknowledged": ACKNOWLEDGED,
    HELD: OrderCreated(state=LineState.HELD_ADV_VALIDATION, backend_order_id="B-2"),
    IN_PROGRESS: OrderCreated(state=LineState.IN_PROGRESS, backend_order_id="B-3"),
    REJECTED: OrderRejected(
        errors=[ErrorEntry(code="expired", property_path="expiration_date", value="2025-01-01")]
    ),
}


async def claim(database: Database, *, worker: str = "w1", limit: int = 100) -> list[ClaimedLine]:
    async with database.transaction() as db:
        return await service.claim_lines(db, worker=worker, at=now(), lease=LEASE, limit=limit)


async def record(database: Database, claimed: ClaimedLine, outcome: object) -> bool:
    async with database.transaction() as db:
        return await service.record_outcome(db, claimed, outcome, now())  # type: ignore[arg-type]


class TestClaimLines:
    async def test_claims_due_lines_with_a_lease(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        session = await confirmed_session(api, "", "")
        before = now()

        claimed = await claim(database)

        assert {c.line_id for c in claimed} == {
            line["id"] for line in session["product_order_item"]
        }
        assert {c.client_code for c in claimed} == {"DC173"}
        for job in await jobs_of(database, session["id"]):
            assert job.claimed_by == "w1"
            assert job.claim_token == claimed[0].token
            assert job.attempts == 1
            assert job.run_after >= before + LEASE

    async def test_a_claimed_line_is_not_claimed_again_during_its_lease(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        await confirmed_session(api)
        await claim(database, worker="w1")

        assert await claim(database, worker="w2") == []

    async def test_claims_at_most_the_limit(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        await confirmed_session(api, "", "", "")

        assert len(await claim(database, limit=2)) == 2
        assert len(await claim(database, limit=2)) == 1

    async def test_the_request_is_the_line_as_the_client_sees_it(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        session = await confirmed_session(api, HELD)
        [claimed] = await claim(database)

        request = claimed.order_request()

        assert request.line.model_dump(mode="json") == session["product_order_item"][0]
        assert (request.client_code, request.client_id) == ("DC173", claimed.client_id)


class TestRecordOutcome:
    async def test_an_order_created_moves_the_line_and_removes_its_job(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        session = await confirmed_session(api)
        [claimed] = await claim(database)
        created = OrderCreated(
            state=LineState.ACKNOWLEDGED,
            backend_order_id="ERP-42",
            reason="Order ERP-42 accepted.",
            updates={"enni": "ENNI-DIA-1", "building_ref": "IMB/1", "state": "cancelled"},
        )

        assert await record(database, claimed, created)

        [line] = await lines_of(database, session["id"])
        assert line.state == "acknowledged"
        assert line.backend_order_id == "ERP-42"
        assert (line.enni, line.building_ref) == ("ENNI-DIA-1", "IMB/1")
        assert line.state_change[-1]["change_reason"] == "Order ERP-42 accepted."
        assert line.completion_date is None
        assert await jobs_of(database, session["id"]) == []

    async def test_a_rejection_keeps_every_error_and_ends_the_line(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        session = await confirmed_session(api)
        [claimed] = await claim(database)
        errors = [
            ErrorEntry(code="required", property_path="enni", value=""),
            ErrorEntry(code="unknown_option", property_path="option_ids[0]", value="9999"),
        ]

        assert await record(database, claimed, OrderRejected(errors=errors))

        [line] = await lines_of(database, session["id"])
        assert line.state == "rejected_creation"
        assert line.termination_error == [e.model_dump() for e in errors]
        assert line.completion_date is not None
        assert line.state_change[-1]["change_reason"] == "Order not created: 2 rule(s) failed."

    async def test_an_answer_recorded_twice_leaves_one_outcome(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        session = await confirmed_session(api)
        [claimed] = await claim(database)

        assert await record(database, claimed, ACKNOWLEDGED)
        assert not await record(database, claimed, OUTCOMES[REJECTED])

        [line] = await lines_of(database, session["id"])
        assert [e["state"] for e in outcome_entries(line)] == ["acknowledged"]
        assert line.termination_error == []

    async def test_the_answer_of_a_lost_claim_is_discarded(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        session = await confirmed_session(api)
        [stale] = await claim(database)
        async with database.transaction() as db:  # the lease ends: another worker claims it
            [fresh] = await service.claim_lines(
                db, worker="w2", at=now() + LEASE * 2, lease=LEASE, limit=10
            )

        assert not await record(database, stale, OUTCOMES[REJECTED])
        assert await record(database, fresh, ACKNOWLEDGED)

        [line] = await lines_of(database, session["id"])
        assert [e["state"] for e in outcome_entries(line)] == ["acknowledged"]

    @pytest.mark.parametrize(
        ("answers", "final"),
        [
            (("acknowledged", HELD, IN_PROGRESS), "completed"),
            (("acknowledged", REJECTED, HELD), "partial"),
            ((REJECTED, REJECTED, REJECTED), "rejected"),
        ],
    )
    @pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
    async def test_the_last_answer_settles_the_session_in_any_order(
        self,
        api: httpx.AsyncClient,
        database: Database,
        answers: tuple[str, str, str],
        final: str,
        order: tuple[int, int, int],
    ) -> None:
        session = await confirmed_session(api, *answers)
        claimed = {c.line_id: c for c in await claim(database)}
        lines = session["product_order_item"]

        for position, index in enumerate(order):
            assert await record(database, claimed[lines[index]["id"]], OUTCOMES[answers[index]])
            settled = await session_row(database, session["id"])
            if position < len(order) - 1:
                assert (settled.state, settled.completion_date) == ("in_progress", None)

        assert settled.state == final
        assert settled.completion_date is not None


class TestScheduleRetry:
    async def test_releases_the_claim_and_keeps_the_line_waiting(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        session = await confirmed_session(api)
        [claimed] = await claim(database)
        at = now()

        async with database.transaction() as db:
            assert await service.schedule_retry(
                db, claimed, error="timeout", delay=lambda n: timedelta(seconds=10 * n), at=at
            )

        [job] = await jobs_of(database, session["id"])
        assert (job.claim_token, job.claimed_by, job.last_error) == (None, None, "timeout")
        assert job.run_after == at + timedelta(seconds=10)
        [line] = await lines_of(database, session["id"])
        assert line.state == "in_progress"

    async def test_does_nothing_for_a_lost_claim(
        self, api: httpx.AsyncClient, database: Database
    ) -> None:
        session = await confirmed_session(api)
        [claimed] = await claim(database)
        await record(database, claimed, ACKNOWLEDGED)

        async with database.transaction() as db:
            assert not await service.schedule_retry(
                db, claimed, error="late", delay=lambda n: timedelta(0), at=now()
            )
        assert await jobs_of(database, session["id"]) == []


class TestCheckOutcome:
    def test_accepts_the_back_ends_answers(self) -> None:
        for outcome in OUTCOMES.values():
            assert service.check_outcome(outcome) is outcome

    @pytest.mark.parametrize(
        "answer",
        [
            None,
            "acknowledged",
            OrderCreated(state=LineState.COMPLETED, backend_order_id="B"),
            OrderCreated(state=LineState.REJECTED_CREATION, backend_order_id="B"),
        ],
    )
    def test_refuses_anything_else(self, answer: object) -> None:
        with pytest.raises(TypeError):
            service.check_outcome(answer)
