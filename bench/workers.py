"""Lines answered per second by 1, 2 and 4 `order-taking worker` processes on PostgreSQL.

For each worker count: a fresh database, N confirmed lines written directly (sessions of 20),
then K workers started and the job table polled until empty. Prints, per K, the wall time from
the workers' start (process start-up included) and the steady rate between the first and the
last answer recorded. The back end is the built-in one (it reads the catalog and checks every
rule); `--backend tests.backend.backends:Scripted` answers at once instead, and
`--backend-delay` makes that one take so long per call, like a remote ERP. With `--settle N`,
the workers are started on an empty database instead, N one-line sessions are confirmed one at
a time, each once the last is answered, and the p50/p95 of the time from each confirm to its
answer is printed, as the lines' histories record it.

    .venv/bin/python bench/workers.py [--lines 2000 | --settle 50] [--workers 1,2,4]
        [--admin-url postgresql://postgres@127.0.0.1:5432/test]
"""

import argparse
import asyncio
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import make_url

from order_taking.app import load_demo_catalog_if_empty
from order_taking.backend.models import OrderCreationJob
from order_taking.clients.service import ClientIdentity, create_client
from order_taking.core.database import Database
from order_taking.core.migrate import upgrade
from order_taking.core.states import SYSTEM
from order_taking.core.time import local_date, now
from order_taking.ordering import service as ordering
from order_taking.ordering.models import OrderLine, OrderSession
from order_taking.ordering.states import LINE, LineState

REPOSITORY = Path(__file__).resolve().parents[1]
ORDER_TAKING = Path(sys.executable).with_name("order-taking")
BUILTIN = "order_taking.backend.builtin:CatalogBackend"
PER_SESSION = 20
ELIGIBILITY_ITEM = "d5a4a9aa-ba2c-4f53-95c7-0c1ce6f6e7fa"

