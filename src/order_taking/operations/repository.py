"""The queries behind the health checks and the job gauges."""

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.backend.models import OrderCreationJob


async def job_counts(db: AsyncSession, at: datetime) -> tuple[dict[str, int], datetime | None]:
    """Jobs due now, claimed (lease running) and retrying later, and the oldest due run_after:
    one pass over the job table (a claim pushes run_after to its lease's end)."""
    job = OrderCreationJob
    later = job.run_after > at
    query = select(
        func.count(case((~later, 1))),
        func.count(case((later & job.claim_token.is_not(None), 1))),
        func.count(case((later & job.claim_token.is_(None), 1))),
        func.min(case((~later, job.run_after))),
    )
    due, claimed, retrying, oldest = (await db.execute(query)).one()
    return {"due": due, "claimed": claimed, "retrying": retrying}, oldest
