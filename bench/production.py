"""The hot paths against a running service in its production mode (`serve --workers N`).

Starts nothing: give it the URL of a service and a client's token, e.g. after
`order-taking demo load --lines 100000` (which prints the token) and
`ORDER_TAKING_EMBEDDED_WORKER=false order-taking serve --workers 2`:

    .venv/bin/python bench/production.py --base-url http://127.0.0.1:8000 --token TOKEN

On one connection (sequential requests, keep-alive) it prints the p50 and p95 of line detail,
the line list filtered by reference, and the first page of the list: a wait of the kind of the
~40 ms delayed ACK shows at once there. Then, with CONCURRENCY connections for SECONDS each, the
requests per second of line detail and of line creation in one session.
"""

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable, Coroutine
from typing import Any

import httpx

LINES = "/api/v1/product_order_item/"
SESSIONS = "/api/v1/product_order/"
# A line the demo catalog accepts (the documentation's example).
LINE = {
    "product_offering_id": "2173",
    "product_offering_qualification_item_id": "d5a4a9aa-ba2c-4f53-95c7-0c1ce6f6e7fa",
    "customer_order_name": "bench",
    "enni": "AZ001234",
}

Request = Callable[[httpx.AsyncClient], Coroutine[Any, Any, httpx.Response]]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def latency(http: httpx.AsyncClient, name: str, request: Request, requests: int) -> None:
    (await request(http)).raise_for_status()  # warm-up
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await request(http)
        samples.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    print(
        f"  {name:<24} c=1   p50 {statistics.median(samples):6.1f} ms   "
        f"p95 {percentile(samples, 0.95):6.1f} ms",
        flush=True,
    )


async def throughput(
    base_url: str, headers: dict[str, str], name: str, request: Request, args: Any
) -> None:
    done = errors = 0
    deadline = time.monotonic() + args.seconds

    async def connection() -> None:
        nonlocal done, errors
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as http:
            while time.monotonic() < deadline:
                response = await request(http)
                done += 1
                errors += response.status_code >= 400

    started = time.monotonic()
    await asyncio.gather(*(connection() for _ in range(args.concurrency)))
    rate = done / (time.monotonic() - started)
    print(f"  {name:<24} c={args.concurrency:<3} {rate:7.1f} req/s   errors {errors}", flush=True)


async def run(args: Any) -> None:
    headers = {"Authorization": f"Bearer {args.token}"}
    async with httpx.AsyncClient(base_url=args.base_url, headers=headers, timeout=30) as http:
        page = (await http.get(LINES, params={"limit": 1, "offset": 500})).json()["items"]
        page = page or (await http.get(LINES, params={"limit": 1})).json()["items"]
        if not page:
            raise SystemExit("the client has no order line: load some with `order-taking demo load`")
        line = page[0]
        session = (await http.post(SESSIONS, json={})).json()

        def detail(h: httpx.AsyncClient) -> Coroutine[Any, Any, httpx.Response]:
            return h.get(f"{LINES}{line['id']}/")

        def filtered(h: httpx.AsyncClient) -> Coroutine[Any, Any, httpx.Response]:
            reference = line["order_reference"]
            return h.get(LINES, params={"order_reference": reference, "sort": "-creation_date"})

        def first_page(h: httpx.AsyncClient) -> Coroutine[Any, Any, httpx.Response]:
            return h.get(LINES, params={"limit": 50})

        def create(h: httpx.AsyncClient) -> Coroutine[Any, Any, httpx.Response]:
            return h.post(f"{SESSIONS}{session['id']}/product_order_item/", json=LINE)

        await latency(http, "line detail", detail, args.requests)
        await latency(http, "line list, by reference", filtered, args.requests)
        await latency(http, "line list, first page", first_page, args.requests)
    await throughput(args.base_url, headers, "line detail", detail, args)
    await throughput(args.base_url, headers, "line creation", create, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="a client's bearer token")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests each")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
