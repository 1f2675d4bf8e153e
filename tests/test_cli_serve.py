"""`order-taking serve --workers 2`, the production mode: real processes on a loopback port."""

import asyncio
import ctypes
import errno
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from order_taking.catalog import service as catalog
from order_taking.core.database import Database
from tests.polling import eventually

REPOSITORY = Path(__file__).resolve().parents[1]
ORDER_TAKING = Path(sys.executable).with_name("order-taking")
SYS_PIDFD_GETFD = 438  # x86_64 and arm64 alike


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """One `serve` command: its supervisor process, its port and its log."""

    def __init__(self, process: asyncio.subprocess.Process, port: int, log: Path) -> None:
        self.process = process
        self.port = port
        self.log = log

    def child_processes(self) -> list[int]:
        """The API processes, and the supervisor's helpers (multiprocessing's resource tracker)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    async def answers(self) -> bool:
        try:
            async with httpx.AsyncClient() as http:
                await http.get(f"http://127.0.0.1:{self.port}/openapi.json")
        except httpx.TransportError:
            return False
        return True


Serve = Callable[..., Awaitable[Server]]


@pytest.fixture
async def serve(tmp_path: Path) -> AsyncIterator[Serve]:
    """`await serve(database_url, "--workers", "2")`: a started `serve`, stopped after the test."""
    started: list[Server] = []

    async def start(database_url: str, *arguments: str) -> Server:
        port = free_port()
        log = tmp_path / f"serve-{len(started)}.log"
        with log.open("w") as output:
            process = await asyncio.create_subprocess_exec(
                str(ORDER_TAKING),
                "serve",
                "--port",
                str(port),
                *arguments,
                cwd=REPOSITORY,
                env={
                    **os.environ,
                    "ORDER_TAKING_DATABASE_URL": database_url,
                    "ORDER_TAKING_EMBEDDED_WORKER": "false",
                    "ORDER_TAKING_LOG_LEVEL": "INFO",
                },
                stdout=output,
                stderr=output,
            )
        started.append(Server(process, port, log))
        return started[-1]

    yield start
    for server in started:
        if server.process.returncode is None:
            server.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(server.process.wait(), timeout=30)


def socket_of(pid: int, fd: int) -> socket.socket | None:
    """A copy of process `pid`'s file descriptor `fd` (pidfd_getfd), if it is a socket."""
    if not os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        copy = libc.syscall(SYS_PIDFD_GETFD, pidfd, fd, 0)
        if copy < 0:
            code = ctypes.get_errno()
            if code in (errno.EPERM, errno.ENOSYS):
                pytest.skip(f"pidfd_getfd not allowed here: {os.strerror(code)}")
            raise OSError(code, os.strerror(code))
    finally:
        os.close(pidfd)
    return socket.socket(fileno=copy)


def accepted_connection(server: Server, client: socket.socket) -> socket.socket:
    """The server's end of `client`'s connection, taken from whichever API process holds it."""
    for pid in server.child_processes():
        for fd in sorted(int(name) for name in os.listdir(f"/proc/{pid}/fd")):
            found = socket_of(pid, fd)
            if found is None:
                continue
            try:
                if found.family == socket.AF_INET and found.getpeername() == client.getsockname():
                    return found
            except OSError:  # a listening or unconnected socket
                pass
            found.close()
    raise AssertionError("no API process holds the connection")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and pidfd_getfd")
class TestServeWorkers:
    async def test_starts_on_an_empty_database_every_process_loading_the_catalog_at_once(
        self, serve: Serve, empty_database_url: str
    ) -> None:
        server: Server = await serve(empty_database_url, "--workers", "2")

        await eventually(server.answers, seconds=60, what="the server answers")

        async def both_started() -> bool:
            return server.log.read_text().count("Application startup complete") == 2

        await eventually(both_started, seconds=60, what="both API processes started")
        log = server.log.read_text()
        assert "Traceback" not in log, log
        database = Database(empty_database_url)
        try:
            async with database.transaction() as db:
                loaded = await catalog.read_catalog(db)
        finally:
            await database.dispose()
        demo = catalog.demo_catalog()
        assert len(loaded.eligibility_items) == len(demo.eligibility_items)
        assert {o.id for o in loaded.offerings} == {o.id for o in demo.offerings}

    async def test_accepted_connections_send_without_waiting_for_acks(
        self, serve: Serve, database_url: str
    ) -> None:
        server: Server = await serve(database_url, "--workers", "2")
        await eventually(server.answers, seconds=60, what="the server answers")

        with socket.create_connection(("127.0.0.1", server.port)) as client:
            request = f"GET /openapi.json HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n"
            client.sendall(request.encode())
            assert client.recv(64).startswith(b"HTTP/1.1 200")
            with accepted_connection(server, client) as accepted:
                nodelay = accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)

        assert nodelay != 0
