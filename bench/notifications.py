"""Notifications on PostgreSQL: webhook deliveries per second, confirm-to-webhook latency, and
the cost of the outbox on line creation and confirmation. Each on a scratch database.

    .venv/bin/python bench/notifications.py deliveries [--events 10000] [--workers 2]
    .venv/bin/python bench/notifications.py latency [--rounds 40]
    .venv/bin/python bench/notifications.py outbox [--seconds 10] [--concurrency 8]

The receiver is an asyncio HTTP server on a free loopback port in this process; the workers
and the API are `order-taking` subprocesses.
"""

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from order_taking.app import load_demo_catalog_if_empty
from order_taking.clients.service import create_client
from order_taking.core.database import Database
from order_taking.core.migrate import upgrade
from order_taking.core.time import now
from order_taking.notifications.models import EventType, Listener
from order_taking.notifications.service import new_secret, record_event

REPOSITORY = Path(__file__).resolve().parents[1]
ORDER_TAKING = Path(sys.executable).with_name("order-taking")
ELIGIBILITY_ITEM = "d5a4a9aa-ba2c-4f53-95c7-0c1ce6f6e7fa"
LINE = {
    "product_offering_id": "2173",
    "product_offering_qualification_item_id": ELIGIBILITY_ITEM,
    "enni": "AZ001234",
    "customer_order_name": "bench",
}
FINAL = {"completed", "partial", "rejected"}


class Receiver:
    """Answers 200 to every POST; keeps when each event arrived."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, dict[str, Any]]] = []
        self.arrived = asyncio.Event()
        self.port = 0

    async def start(self) -> None:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                self.arrivals.append((time.monotonic(), json.loads(body)))
                self.arrived.set()
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


async def _admin(admin_url: str, statement: str) -> None:
    connection = await asyncpg.connect(
        make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Scratch:
    """A migrated scratch database, subprocesses on it, all gone at the end."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.name = f"order_taking_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.url = make_url(admin_url).set(database=self.name).render_as_string(False)
        self.processes: list[asyncio.subprocess.Process] = []
        self.database: Database

    def environment(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(REPOSITORY),
            "ORDER_TAKING_DATABASE_URL": self.url,
            "ORDER_TAKING_LOG_LEVEL": "WARNING",
            "ORDER_TAKING_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
            **extra,
        }

    async def start(self, *arguments: str, **extra: str) -> None:
        self.processes.append(
            await asyncio.create_subprocess_exec(
                str(ORDER_TAKING), *arguments, cwd=REPOSITORY, env=self.environment(**extra)
            )
        )

    async def serve(self) -> str:
        port = _free_port()
        await self.start("serve", "--port", str(port), ORDER_TAKING_EMBEDDED_WORKER="false")
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                await asyncio.to_thread(httpx.get, f"{base}/openapi.json")
                return base
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
        raise RuntimeError("the API did not start")


@asynccontextmanager
async def scratch(admin_url: str) -> AsyncIterator[Scratch]:
    place = Scratch(admin_url)
    await _admin(admin_url, f'CREATE DATABASE "{place.name}"')
    place.database = Database(place.url)
    try:
        await asyncio.to_thread(upgrade, place.url)
        await load_demo_catalog_if_empty(place.database)
        yield place
    finally:
        for process in place.processes:
            process.send_signal(signal.SIGTERM)
        for process in place.processes:
            await process.wait()
        await place.database.dispose()
        await _admin(admin_url, f'DROP DATABASE IF EXISTS "{place.name}" WITH (FORCE)')


async def _client(database: Database, code: str, callback: str | None) -> tuple[str, str]:
    """A client (and its listener, if a callback is given): its id and token."""
    async with database.transaction() as db:
        client, token = await create_client(db, code)
        if callback:
            db.add(Listener(client_id=client.id, callback=callback, secret=new_secret()))
        return client.id, token


async def deliveries(arguments: argparse.Namespace) -> None:
    receiver = Receiver()
    await receiver.start()
    async with scratch(arguments.admin_url) as place:
        client_id, _ = await _client(
            place.database, "BENCH", f"http://127.0.0.1:{receiver.port}/hooks"
        )
        async with place.database.transaction() as db:
            for i in range(arguments.events):
                resource = f"00000000-0000-4000-8000-{i % arguments.resources:012d}"
                record_event(
                    db,
                    client_id=client_id,
                    event_type=EventType.ORDER_ITEM_STATE,
                    resource_id=resource,
                    href=f"/api/v1/product_order_item/{resource}/",
                    at=now(),
                    details={"state": "in_progress", "sequence": i},
                )
        started = time.monotonic()
        for _ in range(arguments.workers):
            await place.start("worker")
        while len(receiver.arrivals) < arguments.events:
            receiver.arrived.clear()
            await asyncio.wait_for(receiver.arrived.wait(), timeout=120)
        first, last = receiver.arrivals[0][0], receiver.arrivals[-1][0]
        cpu = sum(cpu_seconds(p.pid) for p in place.processes)
        print(
            f"{arguments.workers} worker(s): {arguments.events} deliveries in "
            f"{last - started:.2f} s from start (start-up included); steady "
            f"{(arguments.events - 1) / (last - first):.0f} deliveries/s; workers' CPU "
            f"{cpu * 1000 / arguments.events:.2f} ms per delivery (start-up included)",
            flush=True,
        )


