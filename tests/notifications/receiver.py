"""A real HTTP receiver of webhooks on loopback: an asyncio server on an ephemeral port that
keeps every request it gets, and answers what the test tells it to."""

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """`status(request)` picks each answer (200 unless told); `hold(request)` True keeps the
    request unanswered until the connection closes (a hung receiver)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.status: Callable[[Received], int] = lambda _request: 200
        self.hold: Callable[[Received], bool] = lambda _request: False
        self.server: asyncio.Server | None = None
        self.connections: set[asyncio.StreamWriter] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            for writer in self.connections:
                writer.close()
            await self.server.wait_closed()

    def events(self) -> list[dict[str, Any]]:
        return [request.json() for request in self.received]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.add(writer)
        try:
            while request := await self._read(reader):
                self.received.append(request)
                if self.hold(request):
                    await reader.read()  # until the sender goes away
                    return
                status = self.status(request)
                writer.write(f"HTTP/1.1 {status} X\r\ncontent-length: 0\r\n\r\n".encode("ascii"))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.connections.discard(writer)
            writer.close()

    async def _read(self, reader: asyncio.StreamReader) -> Received | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return None
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in filter(None, header_lines):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        return Received(path=request_line.split(" ")[1], headers=headers, body=body)
