"""Latency of the back office's dashboard and line search, against a running service.

Starts nothing: give it the URL of a service and an operator's token, e.g. on a fresh PostgreSQL
database after `order-taking demo load --lines 100000`, `order-taking operators create bench` and
`order-taking serve`:

    .venv/bin/python bench/backoffice.py --base-url http://127.0.0.1:8000 --token TOKEN

It signs in as a browser does, then sends REQUESTS sequential requests of each kind, after one
unmeasured round to warm up: the dashboard, the line search across clients (cycling through the
terms of bench/list_lines.py), and the search filtered on a state; it prints the p50, p95 and
max of each.
"""

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable

import httpx

# Run as a script: bench/ is on the path.
from list_lines import TERMS, percentile

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(http: httpx.Client, token: str) -> None:
    form = http.get("/backoffice/sign-in")
    found = CSRF_FIELD.search(form.text)
    if found is None:
        sys.exit("no sign-in form at /backoffice/sign-in")
    response = http.post("/backoffice/sign-in", data={"token": token, "csrf_token": found.group(1)})
    if response.status_code != 303:
        sys.exit(f"sign-in refused ({response.status_code}): is it an operator's token?")


def timed(http: httpx.Client, path: str, params: dict[str, str]) -> float:
    started = time.perf_counter()
    response = http.get(path, params=params)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        sys.exit(f"GET {path} {params} answered {response.status_code}")
    return elapsed


def measure(name: str, requests: int, request: Callable[[int], float]) -> None:
    for number in range(len(TERMS)):  # warm-up, not measured
        request(number)
    milliseconds = [request(number) * 1000 for number in range(requests)]
    print(
        f"{requests} requests {name}: p50 {statistics.median(milliseconds):.1f} ms, "
        f"p95 {percentile(milliseconds, 0.95):.1f} ms, max {max(milliseconds):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="an operator's token")
    parser.add_argument("--requests", type=int, default=200, help="measured requests of each")
    arguments = parser.parse_args()

    with httpx.Client(base_url=arguments.base_url, timeout=30) as http:
        sign_in(http, arguments.token)
        terms = TERMS
        measure("GET /backoffice/", arguments.requests, lambda _: timed(http, "/backoffice/", {}))
        measure(
            "GET /backoffice/lines?search=<term>",
            arguments.requests,
            lambda n: timed(http, "/backoffice/lines", {"search": terms[n % len(terms)]}),
        )
        measure(
            "GET /backoffice/lines?search=<term>&state=held_adv_validation",
            arguments.requests,
            lambda n: timed(
                http,
                "/backoffice/lines",
                {"search": terms[n % len(terms)], "state": "held_adv_validation"},
            ),
        )
        measure(
            "GET /backoffice/lines (no search)",
            arguments.requests,
            lambda _: timed(http, "/backoffice/lines", {}),
        )


if __name__ == "__main__":
    main()
