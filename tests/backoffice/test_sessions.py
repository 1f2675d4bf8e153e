"""Signing in and out of the back office: server-side sessions, their cookie, the idle timeout."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from order_taking.backoffice.models import BackofficeSession
from order_taking.core.database import Database
from order_taking.core.settings import get_settings
from tests.backend.conftest import Clock
from tests.backoffice.conftest import csrf_token, post_form, sign_in

PAGES = ["/backoffice/", "/backoffice/lines", "/backoffice/clients", "/backoffice/lines/some-id"]
FORMS = [
    "/backoffice/sign-out",
    "/backoffice/lines/some-id/release",
    "/backoffice/lines/some-id/cancel",
    "/backoffice/lines/some-id/complete",
]


def set_cookie_header(response: httpx.Response, name: str) -> str:
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert headers, f"no {name} cookie set"
    return headers[0]


class TestWithoutSession:
    @pytest.mark.parametrize("path", PAGES)
    async def test_a_page_redirects_to_the_sign_in(
        self, office: httpx.AsyncClient, path: str
    ) -> None:
        response = await office.get(path)

        assert response.status_code == 303
        assert response.headers["location"] == "/backoffice/sign-in"

    @pytest.mark.parametrize("path", FORMS)
    async def test_a_form_redirects_to_the_sign_in(
        self, office: httpx.AsyncClient, path: str
    ) -> None:
        response = await office.post(path, data={"csrf_token": "x", "reason": "r"})

        assert response.status_code == 303
        assert response.headers["location"] == "/backoffice/sign-in"

    async def test_the_back_office_without_its_slash_is_the_dashboard(
        self, office: httpx.AsyncClient
    ) -> None:
        response = await office.get("/backoffice")

        assert response.status_code == 303
        assert response.headers["location"] == "/backoffice/"

    async def test_an_unknown_cookie_redirects_too(self, office: httpx.AsyncClient) -> None:
        office.cookies.set("backoffice_session", "forged", path="/backoffice")

        response = await office.get("/backoffice/")

        assert response.status_code == 303

    async def test_the_sign_in_page_has_the_token_field_and_button(
        self, office: httpx.AsyncClient
    ) -> None:
        response = await office.get("/backoffice/sign-in")

        assert response.status_code == 200
        assert '<label for="token">Operator token</label>' in response.text
        assert '<button type="submit">Sign in</button>' in response.text


class TestSignIn:
    async def test_an_operator_token_opens_a_session(
        self, office: httpx.AsyncClient, operator_token: str
    ) -> None:
        response = await sign_in(office, operator_token)

        assert response.status_code == 303
        assert response.headers["location"] == "/backoffice/"
        dashboard = await office.get("/backoffice/")
        assert dashboard.status_code == 200
        assert "Marie ADV" in dashboard.text

    async def test_an_unknown_token_is_refused(self, office: httpx.AsyncClient) -> None:
        response = await sign_in(office, "not-a-token")

        assert response.status_code == 401
        assert "Unknown operator token." in response.text
        assert (await office.get("/backoffice/")).status_code == 303

    async def test_a_clients_token_is_refused(
        self, office: httpx.AsyncClient, api: httpx.AsyncClient
    ) -> None:
        client_token = api.headers["Authorization"].removeprefix("Bearer ")

        response = await sign_in(office, client_token)

        assert response.status_code == 401

    async def test_a_sign_in_without_the_forms_token_is_refused(
        self, office: httpx.AsyncClient, operator_token: str
    ) -> None:
        response = await office.post("/backoffice/sign-in", data={"token": operator_token})

        assert response.status_code == 403
        assert (await office.get("/backoffice/")).status_code == 303

    async def test_the_cookie_is_http_only_strict_and_not_secure_on_loopback(
        self, office: httpx.AsyncClient, operator_token: str
    ) -> None:
        response = await sign_in(office, operator_token)

        cookie = set_cookie_header(response, "backoffice_session").lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        assert "path=/backoffice" in cookie
        assert "secure" not in cookie.replace("samesite", "")

    async def test_the_cookie_is_secure_on_any_other_host(
        self, app: FastAPI, operator_token: str
    ) -> None:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            base_url="https://backoffice.example.net",
        ) as http:
            response = await sign_in(http, operator_token)

        cookie = set_cookie_header(response, "backoffice_session").lower()
        assert "; secure" in cookie
        assert "httponly" in cookie
        assert "samesite=strict" in cookie


class TestSignOut:
    async def test_ends_the_session_on_the_server(self, staff: httpx.AsyncClient) -> None:
        cookie = staff.cookies["backoffice_session"]

        response = await post_form(staff, "/backoffice/", "/backoffice/sign-out")

        assert response.status_code == 303
        assert response.headers["location"] == "/backoffice/sign-in"
        staff.cookies.set("backoffice_session", cookie, path="/backoffice")
        assert (await staff.get("/backoffice/")).status_code == 303

    async def test_needs_the_sessions_csrf_token(self, staff: httpx.AsyncClient) -> None:
        response = await staff.post("/backoffice/sign-out", data={"csrf_token": "forged"})

        assert response.status_code == 403
        assert (await staff.get("/backoffice/")).status_code == 200


class TestIdleTimeout:
    async def test_a_session_unused_for_the_idle_time_ends(
        self, staff: httpx.AsyncClient, clock: Clock
    ) -> None:
        clock.advance(get_settings().backoffice_idle_minutes * 60 + 1)

        response = await staff.get("/backoffice/")

        assert response.status_code == 303
        assert response.headers["location"] == "/backoffice/sign-in"

    async def test_the_next_sign_in_deletes_the_idle_sessions(
        self, staff: httpx.AsyncClient, operator_token: str, clock: Clock, database: Database
    ) -> None:
        clock.advance(get_settings().backoffice_idle_minutes * 60 + 1)

        await sign_in(staff, operator_token)

        async with database.transaction() as db:
            assert await db.scalar(select(func.count()).select_from(BackofficeSession)) == 1
        assert (await staff.get("/backoffice/")).status_code == 200

    async def test_each_page_seen_keeps_the_session_alive(
        self, staff: httpx.AsyncClient, clock: Clock
    ) -> None:
        idle = get_settings().backoffice_idle_minutes * 60
        for _ in range(3):
            clock.advance(idle - 5)
            assert (await staff.get("/backoffice/")).status_code == 200

    async def test_the_last_use_is_written_once_a_minute_at_most(
        self, staff: httpx.AsyncClient, clock: Clock, database: Database
    ) -> None:
        async def last_seen() -> object:
            async with database.transaction() as db:
                return await db.scalar(select(BackofficeSession.last_seen_at))

        signed_in_at = await last_seen()
        clock.advance(30)
        await staff.get("/backoffice/")
        assert await last_seen() == signed_in_at

        clock.advance(31)
        await staff.get("/backoffice/")
        assert await last_seen() != signed_in_at


class TestPageHeaders:
    async def test_pages_allow_only_the_services_own_origin(
        self, office: httpx.AsyncClient
    ) -> None:
        response = await office.get("/backoffice/sign-in")

        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"

    async def test_no_page_has_inline_script_or_style(self, staff: httpx.AsyncClient) -> None:
        for path in PAGES[:3]:
            html = (await staff.get(path)).text
            assert "<script" not in html
            assert "<style" not in html
            assert " style=" not in html

    async def test_the_style_sheet_is_served_by_the_service(
        self, office: httpx.AsyncClient
    ) -> None:
        response = await office.get("/backoffice/static/backoffice.css")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/css")
        assert "default-src 'self'" in response.headers["content-security-policy"]

    async def test_pages_are_not_kept_in_caches(self, staff: httpx.AsyncClient) -> None:
        assert (await staff.get("/backoffice/")).headers["cache-control"] == "no-store"

    async def test_every_form_of_a_session_carries_its_csrf_token(
        self, staff: httpx.AsyncClient
    ) -> None:
        html = (await staff.get("/backoffice/")).text

        assert csrf_token(html)
