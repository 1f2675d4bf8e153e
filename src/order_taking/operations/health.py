"""Is the process alive, is it ready: what a load balancer and an orchestrator ask."""

import asyncio
import logging
from dataclasses import dataclass

from order_taking.core.database import Database
from order_taking.core.errors import ErrorEntry
from order_taking.core.migrate import current_revision, schema_problem

log = logging.getLogger(__name__)

DATABASE_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class Readiness:
    problems: list[ErrorEntry]

    @property
    def ready(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return "not ready: " + "; ".join(entry.value for entry in self.problems)


async def readiness(database: Database) -> Readiness:
    """Ready when the database answers within a second and its schema is at the migrations' head."""
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
            revision = await current_revision(database.engine)
    except TimeoutError:
        late = f"the database did not answer within {DATABASE_TIMEOUT_SECONDS:g} s"
        return Readiness([ErrorEntry(code="unreachable", property_path="database", value=late)])
    except Exception as error:  # any failure to reach it makes the process unready, not broken
        away = f"the database cannot be reached: {type(error).__name__}"
        log.warning("readiness: %s", away)
        return Readiness([ErrorEntry(code="unreachable", property_path="database", value=away)])
    if behind := schema_problem(revision):
        return Readiness([ErrorEntry(code="behind", property_path="schema", value=behind)])
    return Readiness([])
