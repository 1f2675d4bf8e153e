"""/backoffice/: the staff's pages, rendered on the server; thin endpoints over backoffice.service.

Every page but the sign-in needs a session (else a redirect to the sign-in); every form that
changes something carries the session's CSRF token, checked here before anything is done.
"""

import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from importlib.resources import files
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from order_taking.backoffice import service
from order_taking.backoffice.service import SignedIn
from order_taking.core.errors import ApiError
from order_taking.core.http import Transaction
from order_taking.core.time import now
from order_taking.ordering import operator_service
from order_taking.ordering.operator_schemas import Cancellation
from order_taking.ordering.states import LineState

PREFIX = "/backoffice"
SESSION_COOKIE = "backoffice_session"
# Sign-in's own CSRF token (no session yet): a cookie the form must repeat.
SIGN_IN_COOKIE = "backoffice_sign_in"
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# Pages show the orders of every client: no copy is kept (the style sheet may be).
PAGE_HEADERS = {**HEADERS, "Cache-Control": "no-store"}
_PACKAGE = files("order_taking.backoffice")
templates = Environment(
    loader=FileSystemLoader(str(_PACKAGE / "templates")), autoescape=True, auto_reload=False
)

templates.filters.update(
    local=service.local_text,
    age=service.age_text,
    moment=datetime.fromisoformat,
    held_since=service.last_change_date,
    fields=service.line_fields,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def clock() -> datetime:
    """The time a request is served at (tests move it to reach the idle timeout)."""
    return now()


Now = Annotated[datetime, Depends(clock)]


class SignInRequired(Exception):
    pass


class CsrfRefused(Exception):
    pass


async def _signed_in(request: Request, db: Transaction, at: Now) -> SignedIn:
    cookie = request.cookies.get(SESSION_COOKIE)
    session = await service.signed_in(db, cookie, at) if cookie else None
    if session is None:
        raise SignInRequired()
    return session


CurrentSession = Annotated[SignedIn, Depends(_signed_in)]


async def _checked_form(
    session: CurrentSession, csrf_token: Annotated[str, Form()] = ""
) -> SignedIn:
    if not secrets.compare_digest(csrf_token.encode(), session.csrf_token.encode()):
        raise CsrfRefused()
    return session


# A session whose form carried its CSRF token.
CheckedSession = Annotated[SignedIn, Depends(_checked_form)]


def _on_loopback(request: Request) -> bool:
    host = request.url.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=not _on_loopback(request),
    )


