"""The request observer alone (request id, metrics, JSON access line), around an endpoint that
does nothing: µs per request, the rest of the app left out.

    .venv/bin/python bench/observer_overhead.py
"""

import asyncio
import logging
import os
import statistics
import time
from typing import Any

from order_taking.operations.logs import JsonFormatter, install_request_ids
from order_taking.operations.middleware import RequestObserver

REQUESTS = 20000


class Route:
    path = "/api/v1/product_order_item/{item_id}/"


async def endpoint(scope: Any, receive: Any, send: Any) -> None:
    scope["route"] = Route  # as FastAPI's router does
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def send(message: Any) -> None:
    pass


async def receive() -> Any:
    return {"type": "http.request", "body": b""}


def scope() -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": "/api/v1/product_order_item/x/",
        "headers": [(b"authorization", b"Bearer abc"), (b"host", b"h")],
        "client": ("127.0.0.1", 1),
    }


async def per_request(app: Any) -> float:
    started = time.perf_counter()
    for _ in range(REQUESTS):
        await app(scope(), receive, send)
    return (time.perf_counter() - started) / REQUESTS * 1e6


def log_nowhere() -> None:
    """Access lines formatted as in production, written nowhere."""
    install_request_ids()
    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)


async def main() -> None:
    access = logging.getLogger("order_taking.access")
    variants = [
        ("endpoint alone", endpoint, logging.WARNING),
        ("+ request id", RequestObserver(endpoint, metrics=False), logging.WARNING),
        ("+ metrics", RequestObserver(endpoint, metrics=True), logging.WARNING),
        ("+ JSON access line", RequestObserver(endpoint, metrics=True), logging.INFO),
    ]
    results: dict[str, list[float]] = {}
    for _ in range(5):
        for name, app, level in variants:
            access.setLevel(level)
            results.setdefault(name, []).append(await per_request(app))
    for name, values in results.items():
        rounds = " ".join(f"{value:.1f}" for value in values)
        print(f"{name:20} {statistics.median(values):6.1f} µs/request  [{rounds}]")


if __name__ == "__main__":
    log_nowhere()
    asyncio.run(main())
