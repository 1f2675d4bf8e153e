"""Request ids and log lines: the id comes back in the response and is on every line of its
request, and on the worker's lines about the lines its confirm queued; one JSON object a line;
never a token, a password, an e-mail or a phone number."""

import json
import logging
from pathlib import Path

import httpx
import pytest

from order_taking.backend.metrics import MeasuredBackend
from order_taking.core.database import Database
from order_taking.core.settings import Settings
from order_taking.operations.logs import JsonFormatter, logging_config
from order_taking.operations.middleware import sane_request_id
from tests.backend.backends import Flaky
from tests.backend.conftest import WorkerFactory
from tests.conftest import AppClient, ClientFactory
from tests.ordering.factories import SPEC_CONTACT, confirm, create_session_with_line


class TestRequestId:
    async def test_a_sane_client_id_comes_back(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/api/v1/product_order/", headers={"X-Request-ID": "abc-123"})
        assert response.headers["x-request-id"] == "abc-123"

    @pytest.mark.parametrize("sent", ["x" * 129, "with space", "é", ""])
    async def test_an_insane_one_is_replaced(self, api: httpx.AsyncClient, sent: str) -> None:
        headers = {"X-Request-ID": sent.encode("utf-8")}
        response = await api.get("/api/v1/product_order/", headers=headers)
        assert response.headers["x-request-id"] != sent
        assert len(response.headers["x-request-id"]) == 32

    def test_sane_means_1_to_128_visible_ascii_characters(self) -> None:
        assert sane_request_id(b"~" * 128) == "~" * 128
        assert sane_request_id(b"a\tb") is None

    async def test_every_line_of_a_request_carries_its_id(
        self, app_client: AppClient, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        away = Database(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
        try:
            http = await app_client(database=away, demo_catalog=False)
            with caplog.at_level(logging.DEBUG):
                response = await http.get(
                    "/api/v1/product_order/",
                    headers={"X-Request-ID": "req-7", "Authorization": "Bearer x"},
                )
        finally:
            await away.dispose()
        assert response.status_code == 503
        lines = [r for r in caplog.records if r.name.startswith("order_taking")]
        assert {r.name for r in lines} >= {"order_taking.core.errors", "order_taking.access"}
        assert {r.request_id for r in lines} == {"req-7"}  # type: ignore[attr-defined]

    async def test_the_workers_lines_carry_the_confirms_id(
        self,
        api: httpx.AsyncClient,
        make_worker: WorkerFactory,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        session, line = await create_session_with_line(api)
        confirmed = await api.patch(
            f"/api/v1/product_order/{session['id']}/confirm/", headers={"X-Request-ID": "conf-1"}
        )
        assert confirmed.status_code == 200
        with caplog.at_level(logging.INFO):
            await make_worker(MeasuredBackend(Flaky(failures=1))).run_once()
        about_the_line = [r for r in caplog.records if r.name.startswith("order_taking.backend")]
        assert {r.getMessage().split(":")[0] for r in about_the_line} == {"line " + line["id"]}
        assert len(about_the_line) == 2  # the call, then its retry
        assert {r.request_id for r in about_the_line} == {"conf-1"}  # type: ignore[attr-defined]


class TestFormat:
    async def test_json_has_the_documented_fields(
        self, api: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.INFO, logger="order_taking.access"):
            await api.get("/api/v1/product_order_item/", headers={"X-Request-ID": "j-1"})
        (record,) = [r for r in caplog.records if r.name == "order_taking.access"]
        line = json.loads(JsonFormatter().format(record))
        assert line["request_id"] == "j-1"
        assert line["route"] == "/api/v1/product_order_item/"
        assert line["status"] == 200
        assert line["method"] == "GET"
        assert {"time", "level", "logger", "message", "client", "duration_ms"} <= set(line)

    def test_the_setting_chooses_the_formatter(self) -> None:
        json_config = logging_config(Settings(log_format="json"))
        text_config = logging_config(Settings(log_format="text"))
        assert json_config["formatters"]["order_taking"]["()"].endswith("JsonFormatter")
        assert "%(request_id)s" in text_config["formatters"]["order_taking"]["format"]

    async def test_health_is_not_logged_at_info(
        self, api: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.DEBUG, logger="order_taking.access"):
            await api.get("/healthz")
        (record,) = [r for r in caplog.records if r.name == "order_taking.access"]
        assert record.levelno == logging.DEBUG


async def test_no_secret_in_any_log_line(
    make_client: ClientFactory,
    make_worker: WorkerFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = await make_client("DC173")
    token = api.headers["Authorization"].removeprefix("Bearer ")
    with caplog.at_level(logging.DEBUG):
        session, line = await create_session_with_line(api)
        email = SPEC_CONTACT["contact1_email_address"]
        await api.get("/api/v1/product_order_item/", params={"search": email})
        await api.patch(
            f"/api/v1/product_order/{session['id']}/product_order_item/{line['id']}/",
            json={"related_contact_information": [{"contact1_phone_number": "not a phone"}]},
        )
        await confirm(api, session["id"])
        await make_worker(MeasuredBackend(Flaky(failures=1))).run_once()
        await make_worker(MeasuredBackend(Flaky(failures=0))).run_once()
    written = "\n".join(
        JsonFormatter().format(r) + logging.Formatter().format(r) for r in caplog.records
    )
    assert "order_taking.access" in written
    secrets = [token, "not a phone"]
    secrets += [SPEC_CONTACT[f"contact{n}_email_address"] for n in (1, 2)]
    secrets += [SPEC_CONTACT[f"contact{n}_phone_number"] for n in (1, 2)]
    for secret in secrets:
        assert secret not in written
