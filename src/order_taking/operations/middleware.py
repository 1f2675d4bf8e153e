"""Pure ASGI middlewares (BaseHTTPMiddleware costs far more per request): the request id, the
access line and the request metrics in one pass; the rate limit."""

import hashlib
import logging
import time
import uuid
from re import Pattern
from typing import Any

from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from order_taking.core.context import request_id
from order_taking.core.errors import RateLimited, error_response
from order_taking.core.ratelimit import RateLimiter
from order_taking.operations.endpoints import OPERATIONS_PATHS
from order_taking.operations.metrics import UNMATCHED_ROUTE, RequestMetrics

access_log = logging.getLogger("order_taking.access")
log = logging.getLogger(__name__)

REQUEST_ID_HEADER = b"x-request-id"
MAX_REQUEST_ID_LENGTH = 128


def sane_request_id(value: bytes | None) -> str | None:
    """A client's id, if it is 1 to 128 visible ASCII characters."""
    if value and len(value) <= MAX_REQUEST_ID_LENGTH and all(0x21 <= c <= 0x7E for c in value):
        return value.decode("ascii")
    return None


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else _documented_template(scope)


def _documented_template(scope: Scope) -> str:
    """The template of a request answered before routing (429): from the OpenAPI paths, compiled
    once per app; never the raw path, whose ids would make a label per line."""
    app = scope["app"]
    templates: list[tuple[Pattern[str], str]] | None = getattr(app.state, "route_templates", None)
    if templates is None:
        paths = app.openapi().get("paths", {})
        templates = [(compile_path(template)[0], template) for template in paths]
        app.state.route_templates = templates
    for pattern, template in templates:
        if pattern.match(scope["path"]):
            return template
    return UNMATCHED_ROUTE


class RequestObserver:
    """Gives each request its id (the client's sane X-Request-ID, or a new one) for every log line
    written meanwhile and for the response; then writes its access line and counts it.

    It sits inside the routing's scope: FastAPI records the matched route in the scope, so the
    line and the metrics name the path template, never a raw path with ids.
    """

    def __init__(self, app: ASGIApp, *, metrics: bool) -> None:
        self.app = app
        self.metrics = RequestMetrics() if metrics else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = sane_request_id(_header(scope, REQUEST_ID_HEADER)) or uuid.uuid4().hex
        encoded = rid.encode("ascii")
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (REQUEST_ID_HEADER, encoded)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._observe(scope, status, time.perf_counter() - started)
            request_id.reset(token)

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        method, route = scope["method"], _route(scope)
        if self.metrics is not None:
            self.metrics.observe(method, route, status, seconds)
        level = logging.DEBUG if scope["path"] in OPERATIONS_PATHS else logging.INFO
        if access_log.isEnabledFor(level):
            client = scope.get("client")
            duration_ms = round(seconds * 1000, 2)
            access_log.log(
                level,
                "%s %s %d %.2fms",
                method,
                route,
                status,
                duration_ms,
                extra={
                    "client": client[0] if client else None,
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )


class RateLimit:
    """429 `rate_limited` with Retry-After past the allowance of a token (or, without one, of an
    address), counted where every API process sees it (core.ratelimit)."""

    def __init__(self, app: ASGIApp, *, rate_per_second: float, burst: int) -> None:
        self.app = app
        self.rate_per_second = rate_per_second
        self.burst = burst

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            wait = await _take_or_allow(scope, _caller(scope), self.rate_per_second, self.burst)
            if wait > 0:
                await too_many_requests(wait)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class FailedAuthenticationLimit:
    """Repeated failed authentications from one address are slowed like excess requests: past
    the allowance, a 401 becomes 429 with Retry-After.

    Counted when the 401 starts, after the request's transaction has ended (on SQLite the
    counter's own write transaction would wait for it otherwise).
    """

    def __init__(self, app: ASGIApp, *, rate_per_second: float, burst: int) -> None:
        self.app = app
        self.rate_per_second = rate_per_second
        self.burst = burst

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = False

        async def send_or_refuse(message: Message) -> None:
            nonlocal refused
            if refused:
                return  # the 401's body, replaced by the 429's
            if message["type"] == "http.response.start" and message["status"] == 401:
                wait = await _take_or_allow(
                    scope, "auth-failure:" + client_address(scope), self.rate_per_second, self.burst
                )
                if wait > 0:
                    refused = True
                    why = "Too many failed authentications from this address"
                    await too_many_requests(wait, why)(scope, receive, send)
                    return
            await send(message)

        await self.app(scope, receive, send_or_refuse)


async def _take_or_allow(scope: Scope, key: str, rate_per_second: float, burst: int) -> float:
    limiter: RateLimiter = scope["app"].state.rate_limiter
    try:
        return await limiter.take(key, rate_per_second, burst)
    except Exception as error:  # the counters' store is away: serve rather than refuse
        log.warning("rate limit not checked: %s", type(error).__name__)
        return 0.0


def _caller(scope: Scope) -> str:
    authorization = _header(scope, b"authorization")
    if authorization:
        # A digest, never the token itself, is what the counters' store sees.
        return "token:" + hashlib.blake2b(authorization, digest_size=16).hexdigest()
    return "address:" + client_address(scope)


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def too_many_requests(wait: float, message: str = "Too many requests") -> Any:
    error = RateLimited(wait, message)
    return error_response(error.status_code, error.body(), error.headers())
