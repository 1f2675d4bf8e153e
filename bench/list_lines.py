"""Latency of the line list searched and sorted newest first, against a running service.

Starts nothing: give it the URL of a service and a client's token, e.g. after
`order-taking demo load --lines 100000` (which prints the token) and `order-taking serve`:

    .venv/bin/python bench/list_lines.py --base-url http://127.0.0.1:8000 --token TOKEN

It sends REQUESTS sequential `GET /api/v1/product_order_item/?search=<term>&sort=-creation_date`,
cycling through realistic terms (names, cities, streets, postcodes, external ids, and the exact
reference of a line of the client), after one unmeasured round to warm up, and prints the
p50, p95 and max of the response times.
"""

import argparse
import statistics
import sys
import time
from itertools import cycle

import httpx

# Words the demo data holds, as a client would type them.
TERMS = [
    "rouen",
    "Boulangerie",
    "martin",
    "pharmacie moreau",
    "Rue Victor Hugo",
    "75008",
    "EXT-00421",
    "lyon",
    "garage",
    "Léa",
]
PATH = "/api/v1/product_order_item/"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def a_reference(http: httpx.Client) -> str:
    """The reference of a line some way down the list: an exact-reference search."""
    response = http.get(PATH, params={"limit": 1, "offset": 500})
    response.raise_for_status()
    items = response.json()["items"] or http.get(PATH, params={"limit": 1}).json()["items"]
    if not items:
        sys.exit("the client has no order line: load some with `order-taking demo load`")
    reference: str = items[0]["order_reference"]
    return reference


def search(http: httpx.Client, term: str) -> tuple[float, int]:
    """Seconds taken, and the count of lines found."""
    started = time.perf_counter()
    response = http.get(PATH, params={"search": term, "sort": "-creation_date"})
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    count: int = response.json()["count"]
    return elapsed, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="a client's bearer token")
    parser.add_argument("--requests", type=int, default=300, help="measured requests")
    arguments = parser.parse_args()

    headers = {"Authorization": f"Bearer {arguments.token}"}
    with httpx.Client(base_url=arguments.base_url, headers=headers, timeout=30) as http:
        terms = [*TERMS, a_reference(http)]
        found = {term: search(http, term)[1] for term in terms}  # warm-up, not measured
        rounds = zip(cycle(terms), range(arguments.requests))
        samples = [search(http, term)[0] for term, _ in rounds]

    for term in terms:
        print(f"  {term!r}: {found[term]} lines")
    milliseconds = [sample * 1000 for sample in samples]
    print(
        f"{len(samples)} requests GET {PATH}?search=<term>&sort=-creation_date: "
        f"p50 {statistics.median(milliseconds):.1f} ms, "
        f"p95 {percentile(milliseconds, 0.95):.1f} ms, "
        f"max {max(milliseconds):.1f} ms"
    )


if __name__ == "__main__":
    main()
