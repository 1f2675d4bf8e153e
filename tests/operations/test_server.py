"""`order-taking worker --health-port P`: /healthz, /readyz and /metrics of a worker process."""

from pathlib import Path

from tests.operations.processes import free_port, serving


async def test_a_worker_serves_health_and_metrics(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    async with serving(
        "worker",
        "--health-port",
        str(port),
        port=port,
        log=tmp_path / "worker.log",
        environment={"ORDER_TAKING_DATABASE_URL": database_url},
    ) as (process, http):
        assert (await http.get("/readyz")).json() == {"status": "ok"}
        scraped = (await http.get("/metrics")).text
    assert process.returncode == 0  # stopped by SIGTERM, cleanly
    assert 'order_taking_backend_calls_total{outcome="created"}' in scraped
    assert 'order_taking_order_creation_jobs{state="due"}' in scraped
    assert "process_cpu_seconds_total" in scraped