async def latency(arguments: argparse.Namespace) -> None:
    receiver = Receiver()
    await receiver.start()
    async with scratch(arguments.admin_url) as place:
        _, token = await _client(place.database, "BENCH", f"http://127.0.0.1:{receiver.port}/h")
        base = await place.serve()
        await place.start("worker")
        seconds = []
        async with httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {token}"}
        ) as api:
            for _ in range(arguments.rounds):
                # A random pause: rounds must not fall into step with the worker's polling.
                await asyncio.sleep(random.random())
                session = (await api.post("/api/v1/product_order/", json={})).json()["id"]
                await api.post(f"/api/v1/product_order/{session}/product_order_item/", json=LINE)
                response = await api.patch(f"/api/v1/product_order/{session}/confirm/")
                assert response.status_code == 200, response.text
                committed = time.monotonic()
                while True:
                    arrived = [
                        at
                        for at, event in receiver.arrivals
                        if event["event"]["id"] == session and event["event"]["state"] in FINAL
                    ]
                    if arrived:
                        seconds.append(arrived[0] - committed)
                        break
                    receiver.arrived.clear()
                    await asyncio.wait_for(receiver.arrived.wait(), timeout=30)
        quantiles = statistics.quantiles(seconds, n=20)
        print(
            f"confirm → final session event at the receiver, {arguments.rounds} rounds: "
            f"p50 {statistics.median(seconds) * 1000:.0f} ms, p95 {quantiles[18] * 1000:.0f} ms",
            flush=True,
        )


async def _rate(
    api: httpx.AsyncClient, paths: list[tuple[str, str]], concurrency: int, seconds: float
) -> float:
    """Requests per second sending `paths` (method, path) with `concurrency` at once."""
    queue = iter(paths)
    done = 0
    deadline = time.monotonic() + seconds

    async def loop() -> None:
        nonlocal done
        for method, path in queue:
            if time.monotonic() > deadline:
                return
            body = LINE if method == "POST" else None
            response = await api.request(method, path, json=body)
            assert response.status_code in (200, 201), response.text
            done += 1

    started = time.monotonic()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return done / (time.monotonic() - started)


async def outbox(arguments: argparse.Namespace) -> None:
    receiver = Receiver()
    await receiver.start()
    async with scratch(arguments.admin_url) as place:
        base = await place.serve()
        await place.start("worker")
        for label, callback in (
            ("no listener", None),
            ("a listener", f"http://127.0.0.1:{receiver.port}/h"),
        ):
            _, token = await _client(place.database, f"B{uuid.uuid4().hex[:6].upper()}", callback)
            async with httpx.AsyncClient(
                base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
            ) as api:
                session = (await api.post("/api/v1/product_order/", json={})).json()["id"]
                lines_path = f"/api/v1/product_order/{session}/product_order_item/"
                created = await _rate(
                    api, [("POST", lines_path)] * 10**6, arguments.concurrency, arguments.seconds
                )
                sessions = []
                for _ in range(arguments.sessions):
                    sid = (await api.post("/api/v1/product_order/", json={})).json()["id"]
                    for _ in range(arguments.lines_per_session):
                        await api.post(
                            f"/api/v1/product_order/{sid}/product_order_item/", json=LINE
                        )
                    sessions.append(("PATCH", f"/api/v1/product_order/{sid}/confirm/"))
                confirmed = await _rate(api, sessions, arguments.concurrency, arguments.seconds)
            print(
                f"{label}: line creation {created:.0f} req/s, confirm "
                f"({arguments.lines_per_session} lines) {confirmed:.0f} req/s",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["deliveries", "latency", "outbox"])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--resources", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--lines-per-session", type=int, default=5)
    arguments = parser.parse_args()
    print(f"{arguments.what}: {os.cpu_count()} CPUs, shared machine", flush=True)
    asyncio.run(
        {"deliveries": deliveries, "latency": latency, "outbox": outbox}[arguments.what](arguments)
    )


if __name__ == "__main__":
    main()
