"""`order-taking worker` processes: several share the work on PostgreSQL, each line answered once;
a worker killed mid-batch leaves its lines to another once their lease ends.

The workers run the test back end `backends.Scripted`, which appends each line id it is asked
for to a file, so the test counts the calls of every process.
"""

import asyncio
import os
import signal
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from order_taking.core.database import Database
from order_taking.ordering.models import OrderLine
from tests.backend.backends import HELD, REJECTED
from tests.backend.factories import (
    confirmed_session,
    confirmed_sessions,
    jobs_of,
    lines_of,
    outcome_entries,
    session_row,
)
from tests.polling import eventually

REPOSITORY = Path(__file__).resolve().parents[2]
ORDER_TAKING = Path(sys.executable).with_name("order-taking")
# How long four workers may take to answer 1,000 lines on a loaded machine.
ANSWERED_WITHIN_SECONDS = 300


class WorkerProcesses:
    """`order-taking worker` subprocesses on one database, their calls and logs in `directory`."""

    def __init__(self, database_url: str, directory: Path) -> None:
        self.database_url = database_url
        self.directory = directory
        self.calls_file = directory / "calls.txt"
        self.started: list[asyncio.subprocess.Process] = []

    async def start(self, *arguments: str, **environment: str) -> asyncio.subprocess.Process:
        log = (self.directory / f"worker-{len(self.started)}.log").open("w")
        process = await asyncio.create_subprocess_exec(
            str(ORDER_TAKING),
            "worker",
            *arguments,
            cwd=REPOSITORY,
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")])
                ),
                "ORDER_TAKING_DATABASE_URL": self.database_url,
                "ORDER_TAKING_BACKEND": "tests.backend.backends:Scripted",
                "ORDER_TAKING_WORKER_POLL_SECONDS": "0.1",
                "TEST_BACKEND_CALLS": str(self.calls_file),
                **environment,
            },
            stdout=log,
            stderr=log,
        )
        log.close()
        self.started.append(process)
        return process

    def calls(self) -> list[tuple[str, int]]:
        """(line id, pid) of every call the workers made to the back end, in order."""
        if not self.calls_file.exists():
            return []
        rows = (line.split() for line in self.calls_file.read_text().splitlines())
        return [(line_id, int(pid)) for line_id, pid in rows]

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.directory.glob("worker-*.log")))

    async def stop(self) -> list[int]:
        """SIGTERM to the live ones, then their exit codes (a worker stops after its batch)."""
        for process in self.started:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        return [await asyncio.wait_for(p.wait(), timeout=60) for p in self.started]


@pytest.fixture
async def workers(tmp_path: Path) -> AsyncIterator[Callable[[str], WorkerProcesses]]:
    made: list[WorkerProcesses] = []

    def make(database_url: str) -> WorkerProcesses:
        made.append(WorkerProcesses(database_url, tmp_path))
        return made[-1]

    yield make
    for group in made:  # a failed test must not leave workers behind
        for process in group.started:
            if process.returncode is None:
                process.kill()
                await process.wait()


def assert_answered_once(lines: list[OrderLine]) -> None:
    for line in lines:
        assert len(outcome_entries(line)) == 1, line.state_change


class TestWorkerCommand:
    async def test_once_answers_what_is_due_and_exits(
        self,
        api: httpx.AsyncClient,
        database: Database,
        database_url: str,
        workers: Callable[[str], WorkerProcesses],
    ) -> None:
        session = await confirmed_session(api, "", REJECTED, "")
        group = workers(database_url)

        process = await group.start("--once", "--batch", "2", "--concurrency", "1")

        assert await asyncio.wait_for(process.wait(), timeout=60) == 0, group.logs()
        assert (await session_row(database, session["id"])).state == "partial"
        assert sorted(line_id for line_id, _ in group.calls()) == sorted(
            line["id"] for line in session["product_order_item"]
        )


