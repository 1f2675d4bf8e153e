"""What the back office's pages show and do, over the services and repositories of the API.

Sessions live on the server: the cookie holds a random token, the table its SHA-256, so a stolen
database row signs nobody in, and signing out or going idle ends the session for good.
"""

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.backend import repository as jobs
from order_taking.backend.models import OrderCreationJob
from order_taking.backoffice import repository
from order_taking.backoffice.models import BackofficeSession
from order_taking.clients.models import Client
from order_taking.clients.service import (
    OperatorIdentity,
    hash_token,
    list_clients,
    new_token,
    operator_for_token,
)
from order_taking.core.settings import get_settings
from order_taking.core.time import local_date
from order_taking.notifications.repository import DeliveryRecord, deliveries_for_line
from order_taking.ordering import repository as lines
from order_taking.ordering.models import OrderLine, OrderSession
from order_taking.ordering.operator_service import possible_actions
from order_taking.ordering.schemas import LineFilters, LineOut
from order_taking.ordering.states import LineState, SessionState

# The dashboard shows this many lines of each list; the counts tell how many there are in all.
LIST_LENGTH = 50
PAGE_SIZE = 50
# A search counts its lines this far past the page only: "more than 1000" is all staff need to
# know, and counting every match of a wide search on 100,000 lines costs more than the page.
COUNT_AHEAD = 1000
SEEN_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class SignedIn:
    session_id: str
    operator: OperatorIdentity
    csrf_token: str


async def sign_in(db: AsyncSession, token: str, at: datetime) -> tuple[str, SignedIn] | None:
    """A new session for the operator whose API token this is, and its cookie's token."""
    operator = await operator_for_token(db, token)
    if operator is None:
        return None
    await repository.delete_sessions_idle_since(db, at - idle_time())
    cookie = new_token()
    session = BackofficeSession(
        id=hash_token(cookie),
        operator_id=operator.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=at,
        last_seen_at=at,
    )
    db.add(session)
    await db.flush()
    return cookie, SignedIn(session.id, operator, session.csrf_token)


def idle_time() -> timedelta:
    return timedelta(minutes=get_settings().backoffice_idle_minutes)


async def signed_in(db: AsyncSession, cookie: str, at: datetime) -> SignedIn | None:
    """The session of this cookie if it was used within the idle time; it is used now."""
    found = await repository.find_session(db, hash_token(cookie))
    if found is None:
        return None
    session, operator = found
    if session.last_seen_at < at - idle_time():
        # Refused from now on (it is never touched again); the next sign-in deletes it.
        return None
    # Written once a minute at most: a page read then costs no write (the idle time is minutes).
    if at - session.last_seen_at >= SEEN_PRECISION:
        session.last_seen_at = at
        await db.flush()
    return SignedIn(session.id, OperatorIdentity(operator.id, operator.name), session.csrf_token)


async def sign_out(db: AsyncSession, session_id: str) -> None:
    await repository.delete_session(db, session_id)


def last_change_date(line: OrderLine) -> datetime | None:
    """When the line entered its current state."""
    if not line.state_change:
        return None
    return datetime.fromisoformat(line.state_change[-1]["change_date"])


def local_text(moment: datetime) -> str:
    """`2026-12-01 21:05`, in the service's zone."""
    return moment.astimezone(get_settings().zone).strftime("%Y-%m-%d %H:%M")


