"""The worker: takes confirmed lines from the job table, has the back end create their orders and
records each answer.

Each batch is claimed in one short transaction, the back end is called outside any transaction,
and the answers are recorded in short transactions, many at once. Any number of workers, in any
number of processes, share the work: on PostgreSQL a claim skips the jobs another worker holds
(FOR UPDATE SKIP LOCKED); a claim is a lease, so the lines of a worker that died are taken up
again after it.
"""

import asyncio
import logging
import os
import random
import signal
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime, timedelta

from order_taking.backend import service
from order_taking.backend.interface import (
    BackendUnavailable,
    OrderBackend,
    Outcome,
    load_backend,
)
from order_taking.backend.metrics import MeasuredBackend
from order_taking.backend.repository import JOBS_CHANNEL
from order_taking.backend.service import ClaimedLine
from order_taking.core.batching import Batcher
from order_taking.core.context import request_id
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from order_taking.core.time import now
from order_taking.core.waiting import first_of
from order_taking.notifications.delivery import DeliveryWorker

log = logging.getLogger(__name__)

# A retry comes back up to this fraction later than its back-off, so that lines that failed
# together do not all hit the back end again at the same instant.
RETRY_JITTER = 0.1


def retry_delay(attempts: int, settings: Settings, jitter: float = 0.0) -> timedelta:
    """`retry_base * 2**(attempts-1)`, stretched by `jitter` (0..1) times RETRY_JITTER, capped."""
    backoff = settings.retry_base_seconds * 2 ** min(max(attempts - 1, 0), 32)
    return timedelta(seconds=min(settings.retry_max_seconds, backoff * (1 + RETRY_JITTER * jitter)))


def worker_name() -> str:
    """Who holds a claim, for whoever reads the job table: host, process, and a nonce."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[-128:]


_Answer = tuple[ClaimedLine, Outcome]


class AnswerRecorder:
    """Records the back end's answers in as few transactions as it can, none waiting for a timer:
    the answers that arrive while one transaction commits are recorded together in the next."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock
        self._batcher = Batcher[_Answer, bool](self._record_batch)

    async def record(self, claimed: ClaimedLine, outcome: Outcome) -> bool:
        """Whether the answer was recorded (see `service.record_outcome`)."""
        return await self._batcher.submit((claimed, outcome))

    async def _record_batch(self, batch: list[_Answer]) -> list[bool | Exception]:
        try:
            async with self.database.transaction() as db:
                recorded = await service.record_outcomes(db, batch, self.clock())
        except Exception as error:
            if len(batch) == 1:
                return [error]
            # One answer that fails must not hold back the others.
            return [result for answer in batch for result in await self._record_batch([answer])]
        return [claimed.line_id in recorded for claimed, _ in batch]


