"""Every command that uses the database first checks its schema: one clear line and exit status
2 when it was never migrated or is behind, instead of a traceback later."""

import asyncio
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from order_taking.core.database import create_engine
from order_taking.core.migrate import current_revision, schema_problem
from order_taking.core.settings import Settings

EXIT_SCHEMA = 2
NOT_UP_TO_DATE = "the database schema is not up to date: run order-taking migrate"


def shown_url(database_url: str) -> str:
    """The URL as a user should read it: a SQLite path made absolute, no password."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return f"sqlite:///{Path(url.database).resolve()}"
    return url.render_as_string(hide_password=True)


def _sqlite_file_missing(database_url: str) -> bool:
    url = make_url(database_url)
    return (
        url.get_backend_name() == "sqlite"
        and bool(url.database)
        and url.database != ":memory:"
        and not Path(str(url.database)).exists()
    )


async def _revision(database_url: str) -> str | None:
    engine = create_engine(database_url)
    try:
        return await current_revision(engine)
    finally:
        await engine.dispose()


def require_current_schema(settings: Settings) -> None:
    """Exits with status 2 and one line on stderr unless the schema is at the migrations' head."""
    where = shown_url(settings.database_url)
    if _sqlite_file_missing(settings.database_url):
        problem = schema_problem(None)  # and connecting would create an empty file
    else:
        try:
            problem = schema_problem(asyncio.run(_revision(settings.database_url)))
        except Exception as error:  # any failure to reach it: said in one line, not a traceback
            reason = (str(error).splitlines() or [""])[0]
            _exit(f"the database {where} cannot be reached: {type(error).__name__}: {reason}")
    if problem:
        _exit(f"{NOT_UP_TO_DATE} ({where}: {problem})")


def _exit(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_SCHEMA)
