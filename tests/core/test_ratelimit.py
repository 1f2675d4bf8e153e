"""The shared rate limiter: a burst, then one request per 1/rate seconds; one counter for every
process, in the database or in Redis."""

import time
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from order_taking.core.database import Database
from order_taking.core.ratelimit import PRUNE_EVERY_SECONDS, RateLimitBucket, RateLimiter

REDIS_URL = "redis://127.0.0.1:6379/15"


async def redis_reason() -> str | None:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as error:
        return f"no Redis at {REDIS_URL} ({error})"
    finally:
        await client.aclose()
    return None


@pytest.fixture(params=["database", "redis"])
async def limiters(
    request: pytest.FixtureRequest, database_url: str, database: Database
) -> AsyncIterator[tuple[RateLimiter, RateLimiter]]:
    """Two limiters as two API processes have them: their own connections, one store."""
    redis_url = ""
    if request.param == "redis":
        if reason := await redis_reason():
            pytest.skip(reason)
        redis_url = REDIS_URL
    other_process = Database(database_url)
    first, second = RateLimiter(database, redis_url), RateLimiter(other_process, redis_url)
    yield first, second
    await first.close()
    await second.close()
    await other_process.dispose()


async def test_a_burst_then_the_rate(limiters: tuple[RateLimiter, RateLimiter]) -> None:
    limiter, _ = limiters
    key = str(uuid.uuid4())
    # One request per 100 s: the time the test takes is negligible beside it.
    assert [await limiter.take(key, 0.01, 3) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert 99 < await limiter.take(key, 0.01, 3) <= 100
    # A refused request does not use the allowance: the wait does not grow.
    assert 99 < await limiter.take(key, 0.01, 3) <= 100


async def test_one_counter_for_every_process(limiters: tuple[RateLimiter, RateLimiter]) -> None:
    first, second = limiters
    key = str(uuid.uuid4())
    assert await first.take(key, 0.01, 2) == 0.0
    assert await second.take(key, 0.01, 2) == 0.0
    assert await first.take(key, 0.01, 2) > 99
    assert await second.take(key, 0.01, 2) > 99
    assert await second.take(str(uuid.uuid4()), 0.01, 2) == 0.0  # another key has its own


async def test_full_buckets_are_pruned_at_most_once_a_minute(database: Database) -> None:
    """A bucket whose time has passed is deleted (it is the same as none); one still counting
    stays, and the next prune waits a minute."""
    limiter = RateLimiter(database)
    now = time.time()
    stale, counting, later_stale = (str(uuid.uuid4()) for _ in range(3))
    async with database.transaction() as db:
        db.add(RateLimitBucket(key=stale, tat=now - 10))
        db.add(RateLimitBucket(key=counting, tat=now + 100))
    taken = str(uuid.uuid4())
    assert await limiter.take(taken, 0.01, 3) == 0.0
    assert await _bucket_keys(database, stale, counting, taken) == {counting, taken}

    async with database.transaction() as db:
        db.add(RateLimitBucket(key=later_stale, tat=now - 10))
    assert await limiter.take(taken, 0.01, 3) == 0.0
    assert await _bucket_keys(database, later_stale) == {later_stale}

    limiter.pruned_at -= PRUNE_EVERY_SECONDS  # a minute later
    assert await limiter.take(taken, 0.01, 3) == 0.0
    assert await _bucket_keys(database, later_stale, taken) == {taken}


async def _bucket_keys(database: Database, *keys: str) -> set[str]:
    async with database.reading() as db:
        found = await db.scalars(select(RateLimitBucket.key).where(RateLimitBucket.key.in_(keys)))
        return set(found)
