"""`order-taking` commands run as real processes, each serving HTTP on a free loopback port."""

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tests.polling import eventually

ORDER_TAKING = Path(sys.executable).with_name("order-taking")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _text_of(log: Path) -> str:
    return log.read_text()


@asynccontextmanager
async def serving(
    *arguments: str, port: int, log: Path, environment: dict[str, str]
) -> AsyncIterator[tuple[asyncio.subprocess.Process, httpx.AsyncClient]]:
    """Starts `order-taking ARGUMENTS`, waits until /healthz answers on `port`, and SIGTERMs it
    at the end of the block."""
    with log.open("w") as output:
        process = await asyncio.create_subprocess_exec(
            str(ORDER_TAKING),
            *arguments,
            env={**os.environ, **environment},
            stdout=output,
            stderr=output,
        )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:

            async def healthy() -> bool:
                assert process.returncode is None, _text_of(log)
                try:
                    return (await http.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(healthy, seconds=120, what=f"order-taking {arguments[0]}")
            yield process, http
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=60)
