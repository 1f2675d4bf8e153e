"""Human-readable references, `PO_DC173_20250423_003363`: a counter per client, kind and day."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from order_taking.core.database import Base, insert_if_missing
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
    """The next reference of that kind; the counter row's lock makes it unique under concurrency."""
    [reference] = await next_references(
        db, kind=kind, client_id=client_id, client_code=client_code, at=at, count=1
    )
    return reference


async def next_references(
    db: AsyncSession, *, kind: str, client_id: str, client_code: str, at: datetime, count: int
) -> list[str]:
    """The next `count` references of that kind and day, reserved at once (bulk loads)."""
    day = local_date(at).strftime("%Y%m%d")
    key = {"client_id": client_id, "kind": kind, "day": day}
    await insert_if_missing(db, ReferenceCounter, **key, value=0)
    last = await db.scalar(
        update(ReferenceCounter)
        .where(*(getattr(ReferenceCounter, k) == v for k, v in key.items()))
        .values(value=ReferenceCounter.value + count)
        .returning(ReferenceCounter.value)
    )
    assert last is not None
    return [f"{kind}_{client_code}_{day}_{n:06d}" for n in range(last - count + 1, last + 1)]
