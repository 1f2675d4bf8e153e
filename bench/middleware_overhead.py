"""CPU time per line-detail request with and without the operations middlewares, in one process
(httpx's ASGI transport, no network): less noisy than wrk on a shared machine.

    .venv/bin/python bench/middleware_overhead.py [--requests 2000] [--rounds 5]
"""

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
from typing import Any

import httpx

from order_taking.app import create_app
from order_taking.clients.service import create_client
from order_taking.core.database import Database
from order_taking.core.migrate import upgrade
from order_taking.core.settings import Settings
from order_taking.operations.logs import JsonFormatter
from order_taking.operations.middleware import FailedAuthenticationLimit, RateLimit, RequestObserver

OURS = (RequestObserver, RateLimit, FailedAuthenticationLimit)
LINE = {
    "product_offering_id": "2173",
    "product_offering_qualification_item_id": "d5a4a9aa-ba2c-4f53-95c7-0c1ce6f6e7fa",
}


def variants(redis_url: str) -> dict[str, tuple[dict[str, Any], bool, int]]:
    """name: (settings, keep our middlewares, level of order_taking.access)."""
    off = {"rate_limit_per_second": 0, "auth_failure_per_second": 0}
    huge = {"rate_limit_per_second": 1e6, "rate_limit_burst": 1_000_000}
    return {
        "no ops middleware": (off | {"metrics": False}, False, logging.WARNING),
        "request id only": (off | {"metrics": False}, True, logging.WARNING),
        "+ metrics": (off, True, logging.WARNING),
        "+ metrics + JSON access line": (off, True, logging.INFO),
        "+ limiter in the database": (huge, True, logging.INFO),
        "+ limiter in Redis": (huge | {"redis_url": redis_url}, True, logging.INFO),
    }


async def measure(args: argparse.Namespace) -> None:
    directory = tempfile.mkdtemp()
    url = f"sqlite:///{directory}/bench.db"
    await asyncio.to_thread(upgrade, url)
    database = Database(url)
    async with database.transaction() as db:
        _, token = await create_client(db, "BENCH")
    base = Settings(database_url=url, embedded_worker=False)
    results: dict[str, list[float]] = {}
    line_path = ""
    for _ in range(args.rounds):
        for name, (changes, keep, level) in variants(args.redis_url).items():
            app = create_app(base.model_copy(update=changes), database)
            if not keep:
                app.user_middleware = [m for m in app.user_middleware if m.cls not in OURS]
            logging.getLogger("order_taking.access").setLevel(level)
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                headers = {"Authorization": f"Bearer {token}"}
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://bench", headers=headers
                ) as http:
                    if not line_path:
                        session = (await http.post("/api/v1/product_order/", json={})).json()
                        path = f"/api/v1/product_order/{session['id']}/product_order_item/"
                        line = (await http.post(path, json=LINE)).json()
                        line_path = f"/api/v1/product_order_item/{line['id']}/"
                    for _ in range(50):
                        await http.get(line_path)
                    started = time.process_time()
                    for _ in range(args.requests):
                        response = await http.get(line_path)
                    assert response.status_code == 200, response.text
                    spent = time.process_time() - started
            results.setdefault(name, []).append(spent / args.requests * 1e6)
    await database.dispose()
    reference = statistics.median(results["no ops middleware"])
    for name, per_request in results.items():
        median = statistics.median(per_request)
        rounds = " ".join(f"{value:.0f}" for value in per_request)
        print(f"{name:32} {median:7.0f} µs CPU/request (+{median - reference:4.0f})  [{rounds}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    # Access lines formatted as in production, written nowhere.
    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
