"""The rate limiter every API process shares: a GCRA (token bucket) per key, kept in Redis when
ORDER_TAKING_REDIS_URL is set, in the database otherwise, so that a limit holds across processes.

GCRA keeps one number per key, the "theoretical arrival time" (tat): a request is allowed when
`max(tat, now) + 1/rate - burst/rate <= now`, and then pushes tat by 1/rate.
"""

import logging
import time
from typing import Any

from sqlalchemy import Double, String, case, delete, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from order_taking.core.database import Base, Database

log = logging.getLogger(__name__)

# A bucket whose tat has passed is full again, the same as no bucket: the database's are deleted
# in short batches, at most this often per process, so that callers that come once (a flood of
# made-up tokens, each its own key) do not grow the table for ever. Redis keys expire by TTL.
PRUNE_EVERY_SECONDS = 60.0
PRUNE_BATCH = 1000


class RateLimitBucket(Base):
    """One key's bucket when the counters live in the database."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tat: Mapped[float] = mapped_column(Double)
    # The wait the last take() answered: lets one upsert say whether it was allowed.
    wait: Mapped[float] = mapped_column(Double, default=0.0)


# Same rule as the database's upsert; returns the wait as text (Lua numbers become integers).
_REDIS_TAKE = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if tat < now then tat = now end
local wait = tat + interval - tolerance - now
if wait > 0 then return tostring(wait) end
local ttl = math.ceil((tat + interval - now) * 1000) + 1
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', ttl)
return '0'
"""


class RateLimiter:
    """Created once per process (`app.state.rate_limiter`)."""

    def __init__(self, database: Database, redis_url: str = "") -> None:
        self.database = database
        self.redis: Any = None
        if redis_url:
            from redis.asyncio import Redis

            self.redis = Redis.from_url(redis_url)
            self._redis_take = self.redis.register_script(_REDIS_TAKE)
        self.pruned_at = float("-inf")

    @property
    def store(self) -> str:
        return "redis" if self.redis is not None else "database"

    async def take(self, key: str, rate_per_second: float, burst: int) -> float:
        """0.0 when one more request under `key` is allowed, else the seconds to wait."""
        interval = 1.0 / rate_per_second
        tolerance = max(burst, 1) * interval
        now = time.time()
        if self.redis is not None:
            keys, args = [f"order_taking:rate:{key}"], [now, interval, tolerance]
            wait = await self._redis_take(keys=keys, args=args)
            return max(float(wait), 0.0)
        return await self._take_in_database(key, now, interval, tolerance)

    async def _take_in_database(
        self, key: str, now: float, interval: float, tolerance: float
    ) -> float:
        bucket = RateLimitBucket
        async with self.database.transaction() as db:
            insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
            start = _latest(bucket.tat, now)
            wait = start + interval - tolerance - now
            statement = (
                insert(bucket)
                .values(key=key, tat=now + interval, wait=0.0)
                .on_conflict_do_update(
                    index_elements=[bucket.key],
                    # Both right-hand sides read the row as it was: one statement, one lock.
                    set_={
                        "tat": _if_allowed(wait, start + interval, bucket.tat),
                        "wait": _if_allowed(wait, 0.0, wait),
                    },
                )
                .returning(bucket.wait)
            )
            wait_answered = max(float((await db.execute(statement)).scalar_one()), 0.0)
        if now - self.pruned_at >= PRUNE_EVERY_SECONDS:
            self.pruned_at = now
            await self._prune_full_buckets(now)
        return wait_answered

    async def _prune_full_buckets(self, now: float) -> None:
        bucket = RateLimitBucket
        # As idempotency's purge does: a bucket being taken right now (locked) is left alone.
        full = (
            select(bucket.key)
            .where(bucket.tat < now)
            .limit(PRUNE_BATCH)
            .with_for_update(skip_locked=True)
        )
        try:
            async with self.database.transaction() as db:
                await db.execute(
                    delete(bucket)
                    .where(bucket.key.in_(full))
                    .execution_options(synchronize_session=False)
                )
        except Exception as error:  # the next prune tries again; the take itself was answered
            log.warning("full rate-limit buckets not pruned: %s", type(error).__name__)

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


def _latest(column: Any, now: float) -> Any:
    return case((column > now, column), else_=literal(now))


def _if_allowed(wait: Any, allowed: Any, refused: Any) -> Any:
    return case((wait <= 0, allowed), else_=refused)