# The documentation's example line, valid for the demo catalog.
CONTACT = {
    "end_customer_name": "Covage corp",
    "siret": "",
    "contact1_email_address": "John.Doe@unknown.com",
    "contact1_firstname": "John",
    "contact1_lastname": "Doe",
    "contact1_phone_number": "0123456789",
    "city": "Mont-Saint-Aignan",
    "postcode": "76130",
    "street_name": "Rue Andrei Sakharov",
    "street_number": "4",
    "insee_code": "76451",
    "latitude": 49.4744077,
    "longitude": 1.091455,
}


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(_dsn(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def load_confirmed_lines(database: Database, lines: int) -> None:
    """N lines in sessions of 20, inserted in bulk, then each session confirmed by the service."""
    async with database.transaction() as db:
        client, _ = await create_client(db, f"B{uuid.uuid4().hex[:6].upper()}")
        identity = ClientIdentity(id=client.id, code=client.code)
        at = now()
        session_ids = [str(uuid.uuid4()) for _ in range(0, lines, PER_SESSION)]
        await db.execute(
            insert(OrderSession),
            [{"id": s, "client_id": client.id, "creation_date": at} for s in session_ids],
        )
        day = local_date(at)
        await db.execute(
            insert(OrderLine),
            [
                {
                    "id": str(uuid.uuid4()),
                    "session_id": session_ids[i // PER_SESSION],
                    "client_id": client.id,
                    "order_reference": f"PO_{client.code}_{day:%Y%m%d}_{i + 1:06d}",
                    "state": LineState.CREATED.value,
                    "product_offering_id": "2173",
                    "product_offering_qualification_item_id": ELIGIBILITY_ITEM,
                    "enni": "AZ001234",
                    "customer_order_name": f"bench {i}",
                    "related_contact_information": [CONTACT],
                    "option_ids": [],
                    "creation_date": at,
                    "expiration_date": day + timedelta(days=90),
                    "state_change": LINE.start(at, SYSTEM),
                    "termination_error": [],
                }
                for i in range(lines)
            ],
        )
        for session_id in session_ids:
            await ordering.confirm_session(db, identity, session_id)


async def drained(database: Database) -> None:
    """Returns once the job table is empty."""
    while True:
        async with database.transaction() as db:
            if not await db.scalar(select(func.count()).select_from(OrderCreationJob)):
                return
        await asyncio.sleep(0.05)


async def answer_window(database: Database) -> tuple[datetime, datetime]:
    """When the first and the last answer were recorded (the lines' last state_change)."""
    async with database.transaction() as db:
        histories = (await db.scalars(select(OrderLine.state_change))).all()
    moments = [datetime.fromisoformat(history[-1]["change_date"]) for history in histories]
    return min(moments), max(moments)


def settle_seconds(history: list[dict[str, Any]]) -> float:
    """From the confirm (the move to in_progress) to the back end's answer (the next move)."""
    moments = [datetime.fromisoformat(move["change_date"]) for move in history]
    confirmed = next(i for i, move in enumerate(history) if move["state"] == "in_progress")
    return (moments[confirmed + 1] - moments[confirmed]).total_seconds()


async def settle_times(database: Database, sessions: int) -> list[float]:
    """Confirms one-line sessions one at a time, each once the last is answered (the service is
    idle between them); the times are those the lines' histories record, not the polling's."""
    for _ in range(sessions):
        await load_confirmed_lines(database, 1)
        await drained(database)
    async with database.transaction() as db:
        histories = (await db.scalars(select(OrderLine.state_change))).all()
    return sorted(settle_seconds(history) for history in histories)


@asynccontextmanager
async def fresh_database(admin_url: str) -> AsyncIterator[tuple[str, Database]]:
    name = f"order_taking_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    await _admin(admin_url, f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    try:
        await asyncio.to_thread(upgrade, url)
        await load_demo_catalog_if_empty(database)
        yield url, database
    finally:
        await database.dispose()
        await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def running_workers(
    url: str, workers: int, backend: str, delay: float
) -> AsyncIterator[None]:
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPOSITORY),
        "ORDER_TAKING_DATABASE_URL": url,
        "ORDER_TAKING_BACKEND": backend,
        "ORDER_TAKING_LOG_LEVEL": "WARNING",
        "TEST_BACKEND_DELAY_SECONDS": str(delay),
    }
    processes = [
        await asyncio.create_subprocess_exec(
            str(ORDER_TAKING), "worker", cwd=REPOSITORY, env=environment
        )
        for _ in range(workers)
    ]
    try:
        yield
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            await process.wait()


async def measure(admin_url: str, lines: int, workers: int, backend: str, delay: float) -> None:
    async with fresh_database(admin_url) as (url, database):
        await load_confirmed_lines(database, lines)
        started = time.monotonic()
        async with running_workers(url, workers, backend, delay):
            await drained(database)
            wall = time.monotonic() - started
        first, last = await answer_window(database)
        steady = (lines - 1) / max((last - first).total_seconds(), 1e-6)
        print(
            f"{workers} worker(s): {lines} lines in {wall:6.2f} s wall = {lines / wall:7.1f} "
            f"lines/s; steady {steady:7.1f} lines/s",
            flush=True,
        )


async def measure_settling(
    admin_url: str, sessions: int, workers: int, backend: str, delay: float
) -> None:
    async with fresh_database(admin_url) as (url, database):
        async with running_workers(url, workers, backend, delay):
            await load_confirmed_lines(database, 1)  # the workers are up once it is answered
            await drained(database)
            async with database.transaction() as db:
                await db.execute(delete(OrderSession))
            times = await settle_times(database, sessions)
        p50, p95 = (times[int(len(times) * q)] * 1000 for q in (0.50, 0.95))
        print(
            f"{workers} worker(s), idle: {sessions} one-line sessions settled in "
            f"p50 {p50:6.1f} ms, p95 {p95:6.1f} ms, max {times[-1] * 1000:6.1f} ms",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--backend", default=None, help="module:attribute (default: built-in)")
    parser.add_argument("--backend-delay", type=float, default=0.0, help="seconds per call")
    parser.add_argument(
        "--settle",
        type=int,
        default=0,
        metavar="N",
        help="instead: N one-line sessions confirmed one at a time on the idle service, and "
        "how long each took to be answered",
    )
    arguments = parser.parse_args()
    backend = arguments.backend or BUILTIN
    work = f"{arguments.settle} sessions" if arguments.settle else f"{arguments.lines} lines"
    print(f"back end: {backend}; {work}; {os.cpu_count()} CPUs", flush=True)
    for workers in (int(k) for k in arguments.workers.split(",")):
        if arguments.settle:
            run = measure_settling(
                arguments.admin_url, arguments.settle, workers, backend, arguments.backend_delay
            )
        else:
            run = measure(
                arguments.admin_url, arguments.lines, workers, backend, arguments.backend_delay
            )
        asyncio.run(run)


if __name__ == "__main__":
    main()
