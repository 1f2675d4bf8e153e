"""`order-taking demo load`: many varied order sessions and lines for one client, inserted in bulk,
to try the lists and measure them (`order-taking demo load --lines 100000`).

The data looks like a year of a client's activity: drafts, and confirmed sessions whose lines were
created, held for validation, completed, cancelled or rejected, with consistent dates, histories
and references. It is written with core INSERTs in batches, not through the API: 100,000 lines
take seconds.
"""

import asyncio
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

import typer
from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.clients import service as clients
from order_taking.clients.service import ClientIdentity
from order_taking.core.database import Base, Database
from order_taking.core.references import next_references
from order_taking.core.settings import get_settings
from order_taking.core.states import SYSTEM, state_change_entry
from order_taking.core.time import local_date, now
from order_taking.operations.schema import require_current_schema
from order_taking.ordering.models import OrderLine, OrderSession
from order_taking.ordering.service import DRAFT_LIFETIME, line_search_text
from order_taking.ordering.states import LineState, SessionState

demo_app = typer.Typer(help="Demo data, to try and measure the API.", no_args_is_help=True)

BATCH_LINES = 5000

# (offering id, family, technology) of the demo catalog, and its eligibility items.
OFFERINGS = [
    ("2173", "BPE", "FIBDE"),
    ("b99fce70-d195-41ed-b029-9b75c62ecd7c", "BPE", "FIBDE"),
    ("3001", "DIA", "FIBDE"),
    ("2180", "BPE", "FIBDE"),
]
ELIGIBILITY_ITEMS = [
    ("d5a4a9aa-ba2c-4f53-95c7-0c1ce6f6e7fa", "IMB/76451/X/01AB"),
    ("1b83a456-89a2-456e-9b78-a578c39b0474", "IMB/76451/X/01AC"),
    ("7c1e2f4a-3b5d-4e6f-8a9b-0c1d2e3f4a5b", "IMB/76540/Q/0012"),
]
OPTIONS = ["2210", "2220", "1615"]
# city, postcode, INSEE code, latitude, longitude
CITIES = [
    ("Paris", "75008", "75108", 48.8722, 2.3126),
    ("Paris", "75011", "75111", 48.8590, 2.3800),
    ("Lyon", "69003", "69383", 45.7597, 4.8422),
    ("Marseille", "13002", "13202", 43.3120, 5.3660),
    ("Lille", "59000", "59350", 50.6292, 3.0573),
    ("Rouen", "76000", "76540", 49.4432, 1.0999),
    ("Mont-Saint-Aignan", "76130", "76451", 49.4744, 1.0915),
    ("Le Havre", "76600", "76351", 49.4944, 0.1079),
    ("Caen", "14000", "14118", 49.1829, -0.3707),
    ("Nantes", "44000", "44109", 47.2184, -1.5536),
    ("Rennes", "35000", "35238", 48.1173, -1.6778),
    ("Bordeaux", "33000", "33063", 44.8378, -0.5792),
    ("Toulouse", "31000", "31555", 43.6047, 1.4442),
    ("Montpellier", "34000", "34172", 43.6108, 3.8767),
    ("Nice", "06000", "06088", 43.7102, 7.2620),
    ("Strasbourg", "67000", "67482", 48.5734, 7.7521),
    ("Dijon", "21000", "21231", 47.3220, 5.0415),
    ("Amiens", "80000", "80021", 49.8941, 2.2958),
    ("Évreux", "27000", "27229", 49.0241, 1.1508),
    ("Dieppe", "76200", "76217", 49.9229, 1.0775),
]
STREETS = [
    "Rue de la République", "Avenue Jean Jaurès", "Rue Victor Hugo", "Boulevard Pasteur",
    "Rue du Général Leclerc", "Place de la Gare", "Rue des Écoles", "Quai de la Bourse",
    "Rue Andrei Sakharov", "Avenue de la Libération", "Rue Nationale", "Chemin des Vignes",
    "Rue du Moulin", "Impasse des Lilas", "Zone d'activités du Parc",
]  # fmt: skip
TRADES = [
    "Boulangerie", "Pharmacie", "Cabinet", "Garage", "Hôtel", "Restaurant", "Clinique",
    "Agence", "Atelier", "Librairie", "Entrepôt", "Mairie de", "Lycée", "Transports", "Studio",
]  # fmt: skip
SURNAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont",
]  # fmt: skip
FIRST_NAMES = [
    "Jean", "Marie", "Pierre", "Sophie", "Nicolas", "Camille", "Julien", "Léa", "Thomas",
    "Chloé", "Antoine", "Emma", "Lucas", "Manon", "Hugo", "Inès", "Louis", "Sarah", "Paul", "Zoé",
]  # fmt: skip
CANCELLATION_REASONS = [
    "Client request",
    "Duplicate order",
    "Site not reachable",
    "Building owner refused the works",
]
REJECTIONS = [
    {"code": "required", "property_path": "enni", "value": ""},
    {"code": "required", "property_path": "related_contact_information[0].postcode", "value": ""},
    {
        "code": "invalid_format",
        "property_path": "related_contact_information[0].contact1_phone_number",
        "value": "01 23",
    },
    {"code": "offer_not_eligible", "property_path": "product_offering_id", "value": "2180"},
    {"code": "unknown_option", "property_path": "option_ids[0]", "value": "9999"},
]
# How a year of sessions ended, and how the created orders of a completed session went on.
SESSION_OUTCOMES = {
    SessionState.CREATED: 25,
    SessionState.COMPLETED: 55,
    SessionState.PARTIAL: 12,
    SessionState.REJECTED: 8,
}
ORDER_OUTCOMES = {
    LineState.ACKNOWLEDGED: 35,
    LineState.IN_PROGRESS: 25,
    LineState.HELD_ADV_VALIDATION: 10,
    LineState.COMPLETED: 25,
    LineState.CANCELLED: 5,
}