@pytest.mark.postgresql
class TestWorkersOnPostgresql:
    async def test_four_workers_answer_a_thousand_lines_once_each(
        self, postgresql_url: str, workers: Callable[[str], WorkerProcesses]
    ) -> None:
        database = Database(postgresql_url)
        try:
            sessions = await confirmed_sessions(
                database, f"W{uuid.uuid4().hex[:8].upper()}", lines=1000, per_session=20
            )
            group = workers(postgresql_url)
            # A line is sent again, by design, once its lease ends before its answer is recorded
            # (a starved machine, or a recording that failed): the back end's idempotency covers
            # that. Leases that outlast the test leave one cause only for a second call, two
            # workers holding one line at once, which must never happen.
            lease = str(2 * ANSWERED_WITHIN_SECONDS)
            for _ in range(4):
                await group.start(ORDER_TAKING_WORKER_LEASE_SECONDS=lease)

            async def all_answered() -> bool:
                return not await jobs_of(database, *sessions)

            await eventually(
                all_answered, seconds=ANSWERED_WITHIN_SECONDS, what="1,000 lines answered"
            )
            assert await group.stop() == [0, 0, 0, 0], group.logs()

            lines = await lines_of(database, *sessions)
            assert len(lines) == 1000
            assert_answered_once(lines)
            calls = Counter(line_id for line_id, _ in group.calls())
            sent = {line.id: calls[line.id] for line in lines}
            assert sent == {line.id: 1 for line in lines}, group.logs()
            assert Counter(line.state for line in lines) == {
                "acknowledged": 800,
                "held_adv_validation": 100,
                "rejected_creation": 100,
            }
            for session_id in sessions:
                session = await session_row(database, session_id)
                assert (session.state, session.completion_date is not None) == ("partial", True)
        finally:
            await database.dispose()

    async def test_a_killed_workers_lines_are_finished_by_another(
        self, postgresql_url: str, workers: Callable[[str], WorkerProcesses]
    ) -> None:
        database = Database(postgresql_url)
        try:
            [session_id] = await confirmed_sessions(
                database, f"K{uuid.uuid4().hex[:8].upper()}", lines=20, per_session=20
            )
            group = workers(postgresql_url)
            # The victim never answers the two lines to be held (a hung call each): with three
            # slots it answers every other line within a second or two, then dies holding those
            # two, long before its 8 s lease would end their calls.
            victim = await group.start(
                "--concurrency",
                "3",
                TEST_BACKEND_HOLD=HELD,
                ORDER_TAKING_WORKER_LEASE_SECONDS="8",
            )

            async def only_the_hung_lines_left() -> bool:
                # Claimed too: the two may be the last lines the victim takes.
                left = await jobs_of(database, session_id)
                return len(left) == 2 and all(job.claim_token for job in left)

            await eventually(only_the_hung_lines_left, seconds=60, what="the victim's answers")
            victim.kill()
            assert await victim.wait() == -signal.SIGKILL
            jobs = await jobs_of(database, session_id)
            assert all(job.claim_token for job in jobs), "the victim held its hung lines"
            left = {job.line_id for job in jobs}

            rescuer = await group.start()

            async def all_answered() -> bool:
                return not await jobs_of(database, session_id)

            await eventually(all_answered, seconds=60, what="the rescuer answered the rest")
            assert await group.stop() == [-signal.SIGKILL, 0], group.logs()

            lines = await lines_of(database, session_id)
            assert_answered_once(lines)
            rescued = {line_id for line_id, pid in group.calls() if pid == rescuer.pid}
            assert rescued == left
            assert (await session_row(database, session_id)).state == "partial"
        finally:
            await database.dispose()

    async def test_a_confirm_wakes_an_idle_worker_without_waiting_for_its_poll(
        self, postgresql_url: str, workers: Callable[[str], WorkerProcesses]
    ) -> None:
        database = Database(postgresql_url)
        group = workers(postgresql_url)
        try:
            await group.start(ORDER_TAKING_WORKER_POLL_SECONDS="3600")

            async def listening() -> bool:
                return "started" in group.logs()

            await eventually(listening, seconds=60, what="the worker started")
            [session_id] = await confirmed_sessions(
                database, f"N{uuid.uuid4().hex[:8].upper()}", lines=1, per_session=1
            )

            async def settled() -> bool:
                return (await session_row(database, session_id)).state != "in_progress"

            await eventually(settled, seconds=60, what="the session settled")
            assert await group.stop() == [0], group.logs()
        finally:
            await database.dispose()