class Worker:
    """Claims due lines in batches, has the back end answer them, records the answers."""

    def __init__(
        self,
        database: Database,
        backend: OrderBackend,
        settings: Settings,
        *,
        name: str | None = None,
        batch_size: int | None = None,
        concurrency: int | None = None,
        clock: Callable[[], datetime] = now,
    ) -> None:
        self.database = database
        self.backend = backend
        self.settings = settings
        self.name = name or worker_name()
        self.batch_size = batch_size or settings.worker_batch_size
        self.concurrency = concurrency or settings.worker_concurrency
        self.lease = timedelta(seconds=settings.worker_lease_seconds)
        self.clock = clock
        self.recorder = AnswerRecorder(database, clock)

    async def _claim(self, limit: int) -> list[ClaimedLine]:
        async with self.database.transaction() as db:
            return await service.claim_lines(
                db, worker=self.name, at=self.clock(), lease=self.lease, limit=limit
            )

    async def run_once(self) -> int:
        """Claims one batch of due lines and processes it: how many lines got their answer."""
        claimed = await self._claim(self.batch_size)
        slots = asyncio.Semaphore(self.concurrency)

        async def process(line: ClaimedLine) -> bool:
            async with slots:
                return await self._process(line)

        return sum(await asyncio.gather(*(process(line) for line in claimed)))

    async def drain(self, stop: asyncio.Event) -> int:
        """Processes batches until none is answered (nothing due, or the back end is down)."""
        total = 0
        while not stop.is_set() and (answered := await self.run_once()):
            total += answered
        return total

    async def run(self, stop: asyncio.Event, wake: asyncio.Event) -> None:
        """Keeps up to `concurrency` lines in flight until `stop`.

        It claims only as many lines as it has free slots (a batch at most), so a slow answer
        holds one slot, not a whole batch, and no claimed line waits for a slot while its lease
        runs; busy, it waits for half of its slots to be free, so that a claim takes many lines,
        not one at a time. When nothing more is due it waits for `wake` (set after a confirm
        commits), a slot to free up, or `worker_poll_seconds`. Lines in flight are finished
        before it stops.
        """
        log.info("worker %s started", self.name)
        in_flight: set[asyncio.Task[bool]] = set()
        refill = max(1, min(self.concurrency, self.batch_size) // 2)
        try:
            while not stop.is_set():
                wake.clear()
                free = self.concurrency - len(in_flight)
                asked = min(free, self.batch_size) if free >= refill or not in_flight else 0
                claimed = await self._claim_or_nothing(asked) if asked > 0 else []
                in_flight |= {asyncio.create_task(self._process(line)) for line in claimed}
                if asked > 0 and len(claimed) == asked and len(in_flight) < self.concurrency:
                    continue  # more may be due
                await first_of((stop, wake), in_flight, self.settings.worker_poll_seconds)
                in_flight = {task for task in in_flight if not task.done()}
        finally:
            await asyncio.gather(*in_flight)
        log.info("worker %s stopped", self.name)

    async def _claim_or_nothing(self, limit: int) -> list[ClaimedLine]:
        try:
            return await self._claim(limit)
        except Exception:  # the database is away: keep the worker alive and try again
            log.exception("worker %s could not claim lines", self.name)
            return []

    @asynccontextmanager
    async def in_background(self, wake: asyncio.Event) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(self.run(stop, wake), name=f"worker {self.name}")
        try:
            yield
        finally:
            stop.set()
            await task

    async def _process(self, claimed: ClaimedLine) -> bool:
        # Runs in its own task: its log lines carry the request id of the confirm that queued it.
        request_id.set(claimed.request_id)
        try:
            return await self._answer(claimed)
        except Exception:
            log.exception(
                "line %s: answer not recorded; the line is due again when its lease ends",
                claimed.line_id,
            )
            return False

    async def _answer(self, claimed: ClaimedLine) -> bool:
        # A call that outlives the lease is abandoned: another worker may hold the line by then.
        lease_left = (claimed.lease_ends - self.clock()).total_seconds()
        try:
            async with asyncio.timeout(max(lease_left, 0.0)):
                answer = await self.backend.create_order(claimed.order_request())
            outcome = service.check_outcome(answer)
        except Exception as error:  # unavailable, timed out or broken: retried, never rejected
            await self._retry_later(claimed, error)
            return False
        return await self.recorder.record(claimed, outcome)

    async def _retry_later(self, claimed: ClaimedLine, error: Exception) -> None:
        message = f"{type(error).__name__}: {error}"[:2000]
        expected = isinstance(error, BackendUnavailable | TimeoutError)
        log.warning(
            "line %s: no answer from the back end (%s); retried later",
            claimed.line_id,
            message,
            exc_info=not expected,
        )
        jitter = random.random()
        async with self.database.transaction() as db:
            await service.schedule_retry(
                db,
                claimed,
                error=message,
                delay=lambda attempts: retry_delay(attempts, self.settings, jitter),
                at=self.clock(),
            )


def embedded_worker(
    database: Database, settings: Settings, wake: asyncio.Event
) -> AbstractAsyncContextManager[None]:
    """The worker `serve` runs beside the API, woken by each confirm."""
    worker = Worker(database, MeasuredBackend(load_backend(database, settings)), settings)
    return worker.in_background(wake)


async def run_standalone(settings: Settings, *, once: bool) -> None:
    """`order-taking worker`: runs until SIGTERM or SIGINT (or, with `once`, until nothing is
    due), finishing the lines in flight; it delivers the notifications too."""
    database = Database(settings.database_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    deliveries = DeliveryWorker(database, settings)
    try:
        worker = Worker(database, MeasuredBackend(load_backend(database, settings)), settings)
        if once:
            log.info("worker %s answered %d line(s)", worker.name, await worker.drain(stop))
            log.info("worker %s made %d delivery attempt(s)", worker.name, await deliveries.drain())
            await deliveries.close()
        else:
            wake = asyncio.Event()
            # A confirm in any process wakes this worker at once (PostgreSQL), not at its next poll.
            async with deliveries.in_background(), database.notifications(JOBS_CHANNEL, wake.set):
                await worker.run(stop, wake)
    finally:
        await database.dispose()