# The outcomes in which the back end created an order.
_CREATED_ORDERS = frozenset(ORDER_OUTCOMES)


@dataclass
class Batch:
    sessions: list[dict[str, Any]]
    lines: list[dict[str, Any]]


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _contact(rng: random.Random, end_customer: str) -> dict[str, Any]:
    city, postcode, insee, latitude, longitude = rng.choice(CITIES)
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    email = f"{first}.{last}@example.fr".lower().replace("é", "e").replace("è", "e")
    return {
        "end_customer_name": end_customer,
        "siret": f"{rng.randrange(10**13, 10**14)}",
        "contact1_email_address": email,
        "contact1_firstname": first,
        "contact1_lastname": last,
        "contact1_phone_number": f"0{rng.choice('1234567')}{rng.randrange(10**8):08d}",
        "contact2_email_address": "",
        "contact2_firstname": "",
        "contact2_lastname": "",
        "contact2_phone_number": "",
        "city": city,
        "postcode": postcode,
        "street_name": rng.choice(STREETS),
        "street_number": str(rng.randrange(1, 200)),
        "street_number_extension": rng.choice(["", "", "", "B", "bis"]),
        "insee_code": insee,
        "building_name": rng.choice(["", "", "Bâtiment A", "Résidence Les Tilleuls"]),
        "level_number": str(rng.randrange(0, 6)),
        "latitude": round(latitude + rng.uniform(-0.02, 0.02), 6),
        "longitude": round(longitude + rng.uniform(-0.02, 0.02), 6),
    }


def _line_outcome(rng: random.Random, session_state: SessionState) -> LineState:
    if session_state == SessionState.CREATED:
        return LineState.CREATED
    if session_state == SessionState.REJECTED:
        return LineState.REJECTED_CREATION
    outcome: LineState = _weighted(rng, ORDER_OUTCOMES)
    return outcome