def age_text(since: datetime | None, at: datetime) -> str:
    """`3 d 4 h`, `2 h 5 min`, `12 min`: how long ago, to the unit that matters."""
    if since is None:
        return "—"
    minutes = max(0, int((at - since).total_seconds() // 60))
    days, hours = minutes // (24 * 60), minutes // 60 % 24
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes % 60} min"
    return f"{minutes} min"


# Shown in sections of their own on the line's page.
_LISTED_APART = {"state_change", "termination_error", "related_contact_information"}


def line_fields(line: OrderLine) -> list[tuple[str, Any]]:
    """Every field of the line as the API shows it, lists as text."""
    fields = LineOut.of(line).model_dump(mode="json", exclude=_LISTED_APART)
    return [
        (name, ", ".join(map(str, value)) if isinstance(value, list) else value)
        for name, value in fields.items()
    ]


@dataclass(frozen=True)
class StateCount:
    state: str
    today: int
    week: int


@dataclass(frozen=True)
class WorkList:
    due: int
    oldest_due_since: datetime | None
    retrying: int
    retrying_jobs: list[tuple[OrderCreationJob, str]]


@dataclass(frozen=True)
class Dashboard:
    at: datetime
    counts: list[StateCount]
    held: int
    adv_queue: list[tuple[OrderLine, str]]
    rejected: list[tuple[OrderLine, str]]
    work_list: WorkList


async def dashboard(db: AsyncSession, at: datetime) -> Dashboard:
    zone = get_settings().zone
    today = datetime.combine(local_date(at), time(), zone)
    counted = {
        row[0]: StateCount(row[0], row[1], row[2])
        for row in await repository.line_counts_by_state(
            db, today=today, week=today - timedelta(days=6)
        )
    }
    health = await repository.work_list_health(db, at)
    return Dashboard(
        at=at,
        counts=[counted.get(state, StateCount(state, 0, 0)) for state in LineState],
        held=await repository.count_lines_in_state(db, LineState.HELD_ADV_VALIDATION),
        adv_queue=[(r[0], r[1]) for r in await repository.held_lines(db, limit=LIST_LENGTH)],
        rejected=[
            (r[0], r[1])
            for r in await repository.lines_rejected_since(
                db, at - timedelta(hours=24), limit=LIST_LENGTH
            )
        ],
        work_list=WorkList(
            due=health[0],
            oldest_due_since=health[1],
            retrying=health[2],
            retrying_jobs=[(r[0], r[1]) for r in await repository.retrying_jobs(db, limit=20)],
        ),
    )


@dataclass(frozen=True)
class LineSearch:
    # The columns of each line a summary shows, with its client's code.
    lines: list[tuple[Row[Any], str]]
    total: int
    page: int
    pages: int
    clients: list[Client]
    # The total is a lower bound: there are more lines than counted.
    more: bool = False
    invalid: bool = False


async def search_lines(
    db: AsyncSession, *, search: str, state: str, client_code: str, page: int
) -> LineSearch:
    """The API's line list across every client, or one client's, a page at a time; a search
    the API would refuse (422) finds nothing and says so."""
    clients = await list_clients(db)
    codes = {client.id: client.code for client in clients}
    client_id = next((id for id, code in codes.items() if code == client_code), None)
    if client_code and client_id is None:
        return LineSearch([], 0, 1, 1, clients)
    try:
        filters = LineFilters(
            search=search or None,
            state=state or None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    except ValidationError:
        return LineSearch([], 0, 1, 1, clients, invalid=True)
    found, total = await lines.list_lines(db, client_id, filters, count_ahead=COUNT_AHEAD)
    pages = max(1, -(-total // PAGE_SIZE))
    return LineSearch(
        [(line, codes[line.client_id]) for line in found],
        total,
        page,
        pages,
        clients,
        more=total == filters.offset + COUNT_AHEAD,
    )


@dataclass(frozen=True)
class LineDetail:
    line: OrderLine
    client_code: str
    session: OrderSession
    session_lines: list[OrderLine]
    job: OrderCreationJob | None
    actions: list[str]
    notifications: list[DeliveryRecord]


async def line_detail(db: AsyncSession, line_id: str) -> LineDetail | None:
    found = await jobs.lines_with_client_codes(db, [line_id])
    if not found:
        return None
    line, code, _request_id = found[0]
    session = await lines.find_session(db, line.client_id, line.session_id, with_lines=True)
    if session is None:  # deleted since: its lines go with it
        return None
    job = await repository.find_job(db, line.id)
    return LineDetail(
        line=line,
        client_code=code,
        session=session,
        session_lines=[other for other in session.lines if other.id != line.id],
        job=job,
        actions=possible_actions(line.state, job_pending=job is not None),
        notifications=await deliveries_for_line(db, line.id),
    )


@dataclass(frozen=True)
class ClientCounts:
    client: Client
    sessions: dict[str, int] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ClientsOverview:
    clients: list[ClientCounts]
    session_states: list[str]
    line_states: list[str]


async def clients_overview(db: AsyncSession) -> ClientsOverview:
    sessions: dict[str, dict[str, int]] = defaultdict(dict)
    for client_id, state, count in await repository.session_counts_by_client(db):
        sessions[client_id][state] = count
    line_counts: dict[str, dict[str, Any]] = defaultdict(dict)
    for client_id, state, count in await repository.line_counts_by_client(db):
        line_counts[client_id][state] = count
    return ClientsOverview(
        clients=[
            ClientCounts(client, sessions[client.id], line_counts[client.id])
            for client in await list_clients(db)
        ],
        session_states=[state.value for state in SessionState],
        line_states=[state.value for state in LineState],
    )
