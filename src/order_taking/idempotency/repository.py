"""Queries of the idempotency keys."""

import hashlib
from datetime import datetime

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.idempotency.models import IdempotencyKey

# Expired keys deleted by one write that uses a key: the purge stays a short, bounded statement.
PURGE_BATCH = 100


def lock_id(owner: str, key: str) -> int:
    """A signed 64-bit number for (owner, key), as PostgreSQL's advisory locks take."""
    digest = hashlib.blake2b(f"{owner}\n{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def try_lock(db: AsyncSession, owner: str, key: str) -> bool:
    """Takes the key for this transaction, or answers False at once if another one holds it.

    PostgreSQL: a transaction-level advisory lock, released by the commit or the rollback.
    SQLite: every transaction already holds the database's write lock (BEGIN IMMEDIATE), so a
    second request with the key waits for the first to end, then finds its response.
    """
    if db.get_bind().dialect.name != "postgresql":
        return True
    return bool(await db.scalar(select(func.pg_try_advisory_xact_lock(lock_id(owner, key)))))


async def find(db: AsyncSession, owner: str, key: str) -> IdempotencyKey | None:
    return await db.get(IdempotencyKey, (owner, key))


async def purge_expired(db: AsyncSession, at: datetime) -> None:
    """Deletes up to PURGE_BATCH expired keys, skipping those another transaction holds."""
    expired = (
        select(IdempotencyKey.owner, IdempotencyKey.key)
        .where(IdempotencyKey.expires_at <= at)
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    await db.execute(
        delete(IdempotencyKey)
        .where(tuple_(IdempotencyKey.owner, IdempotencyKey.key).in_(expired))
        .execution_options(synchronize_session=False)
    )


def add(db: AsyncSession, record: IdempotencyKey) -> None:
    db.add(record)


async def remove(db: AsyncSession, record: IdempotencyKey) -> None:
    await db.delete(record)
    await db.flush()
