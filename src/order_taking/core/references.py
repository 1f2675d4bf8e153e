"""Human-readable references, `PO_DC173_20250423_003363`: a counter per client, kind and day."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Insert, Integer, String, bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from order_taking.core.database import Base, counters
from order_taking.core.time import local_date


class ReferenceCounter(Base):
    __tablename__ = "reference_counters"

    client_id: Mapped[str] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


async def next_reference(
    db: AsyncSession, *, kind: str, client_id: str, client_code: str, at: datetime
) -> str:
    """The next reference of that kind, unique under concurrency.

    On PostgreSQL the counter is bumped in a statement of its own, committed at once, so creates
    of one client on one day do not wait for each other's commit; a create that then rolls back
    leaves its number unused, as a database sequence does.
    """
    day = _day(at)
    bump = _bump(db, kind=kind, client_id=client_id, day=day, count=1)
    engine = counters(db)
    last = await (db.scalar(*bump) if engine is None else _bump_apart(engine, bump))
    assert last is not None
    return _reference(kind, client_code, day, last)


# A bump's statement and its values.
Bump = tuple[Insert, dict[str, Any]]


async def _bump_apart(engine: AsyncEngine, bump: Bump) -> int | None:
    """The bump in a statement of its own. That pool does not ping its connections (a round trip
    less per create): a connection the database has dropped fails once, and the bump is tried
    again on a new one; at worst the number of the failed try is skipped."""
    try:
        return await _bump_once(engine, bump)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
    return await _bump_once(engine, bump)


async def _bump_once(engine: AsyncEngine, bump: Bump) -> int | None:
    async with engine.connect() as connection:
        value: int | None = await connection.scalar(*bump)
        return value


async def next_references(
    db: AsyncSession, *, kind: str, client_id: str, client_code: str, at: datetime, count: int
) -> list[str]:
    """The next `count` references of that kind and day, reserved in `db`'s transaction (bulk
    loads, which may have created the client in that same transaction)."""
    day = _day(at)
    last: int | None = await db.scalar(
        *_bump(db, kind=kind, client_id=client_id, day=day, count=count)
    )
    assert last is not None
    return [_reference(kind, client_code, day, n) for n in range(last - count + 1, last + 1)]


def _day(at: datetime) -> str:
    return local_date(at).strftime("%Y%m%d")


def _reference(kind: str, client_code: str, day: str, number: int) -> str:
    return f"{kind}_{client_code}_{day}_{number:06d}"


def _upsert(insert: Callable[[type[ReferenceCounter]], Any]) -> Insert:
    counter = ReferenceCounter
    statement = insert(counter).values(
        client_id=bindparam("client_id"),
        kind=bindparam("kind"),
        day=bindparam("day"),
        value=bindparam("count"),
    )
    return statement.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=[counter.client_id, counter.kind, counter.day],
        set_={"value": counter.value + statement.excluded.value},
    ).returning(counter.value)


# Built once per database: a bump only binds its values.
_BUMPS = {"postgresql": _upsert(pg_insert), "sqlite": _upsert(sqlite_insert)}


def _bump(db: AsyncSession, *, kind: str, client_id: str, day: str, count: int) -> Bump:
    """Adds `count` to the counter (created at 0 if missing), answering its new value."""
    values = {"client_id": client_id, "kind": kind, "day": day, "count": count}
    return _BUMPS[db.get_bind().dialect.name], values
