"""Prometheus metrics: requests, the job table, the process (and backend.metrics' calls).

Under `serve --workers N` every process writes its counters to PROMETHEUS_MULTIPROC_DIR (a fresh
directory `serve` makes), and any process answering a scrape adds them all up (prometheus-client's
multiprocess mode). The job table's gauges are read from the database at scrape time.
"""

import os
from collections.abc import Iterator
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED_ROUTE = "(unmatched)"

HTTP_REQUESTS = Counter(
    "order_taking_http_requests",
    "HTTP requests answered, by method, route template and status",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "order_taking_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template",
    ["method", "route"],
)


class RequestMetrics:
    """Counts one answered request; the labelled children are cached, as labels() takes a lock."""

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                HTTP_REQUESTS.labels(method, route, str(status)),
                HTTP_DURATION.labels(method, route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


class _Values(Collector):
    def __init__(self, metrics: list[Metric]) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        return iter(self.metrics)


def job_metrics(counts: dict[str, int], oldest_due_seconds: float) -> list[Metric]:
    jobs = GaugeMetricFamily(
        "order_taking_order_creation_jobs",
        "Confirmed lines waiting for their order, by state (due now, claimed, retrying later)",
        labels=["state"],
    )
    for state in ("due", "claimed", "retrying"):
        jobs.add_metric([state], counts.get(state, 0))
    oldest = GaugeMetricFamily(
        "order_taking_order_creation_oldest_due_seconds",
        "How long the oldest due line has been waiting for a worker (0 when none is due)",
        value=oldest_due_seconds,
    )
    return [jobs, oldest]


def scrape(extra: list[Metric]) -> bytes:
    """The text exposition of this process's (or, in multiprocess mode, all processes') metrics,
    the process metrics of the process answering, and `extra`."""
    if MULTIPROCESS_DIRECTORY in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        ProcessCollector(registry=registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    extra_registry = CollectorRegistry()
    extra_registry.register(_Values(extra))
    return text + generate_latest(extra_registry)
