"""`order-taking worker --health-port P`: /healthz, /readyz and /metrics of a worker process."""

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import httpx

from tests.polling import eventually

ORDER_TAKING = Path(sys.executable).with_name("order-taking")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_a_worker_serves_health_and_metrics(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "worker.log").open("w")
    process = await asyncio.create_subprocess_exec(
        str(ORDER_TAKING),
        "worker",
        "--health-port",
        str(port),
        env={**os.environ, "ORDER_TAKING_DATABASE_URL": database_url},
        stdout=log,
        stderr=log,
    )
    log.close()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:

            async def serving() -> bool:
                assert process.returncode is None, (tmp_path / "worker.log").read_text()
                try:
                    return (await http.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(serving, seconds=30, what="the worker's health port")
            assert (await http.get("/readyz")).json() == {"status": "ok"}
            scraped = (await http.get("/metrics")).text
        assert 'order_taking_backend_calls_total{outcome="created"}' in scraped
        assert 'order_taking_order_creation_jobs{state="due"}' in scraped
        assert "process_cpu_seconds_total" in scraped
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=60) == 0
