"""The delivery worker: relays committed events, claims due deliveries (FOR UPDATE SKIP LOCKED,
a lease, like the order-creation jobs), POSTs them signed by the Standard Webhooks
specification, and records each attempt.

Up to `webhook_concurrency` POSTs are in flight at once; finished ones are recorded together in
one short transaction. A worker that dies mid-delivery leaves its claims to end with their lease:
the event is sent again, with the same `webhook-id`.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import httpx

from order_taking.core.database import Database
from order_taking.core.settings import Settings
from order_taking.core.time import now
from order_taking.core.waiting import first_of
from order_taking.notifications import service
from order_taking.notifications.addresses import CallbackRefused, check_callback, resolve
from order_taking.notifications.metrics import WEBHOOK_ATTEMPTS, WEBHOOK_DURATION
from order_taking.notifications.repository import DueDelivery
from order_taking.notifications.service import AttemptResult, Claim

log = logging.getLogger(__name__)

# Old events are purged at most this often.
PURGE_EVERY = timedelta(minutes=10)
# POSTs that end within this of the first are recorded in the same transaction.
RECORD_WINDOW = 0.02


def signature(secret: str, webhook_id: str, timestamp: str, body: bytes) -> str:
    """`v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`, keyed with the secret's bytes."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(service.secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class DeliveryWorker:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        name: str | None = None,
        clock: Callable[[], datetime] = now,
    ) -> None:
        self.database = database
        self.settings = settings
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.clock = clock
        self.lease = timedelta(seconds=settings.webhook_lease_seconds)
        self.concurrency = settings.webhook_concurrency
        self.batch_size = settings.webhook_batch_size
        self.purged_at: datetime | None = None
        self.http = httpx.AsyncClient(
            timeout=settings.webhook_timeout_seconds,
            follow_redirects=False,  # a redirect could lead anywhere, a private address too
            limits=httpx.Limits(
                max_connections=self.concurrency, max_keepalive_connections=self.concurrency
            ),
        )

    async def close(self) -> None:
        await self.http.aclose()

    # --- the steps, each in its own transaction ---

    async def relay(self) -> int:
        """Relays committed events until none is left: how many."""
        total = 0
        while True:
            async with self.database.transaction() as db:
                relayed = await service.relay_events(db, at=self.clock(), limit=self.batch_size)
            total += relayed
            if relayed < self.batch_size:
                return total

    async def claim(self, limit: int) -> Claim:
        async with self.database.transaction() as db:
            return await service.claim_deliveries(
                db, worker=self.name, at=self.clock(), lease=self.lease, limit=limit
            )

    async def record(self, results: list[AttemptResult]) -> int:
        async with self.database.transaction() as db:
            return await service.record_attempts(db, results)

    async def purge(self) -> None:
        at = self.clock()
        if self.purged_at is not None and at - self.purged_at < PURGE_EVERY:
            return
        retention = timedelta(days=self.settings.event_retention_days)
        async with self.database.transaction() as db:
            purged = await service.purge_events(db, at=at, retention=retention)
        self.purged_at = at
        if purged:
            log.info("%d event(s) older than %s purged", purged, retention)

    # --- one POST ---

    async def attempt(self, delivery: DueDelivery, token: str) -> AttemptResult:
        started = time.monotonic()
        code: int | None = None
        error = ""
        outcome = "delivered"
        try:
            async with asyncio.timeout(self.settings.webhook_timeout_seconds):
                code = await self._post(delivery)
            if not 200 <= code < 300:
                error, outcome = f"answered {code}", "answered"
        except CallbackRefused as refused:
            error, outcome = str(refused), "refused"
        except TimeoutError:
            error = f"no answer within {self.settings.webhook_timeout_seconds:g} s"
            outcome = "timeout"
        except httpx.HTTPError as failure:
            error, outcome = f"{type(failure).__name__}: {failure}"[:2000], "error"
        WEBHOOK_ATTEMPTS.labels(outcome).inc()
        WEBHOOK_DURATION.observe(time.monotonic() - started)
        return AttemptResult(
            delivery=delivery,
            token=token,
            at=self.clock(),
            response_code=code,
            error=error,
            duration_ms=round((time.monotonic() - started) * 1000),
        )

    async def _post(self, delivery: DueDelivery) -> int:
        """POSTs to the address the callback resolves to now, checked again: a name that
        resolved to a public address at registration may not lead inside the network today."""
        allow_private = self.settings.webhook_allow_private_networks
        host, port = check_callback(delivery.callback, allow_private=allow_private)
        address = await resolve(host, port, allow_private=allow_private)
        url = httpx.URL(delivery.callback)
        body = json.dumps(delivery.body, separators=(",", ":"), ensure_ascii=False).encode()
        webhook_id = delivery.body["eventId"]
        # Real time, whatever the worker's clock: receivers compare it with theirs.
        timestamp = str(int(time.time()))
        headers = {
            "Host": url.netloc.decode("ascii"),
            "Content-Type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": signature(delivery.secret, webhook_id, timestamp, body),
        }
        async with self.http.stream(
            "POST",
            url.copy_with(host=address),
            content=body,
            headers=headers,
            extensions={"sni_hostname": host},
        ) as response:
            return response.status_code

    # --- the loops ---

    async def run_once(self) -> int:
        """Relays, then sends one batch of due deliveries: how many attempts it recorded."""
        await self.relay()
        claim = await self.claim(min(self.batch_size, self.concurrency))
        if not claim.deliveries:
            return 0
        results = await asyncio.gather(*(self.attempt(d, claim.token) for d in claim.deliveries))
        return await self.record(list(results))

    async def drain(self) -> int:
        """Sends batches until nothing is due: how many attempts it recorded."""
        total = 0
        while answered := await self.run_once():
            total += answered
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Keeps up to `concurrency` POSTs in flight until `stop`; waits, when nothing is due,
        for events to be recorded in this process, a POST to end, or `worker_poll_seconds`.

        It claims again once half its slots are free, and records the POSTs that end within
        RECORD_WINDOW of each other in one transaction: a few transactions per batch, not three
        per POST."""
        log.info("delivery worker %s started", self.name)
        in_flight: set[asyncio.Task[AttemptResult]] = set()
        wake = service.events_recorded
        slots = min(self.concurrency, self.batch_size)
        try:
            while not stop.is_set():
                wake.clear()
                free = self.concurrency - len(in_flight)
                asked = min(free, self.batch_size) if free * 2 >= slots or not in_flight else 0
                claim = await self._step(asked)
                in_flight |= {
                    asyncio.create_task(self.attempt(d, claim.token)) for d in claim.deliveries
                }
                if asked == 0 or len(claim.deliveries) < asked:
                    await first_of((stop, wake), in_flight, self.settings.worker_poll_seconds)
                if any(task.done() for task in in_flight):
                    await asyncio.wait(in_flight, timeout=RECORD_WINDOW)
                done = {task for task in in_flight if task.done()}
                in_flight -= done
                if done:
                    await self._record_or_log([task.result() for task in done])
        finally:
            if in_flight:
                await self._record_or_log(list(await asyncio.gather(*in_flight)))
            log.info("delivery worker %s stopped", self.name)

    async def _step(self, asked: int) -> Claim:
        try:
            await self.relay()
            await self.purge()
            return await self.claim(asked) if asked > 0 else Claim("", [])
        except Exception:  # the database is away: keep the worker alive and try again
            log.exception("delivery worker %s could not relay or claim", self.name)
            return Claim("", [])

    async def _record_or_log(self, results: list[AttemptResult]) -> None:
        try:
            await self.record(results)
        except Exception:
            log.exception(
                "%d attempt(s) not recorded: sent again once their lease ends", len(results)
            )

    @asynccontextmanager
    async def in_background(self) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(self.run(stop), name=f"delivery worker {self.name}")
        try:
            yield
        finally:
            stop.set()
            await task
            await self.close()
