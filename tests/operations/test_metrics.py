"""/metrics: requests by route template, the job table read at scrape time, the back end's calls,
the process; summed across the processes of `serve --workers N`."""

import os
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from order_taking.backend.metrics import MeasuredBackend
from tests.backend.backends import Scripted
from tests.backend.conftest import WorkerFactory
from tests.backend.factories import confirmed_session
from tests.conftest import AppClient
from tests.operations.processes import free_port, serving


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


async def test_requests_are_counted_by_route_template(api: httpx.AsyncClient) -> None:
    before = (await api.get("/metrics")).text
    await api.get("/api/v1/product_order_item/3fa85f64-5717-4562-b3fc-2c963f66afa6")
    scraped = (await api.get("/metrics")).text
    route = "/api/v1/product_order_item/{item_id}/"
    labels = {"method": "GET", "route": route, "status": "404"}
    counted = value(scraped, "order_taking_http_requests_total", **labels)
    assert counted == value(before, "order_taking_http_requests_total", **labels) + 1
    assert value(
        scraped, "order_taking_http_request_duration_seconds_count", method="GET", route=route
    )
    assert "3fa85f64" not in scraped


async def test_jobs_are_read_from_the_database_at_scrape_time(
    api: httpx.AsyncClient, make_worker: WorkerFactory
) -> None:
    await confirmed_session(api, "", "")
    scraped = (await api.get("/metrics")).text
    assert value(scraped, "order_taking_order_creation_jobs", state="due") == 2
    assert value(scraped, "order_taking_order_creation_jobs", state="claimed") == 0
    assert value(scraped, "order_taking_order_creation_oldest_due_seconds") >= 0

    created_before = value(scraped, "order_taking_backend_calls_total", outcome="created")
    await make_worker(MeasuredBackend(Scripted())).run_once()
    scraped = (await api.get("/metrics")).text
    assert value(scraped, "order_taking_order_creation_jobs", state="due") == 0
    assert (
        value(scraped, "order_taking_backend_calls_total", outcome="created") == created_before + 2
    )
    assert value(scraped, "order_taking_backend_call_duration_seconds_count") >= 2
    assert "process_cpu_seconds_total" in scraped


async def test_metrics_can_be_turned_off(app_client: AppClient) -> None:
    http = await app_client(metrics=False)
    assert (await http.get("/metrics")).status_code == 404


async def test_serve_with_workers_adds_up_its_processes(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    environment = {
        "ORDER_TAKING_DATABASE_URL": database_url,
        "ORDER_TAKING_EMBEDDED_WORKER": "false",
        "TMPDIR": str(tmp_path),
    }
    async with serving(
        *("serve", "--port", str(port), "--workers", "2"),
        port=port,
        log=tmp_path / "serve.log",
        environment=environment,
    ) as (_, http):
        for _ in range(40):  # new connections: both processes answer some
            async with httpx.AsyncClient(base_url=http.base_url) as one_off:
                await one_off.get("/healthz")
        scrapes = [(await http.get("/metrics")).text for _ in range(4)]
    labels = {"method": "GET", "route": "/healthz", "status": "200"}
    counts = {value(text, "order_taking_http_requests_total", **labels) for text in scrapes}
    assert min(counts) >= 41  # every process's requests, whichever process answered
    left = [name for name in os.listdir(tmp_path) if name.startswith("order-taking-metrics-")]
    assert not left, "serve removes its metrics directory"