def page(
    request: Request,
    template: str,
    context: dict[str, Any],
    session: SignedIn | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    html = templates.get_template(template).render(
        request=request, session=session, prefix=PREFIX, **context
    )
    return HTMLResponse(html, status_code=status_code)


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(PREFIX + path, status_code=303)


@router.get("")
async def root() -> RedirectResponse:
    return redirect("/")


@router.get("/sign-in")
async def sign_in_page(request: Request) -> Response:
    return _sign_in_form(request)


def _sign_in_form(request: Request, error: str = "", status_code: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    response = page(
        request, "sign_in.html", {"csrf_token": token, "error": error}, status_code=status_code
    )
    _set_cookie(request, response, SIGN_IN_COOKIE, token)
    return response


@router.post("/sign-in")
async def sign_in(
    request: Request,
    db: Transaction,
    at: Now,
    token: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf_token.encode(), expected.encode()):
        return _sign_in_form(request, "The form expired: sign in again.", 403)
    signed = await service.sign_in(db, token.strip(), at)
    if signed is None:
        return _sign_in_form(request, "Unknown operator token.", 401)
    cookie, _ = signed
    response = redirect("/")
    _set_cookie(request, response, SESSION_COOKIE, cookie)
    response.delete_cookie(SIGN_IN_COOKIE, path=PREFIX)
    return response


@router.post("/sign-out")
async def sign_out(db: Transaction, session: CheckedSession) -> Response:
    await service.sign_out(db, session.session_id)
    response = redirect("/sign-in")
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


@router.get("/")
async def dashboard(
    request: Request, db: Transaction, session: CurrentSession, at: Now
) -> Response:
    board = await service.dashboard(db, at)
    return page(request, "dashboard.html", {"board": board}, session)


@router.get("/lines")
async def lines(
    request: Request,
    db: Transaction,
    session: CurrentSession,
    search: str = "",
    state: str = "",
    client: str = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    def query(**changes: object) -> str:
        return urlencode({"search": search, "state": state, "client": client} | changes)

    found = await service.search_lines(
        db, search=search, state=state, client_code=client, page=page_number
    )
    context = {
        "search": search,
        "state": state,
        "client": client,
        "query": query,
        "found": found,
        "states": [s.value for s in LineState],
    }
    return page(request, "lines.html", context, session, status_code=422 if found.invalid else 200)


async def _line_page(
    request: Request,
    db: Transaction,
    session: SignedIn,
    line_id: str,
    *,
    error: str = "",
    status_code: int = 200,
) -> Response:
    detail = await service.line_detail(db, line_id)
    if detail is None:
        return page(request, "not_found.html", {}, session, status_code=404)
    context = {"detail": detail, "error": error, "done": request.query_params.get("done", "")}
    return page(request, "line.html", context, session, status_code)


@router.get("/lines/{line_id}")
async def line(
    request: Request, db: Transaction, session: CurrentSession, line_id: str
) -> Response:
    return await _line_page(request, db, session, line_id)


async def _act(
    request: Request,
    db: Transaction,
    session: SignedIn,
    line_id: str,
    done: str,
    action: Callable[[], Awaitable[object]],
) -> Response:
    """Runs a staff action; then the line's page (redirected to, so a reload does not repeat it),
    or the page with the service's refusal. A refusal comes before any change."""
    try:
        await action()
    except ApiError as error:
        return await _line_page(request, db, session, line_id, error=error.message, status_code=409)
    return redirect(f"/lines/{line_id}?done={done}")


@router.post("/lines/{line_id}/cancel")
async def cancel(
    request: Request,
    db: Transaction,
    session: CheckedSession,
    line_id: str,
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        cancellation = Cancellation(reason=reason)
    except ValidationError:
        message = "A reason of 1 to 1000 characters is needed to cancel."
        return await _line_page(request, db, session, line_id, error=message, status_code=422)
    return await _act(
        request,
        db,
        session,
        line_id,
        "cancelled",
        lambda: operator_service.cancel_line(db, session.operator, line_id, cancellation.reason),
    )


# The staff actions that need no more than the line, and what the page then says.
PLAIN_ACTIONS = {
    "release": (operator_service.release_line, "released"),
    "complete": (operator_service.complete_line, "completed"),
}


@router.post("/lines/{line_id}/{verb}")
async def act(
    request: Request,
    db: Transaction,
    session: CheckedSession,
    line_id: str,
    verb: Literal["release", "complete"],
) -> Response:
    action, done = PLAIN_ACTIONS[verb]
    return await _act(
        request, db, session, line_id, done, lambda: action(db, session.operator, line_id)
    )


@router.get("/clients")
async def clients(request: Request, db: Transaction, session: CurrentSession) -> Response:
    overview = await service.clients_overview(db)
    return page(request, "clients.html", {"overview": overview}, session)


class SecurityHeaders:
    """The back office's responses allow only the service's own origin, and are not cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return

        added = HEADERS if scope["path"].startswith(f"{PREFIX}/static/") else PAGE_HEADERS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend((k.lower().encode(), v.encode()) for k, v in added.items())
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def install_backoffice(app: FastAPI) -> None:
    """The pages, their static files, and what a page does without a session or a valid form."""
    app.include_router(router)
    app.mount(
        f"{PREFIX}/static", StaticFiles(directory=str(_PACKAGE / "static")), name="backoffice"
    )
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(SignInRequired)
    async def _sign_in_required(_request: Request, _error: SignInRequired) -> Response:
        return redirect("/sign-in")

    @app.exception_handler(CsrfRefused)
    async def _csrf_refused(request: Request, _error: CsrfRefused) -> Response:
        return page(request, "refused.html", {}, status_code=403)
