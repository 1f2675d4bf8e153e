"""HTTP plumbing shared by every feature: the request's transaction, paths, body size."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from order_taking.core.database import Database
from order_taking.core.errors import MalformedRequest, PayloadTooLarge, error_response


def database(request: Request) -> Database:
    db: Database = request.app.state.database
    return db


# What a request of these methods does is read, never write (the API's GETs).
READ_METHODS = frozenset({"GET", "HEAD"})


async def _transaction(request: Request) -> AsyncIterator[AsyncSession]:
    db = database(request)
    unit = db.reading() if request.method in READ_METHODS else db.transaction()
    async with unit as session:
        yield session


# scope="function": the commit happens before the response is sent, so a client never sees a
# success whose data then failed to commit.
Transaction = Annotated[AsyncSession, Depends(_transaction, scope="function")]


async def _no_null_body(request: Request) -> None:
    """A body that may be left out is still an object when sent: JSON `null` is refused too."""
    if (await request.body()).strip() == b"null":
        raise MalformedRequest("The request body must be a JSON object.")


# For an endpoint whose body is optional (FastAPI reads both no body and `null` as None).
NoNullBody = Depends(_no_null_body)


class TrailingSlash:
    """Every API path answers with and without its trailing slash, without a redirect."""

    def __init__(self, app: ASGIApp, prefix: str = "/api/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if path.startswith(self.prefix) and not path.endswith("/"):
                scope = {**scope, "path": path + "/"}
        await self.app(scope, receive, send)


class BodySizeLimit:
    """Refuses a body over the limit with 413, from Content-Length or while it streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise PayloadTooLarge(self._message())
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except PayloadTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = PayloadTooLarge(self._message()).body()
        await error_response(413, body, {"Connection": "close"})(scope, receive, send)

    def _message(self) -> str:
        return f"The request body is larger than {self.max_bytes} bytes."
