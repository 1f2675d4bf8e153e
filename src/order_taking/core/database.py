"""Engine, sessions and the one transaction per request or per job."""

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import MetaData, event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


AFTER_COMMIT = "after_commit"
COUNTERS = "counters"
COMMITTING_ALONE = "committing_alone"


def after_commit(db: AsyncSession, callback: Callable[[], None]) -> None:
    db.info.setdefault(AFTER_COMMIT, []).append(callback)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UnsupportedDatabase(ValueError):
    pass


def async_url(database_url: str) -> URL:
    """The documented driver-less URL with the async driver this service uses."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return url.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+asyncpg")
    raise UnsupportedDatabase(f"unsupported database {backend!r}: use sqlite:// or postgresql://")


def create_engine(database_url: str, **options: Any) -> AsyncEngine:
    url = async_url(database_url)
    # A logged database error must not show its statement's values (contacts' e-mails, phones).
    options.setdefault("hide_parameters", True)
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args={"timeout": 30}, **options)
        _make_sqlite_transactional(engine)
        return engine
    # At most 20 connections a process, all kept open: connections opened past the pool's size
    # and closed after each burst cost the database a new backend each time.
    options.setdefault("pool_size", 20)
    options.setdefault("max_overflow", 0)
    ping_idle = options.pop("ping_idle", True)
    engine = create_async_engine(url, **options)
    if ping_idle:
        _ping_idle_connections(engine)
    return engine


# A pooled connection resting longer than this is pinged before use.
IDLE_BEFORE_PING_SECONDS = 1.0
_CHECKED_IN_AT = "checked_in_at"


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """Pings a pooled connection before use only if it rested over a second (pool_pre_ping pings
    every time: a round trip more per request). A connection the database dropped meanwhile (a
    restart, an idle timeout) is then replaced, not handed to a request; under load connections
    never rest that long, and one dropped in the second since its last use fails that request."""

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        rested = time.monotonic() - record.info.get(_CHECKED_IN_AT, time.monotonic())
        if rested <= IDLE_BEFORE_PING_SECONDS:
            return
        try:
            dbapi_connection.ping()
        except Exception as error:
            # The pool then opens a new connection in its place (up to twice).
            raise DisconnectionError(f"connection lost while idle: {error}") from error


def _make_sqlite_transactional(engine: AsyncEngine) -> None:
    """Every SQLite transaction takes the write lock up front (BEGIN IMMEDIATE).

    pysqlite's deferred transactions fail with "database is locked" when two of them upgrade to
    writing at once; taking the lock first makes concurrent requests and workers wait their turn
    (busy timeout) instead, which is what guards confirm-twice and reference counters on SQLite.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """The engine and session factory of one process."""

    def __init__(self, database_url: str, **options: Any) -> None:
        # Where counters are bumped, and single-statement writes commit, in statements of their
        # own (PostgreSQL), see `counters()` and `committing_alone()`.
        self.counters: AsyncEngine | None = None
        self.alone: AsyncEngine | None = None
        if async_url(database_url).get_backend_name() == "sqlite":
            self.engine = create_engine(database_url, **options)
            writers = readers = self.engine
        else:
            # Connections rest in autocommit: the pool's ping is then one round trip, not three
            # (BEGIN, ping, ROLLBACK). Reads run without BEGIN and COMMIT: under READ COMMITTED
            # each statement takes its own snapshot inside a transaction too, so they see the same.
            self.engine = create_engine(database_url, isolation_level="AUTOCOMMIT", **options)
            writers = self.engine.execution_options(isolation_level="READ COMMITTED")
            readers = self.engine
            self.counters = create_engine(
                database_url,
                isolation_level="AUTOCOMMIT",
                pool_size=5,  # one short statement each: a few serve many creates at once
                max_overflow=0,
                ping_idle=False,  # see references.next_reference
                # Safe: a line that took a number commits after it, and flushing its commit
                # flushes the number's too; only numbers of lines lost with them can be lost.
                connect_args={"server_settings": {"synchronous_commit": "off"}},
            )
            # A pool of its own: a request may hold a connection of the main pool (a token
            # looked up) while it waits for this one, which waits for nothing.
            self.alone = create_engine(
                database_url, isolation_level="AUTOCOMMIT", pool_size=5, max_overflow=0
            )
        info = {COUNTERS: self.counters, COMMITTING_ALONE: self.alone}
        self.sessions = async_sessionmaker(
            writers, expire_on_commit=False, autoflush=False, info=info
        )
        self.read_sessions = async_sessionmaker(readers, expire_on_commit=False, autoflush=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits when the block ends, rolls back if it raises.

        Callbacks registered with `after_commit` run once the commit has succeeded, never before:
        work that follows a request must not start on data that may still roll back.
        """
        async with self.sessions() as session:
            async with session.begin():
                yield session
            for callback in session.info.pop(AFTER_COMMIT, []):
                callback()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that only reads (SQLite: a transaction, BEGIN IMMEDIATE ordering readers
        after writers)."""
        async with self.read_sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def notifications(
        self, channel: str, callback: Callable[[], None]
    ) -> AsyncIterator[None]:
        """Calls `callback` at each NOTIFY on `channel` while the block runs (PostgreSQL; on
        SQLite, nothing: its callers poll as well)."""
        if self.dialect != "postgresql":
            yield
            return
        async with self.engine.connect() as connection:
            listener = (await connection.get_raw_connection()).driver_connection
            assert listener is not None

            def notified(*_: object) -> None:
                callback()

            await listener.add_listener(channel, notified)
            try:
                yield
            finally:
                await listener.remove_listener(channel, notified)

    async def dispose(self) -> None:
        await self.engine.dispose()
        for engine in (self.counters, self.alone):
            if engine is not None:
                await engine.dispose()


async def lock_for_transaction(db: AsyncSession, name: str) -> None:
    """Holds the lock `name` until the transaction ends, so that processes doing the same one-off
    work take turns: a PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE already serializes."""
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})


async def insert_if_missing(db: AsyncSession, table: Any, **values: Any) -> None:
    """INSERT … ON CONFLICT DO NOTHING, on either database."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    await db.execute(insert(table).values(**values).on_conflict_do_nothing())


def counters(db: AsyncSession) -> AsyncEngine | None:
    """The engine of short autocommitted counter statements beside `db`'s transaction, if any:
    a counter bumped there is not locked until that transaction ends (None on SQLite, whose
    writers take turns anyway)."""
    engine: AsyncEngine | None = db.info.get(COUNTERS)
    return engine


def committing_alone(db: AsyncSession) -> AsyncEngine | None:
    """The engine beside `db` whose statements each commit on their own (PostgreSQL's
    connections in autocommit): a write that is one statement costs no BEGIN nor COMMIT there.
    Only for a request whose transaction holds nothing else that must commit with it. None on
    SQLite, whose writers take turns in BEGIN IMMEDIATE."""
    engine: AsyncEngine | None = db.info.get(COMMITTING_ALONE)
    return engine