def _history(
    rng: random.Random,
    outcome: LineState,
    created: datetime,
    ordered: datetime | None,
    at: datetime,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The line's state changes up to its outcome, and the dates they set."""
    changes = [state_change_entry(LineState.CREATED.value, created, "", SYSTEM)]
    dates: dict[str, Any] = {"completion_date": None, "cancellation_date": None}
    if ordered is None:
        return changes, dates
    answered = ordered + timedelta(seconds=rng.randrange(2, 120))
    changes.append(state_change_entry(LineState.IN_PROGRESS.value, ordered, "", SYSTEM))
    later = min(answered + timedelta(days=rng.randrange(5, 60)), at)
    if outcome in (LineState.COMPLETED, LineState.CANCELLED):
        changes.append(state_change_entry(LineState.ACKNOWLEDGED.value, answered, "", SYSTEM))
        if outcome == LineState.COMPLETED:
            dates["completion_date"] = later
        else:
            dates["cancellation_date"] = later
            dates["cancellation_reason"] = rng.choice(CANCELLATION_REASONS)
        reason = dates.get("cancellation_reason", "")
        changes.append(state_change_entry(outcome.value, later, reason, SYSTEM))
    else:
        changes.append(state_change_entry(outcome.value, answered, "", SYSTEM))
        if outcome == LineState.REJECTED_CREATION:
            dates["completion_date"] = answered
    return changes, dates


def _line(
    rng: random.Random,
    session: dict[str, Any],
    outcome: LineState,
    created: datetime,
    number: int,
    at: datetime,
) -> dict[str, Any]:
    offering, family, technology = rng.choice(OFFERINGS)
    item, building = rng.choice(ELIGIBILITY_ITEMS)
    end_customer = f"{rng.choice(TRADES)} {rng.choice(SURNAMES)}"
    options = rng.sample(OPTIONS, rng.randrange(0, 3)) if family != "DIA" else []
    cpe = rng.random() < 0.1 and family != "DIA"
    changes, dates = _history(rng, outcome, created, session["order_date"], at)
    rejected = outcome == LineState.REJECTED_CREATION
    return {
        "id": str(uuid.uuid4()),
        "session_id": session["id"],
        "client_id": session["client_id"],
        "order_reference": "",  # reserved per day when the batch is written
        "state": outcome.value,
        "end_customer_name": end_customer,
        "external_id": f"EXT-{number:07d}",
        "option_ids": [*options, "7021"] if cpe else options,
        "note": rng.choice(["", "", "Call before coming", "Access through the back yard"]),
        "technical_note": rng.choice(["", "", "Existing copper line to replace"]),
        "product_offering_id": offering,
        "product_offering_qualification_item_id": item,
        "project_id": session["project_id"],
        "quote_item_id": "",
        "delivery_mode": rng.choice(["", "standard", "express"]),
        "enni": "" if family == "DIA" else f"AZ{rng.randrange(10**6):06d}",
        "enni_2": "",
        "vlan_reference": rng.randrange(2, 4095),
        "customer_order_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
        "business_code": rng.choice(["", "FLASH", "AB123", "PRO"]),
        "billing_site_ref": f"AUX{rng.randrange(100):02d}",
        "related_contact_information": [_contact(rng, end_customer)],
        "siret_known": rng.random() < 0.7,
        "additional_vlan_reference": "",
        "offer_family": family,
        "offer_technology": technology,
        "specific_request": "Specific works needed" if rng.random() < 0.05 else "",
        "access_instructions": rng.choice(["", "Code 1234", "Ask the caretaker"]),
        "scheduled_delivery_date": (
            (created + timedelta(days=rng.randrange(20, 120))).date()
            if rng.random() < 0.4
            else None
        ),
        "cpe_networking_number": f"NET-{rng.randrange(10**6):06d}" if cpe else "",
        "cpe_serial_number": f"SR-{rng.randrange(10**6):06d}" if cpe else "",
        "building_ref": building if outcome in _CREATED_ORDERS else "",
        "creation_date": created,
        "expiration_date": local_date(created) + DRAFT_LIFETIME,
        "order_date": session["order_date"],
        "cancellation_reason": "",
        "state_change": changes,
        "termination_error": rng.sample(REJECTIONS, rng.randrange(1, 3)) if rejected else [],
        "backend_order_id": f"ERP-{rng.randrange(10**8):08d}" if outcome in _CREATED_ORDERS else "",
        **dates,
    }


def demo_batches(
    client_id: str, *, lines: int, lines_per_session: int, seed: int, at: datetime
) -> Iterator[Batch]:
    """Sessions of `lines_per_session` lines, created over the year before `at`, oldest first."""
    rng = random.Random(seed)
    session_count = -(-lines // lines_per_session)
    day, year = timedelta(days=1).total_seconds(), timedelta(days=365).total_seconds()
    # Sessions start a day ago at the latest: even a session of 1000 lines (20 s apart) is
    # complete, confirmed and answered before `at`.
    starts = sorted(at - timedelta(seconds=rng.uniform(day, year)) for _ in range(session_count))
    last_confirmation = at - timedelta(minutes=10)
    batch = Batch([], [])
    for number, start in enumerate(starts):
        size = min(lines_per_session, lines - number * lines_per_session)
        state: SessionState = _weighted(rng, SESSION_OUTCOMES)
        if state == SessionState.PARTIAL and size < 2:
            state = SessionState.COMPLETED
        created = [start + timedelta(seconds=20 * n + rng.randrange(20)) for n in range(size)]
        ordered = None
        if state != SessionState.CREATED:
            delay = timedelta(minutes=rng.randrange(5, 4000))
            ordered = min(created[-1] + delay, last_confirmation)
        session = {
            "id": str(uuid.uuid4()),
            "client_id": client_id,
            "external_id": f"CART-{number + 1:06d}",
            "project_id": rng.choice(["", "", f"PRJ-{rng.randrange(1, 40):03d}"]),
            "state": state.value,
            "creation_date": start,
            "order_date": ordered,
            # Every line is answered within two minutes of the confirmation.
            "completion_date": ordered + timedelta(minutes=2) if ordered else None,
            "cancellation_date": None,
        }
        outcomes = [_line_outcome(rng, state) for _ in range(size)]
        if state == SessionState.PARTIAL:
            outcomes[0], outcomes[-1] = LineState.ACKNOWLEDGED, LineState.REJECTED_CREATION
        batch.sessions.append(session)
        first = number * lines_per_session + 1
        batch.lines.extend(
            _line(rng, session, outcome, moment, first + index, at)
            for index, (outcome, moment) in enumerate(zip(outcomes, created, strict=True))
        )
        if len(batch.lines) >= BATCH_LINES:
            yield batch
            batch = Batch([], [])
    if batch.sessions:
        yield batch


async def _reserve_references(
    db: AsyncSession, client: ClientIdentity, lines: list[dict[str, Any]]
) -> None:
    """Gives each line the next reference of its creation day, as the API would have."""
    by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in sorted(lines, key=lambda line: line["creation_date"]):
        by_day[local_date(line["creation_date"]).isoformat()].append(line)
    for same_day in by_day.values():
        references = await next_references(
            db,
            kind="PO",
            client_id=client.id,
            client_code=client.code,
            at=same_day[0]["creation_date"],
            count=len(same_day),
        )
        for line, reference in zip(same_day, references, strict=True):
            line["order_reference"] = reference
            line["search_text"] = line_search_text(
                order_reference=reference,
                external_id=line["external_id"],
                end_customer_name=line["end_customer_name"],
                customer_order_name=line["customer_order_name"],
                related_contact_information=line["related_contact_information"],
            )


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


async def _client_with_new_token(db: AsyncSession, code: str) -> tuple[ClientIdentity, str]:
    client = await clients.find_client(db, code)
    if client is None:
        client, token = await clients.create_client(db, code)
    else:
        token = await clients.add_client_token(db, client)
    return ClientIdentity(id=client.id, code=client.code), token


async def load_demo_lines(
    database: Database,
    *,
    client_code: str,
    lines: int,
    lines_per_session: int,
    seed: int,
    progress: Callable[[int], None] = lambda _: None,
) -> str:
    """Inserts the lines for the client (created if missing); returns a new token of the client.

    One transaction per batch: a large load holds no lock for long and shows its progress.
    """
    async with database.transaction() as db:
        client, token = await _client_with_new_token(db, client_code)
    written = 0
    for batch in demo_batches(
        client.id, lines=lines, lines_per_session=lines_per_session, seed=seed, at=now()
    ):
        async with database.transaction() as db:
            await _reserve_references(db, client, batch.lines)
            # Core INSERTs, many rows each: no ORM objects to build for 100,000 lines.
            await db.execute(insert(_table(OrderSession)), batch.sessions)
            await db.execute(insert(_table(OrderLine)), batch.lines)
        written += len(batch.lines)
        progress(written)
    async with database.transaction() as db:
        # Fresh statistics: until the database gathers its own, it plans the lists blind.
        for table in (OrderSession, OrderLine):
            await db.execute(text(f"ANALYZE {table.__tablename__}"))
    return token


@demo_app.command("load")
def load(
    lines: Annotated[int, typer.Option(min=1, max=10_000_000, help="Order lines to create")],
    client: Annotated[str, typer.Option(help="Client code; created if missing")] = "DC173",
    sessions_of: Annotated[
        int, typer.Option(min=1, max=1000, help="Order lines per order session")
    ] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the random data")] = 1,
) -> None:
    """Insert a year of varied order sessions and lines for a client; prints a new token of it."""
    require_current_schema(get_settings())

    async def run() -> str:
        database = Database(get_settings().database_url)
        try:
            return await load_demo_lines(
                database,
                client_code=client,
                lines=lines,
                lines_per_session=sessions_of,
                seed=seed,
                progress=lambda written: typer.echo(f"{written} lines written", err=True),
            )
        finally:
            await database.dispose()

    try:
        token = asyncio.run(run())
    except ValueError as error:  # an invalid client code
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"{lines} order lines loaded for client {client}; a bearer token (shown once):")
    typer.echo(token)
