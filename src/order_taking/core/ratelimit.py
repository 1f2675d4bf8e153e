"""Token buckets shared by every process, kept in the database.

A minimal version of the limiter `ops` owns (same class and `take` signature); the lead keeps
ops' version when merging.
"""

import time
from collections.abc import Callable

from sqlalchemy import Float, String, select
from sqlalchemy.orm import Mapped, mapped_column

from order_taking.core.database import Base, Database, insert_if_missing


class RateLimitBucket(Base):
    __tablename__ = "rate_limit_buckets"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)  # seconds since the epoch


class RateLimiter:
    """One per process (`app.state.rate_limiter`); every process shares the counters."""

    def __init__(self, database: Database, clock: Callable[[], float] = time.time) -> None:
        self.database = database
        self.clock = clock

    async def take(self, key: str, rate_per_second: float, burst: int) -> float:
        """0.0 when allowed (one token taken), else the seconds to wait before retrying."""
        moment = self.clock()
        # Its own transaction: what is counted stays counted when the request fails.
        async with self.database.transaction() as db:
            table = RateLimitBucket.__table__
            await insert_if_missing(db, table, key=key, tokens=float(burst), updated_at=moment)
            bucket = await db.scalar(
                select(RateLimitBucket).where(RateLimitBucket.key == key).with_for_update()
            )
            assert bucket is not None
            elapsed = max(0.0, moment - bucket.updated_at)
            tokens = min(float(burst), bucket.tokens + elapsed * rate_per_second)
            bucket.updated_at = moment
            if tokens >= 1.0:
                bucket.tokens = tokens - 1.0
                return 0.0
            bucket.tokens = tokens
            return (1.0 - tokens) / rate_per_second
