"""The `order-taking` command: serve, migrate, clients, operators, catalog, worker, demo data."""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
import uvloop
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking.backend.worker import run_standalone
from order_taking.catalog import service as catalog
from order_taking.catalog.schemas import CatalogFile
from order_taking.clients import service as clients
from order_taking.core import migrate as migrations
from order_taking.core.database import Database
from order_taking.core.settings import get_settings
from order_taking.demo import demo_app

app = typer.Typer(
    help="Order Taking API: the service and its administration.", no_args_is_help=True
)
clients_app = typer.Typer(help="Client operators and their bearer tokens.", no_args_is_help=True)
operators_app = typer.Typer(
    help="The operator's staff (ADV) and their tokens.", no_args_is_help=True
)
catalog_app = typer.Typer(help="Offerings, options and eligibility items.", no_args_is_help=True)
app.add_typer(clients_app, name="clients")
app.add_typer(operators_app, name="operators")
app.add_typer(catalog_app, name="catalog")
app.add_typer(demo_app, name="demo")

T = TypeVar("T")


def _in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        database = Database(get_settings().database_url)
        try:
            async with database.transaction() as db:
                return await work(db)
        finally:
            await database.dispose()

    return asyncio.run(run())


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    migrations.upgrade(get_settings().database_url)
    typer.echo("database is up to date")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="API processes")] = 1,
) -> None:
    """Serve the API (and, unless ORDER_TAKING_EMBEDDED_WORKER=false, process confirmed lines)."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "order_taking.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # uvloop sets TCP_NODELAY on every accepted connection; asyncio's loop does not on the
        # socket that --workers binds (uvicorn issue 3149), so each response would wait ~40 ms
        # for the client's delayed ACK. httptools parses HTTP faster than h11.
        loop="uvloop",
        http="httptools",
        log_level=settings.log_level.lower(),
    )


@app.command()
def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, max=256, help="Lines sent to the back end at once (default: settings)"),
    ] = None,
    batch: Annotated[
        int | None, typer.Option(min=1, max=1000, help="Lines claimed at once (default: settings)")
    ] = None,
    once: Annotated[bool, typer.Option(help="Process the lines due now, then exit")] = False,
) -> None:
    """Process confirmed lines; run any number of workers, on any machines, on one PostgreSQL.

    SIGTERM or SIGINT: the lines in flight are finished, then the worker stops.
    """
    settings = get_settings()
    overrides = {"worker_concurrency": concurrency, "worker_batch_size": batch}
    settings = settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    uvloop.run(run_standalone(settings, once=once))


@clients_app.command("create")
def create_client(
    code: Annotated[str, typer.Argument(help="Client code, e.g. DC173")],
    name: Annotated[str, typer.Option(help="Client's name")] = "",
) -> None:
    """Create a client; its bearer token is printed as the last line."""

    async def work(db: AsyncSession) -> str:
        try:
            _, token = await clients.create_client(db, code, name)
        except ValueError as error:
            raise _fail(str(error)) from None
        return token

    token = _in_transaction(work)
    typer.echo(f"client {code} created; its bearer token (shown once):")
    typer.echo(token)


@clients_app.command("token")
def add_token(code: Annotated[str, typer.Argument(help="Client code")]) -> None:
    """Give a client one more bearer token (printed as the last line)."""

    async def work(db: AsyncSession) -> str:
        client = await clients.find_client(db, code)
        if client is None:
            raise _fail(f"no client {code}")
        return await clients.add_client_token(db, client)

    typer.echo(_in_transaction(work))


@clients_app.command("list")
def list_clients() -> None:
    """List the clients."""
    for client in _in_transaction(clients.list_clients):
        typer.echo(f"{client.code}\t{client.name}")


@operators_app.command("create")
def create_operator(name: Annotated[str, typer.Argument(help="Operator's name")]) -> None:
    """Create an operator token for the staff actions (printed as the last line)."""

    async def work(db: AsyncSession) -> str:
        try:
            _, token = await clients.create_operator(db, name)
        except ValueError as error:
            raise _fail(str(error)) from None
        return token

    token = _in_transaction(work)
    typer.echo(f"operator {name} created; its bearer token (shown once):")
    typer.echo(token)


@catalog_app.command("load")
def load_catalog(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Catalog JSON file")],
) -> None:
    """Replace the catalog with the file's (format: see the README)."""
    try:
        data = CatalogFile.model_validate(json.loads(file.read_text()))
    except (ValueError, ValidationError) as error:
        raise _fail(f"{file}: {error}") from None

    async def work(db: AsyncSession) -> None:
        await catalog.replace_catalog(db, data)

    _in_transaction(work)
    typer.echo(
        f"catalog loaded: {len(data.offerings)} offerings, {len(data.options)} options, "
        f"{len(data.eligibility_items)} eligibility items"
    )


@catalog_app.command("show")
def show_catalog() -> None:
    """Print the catalog, in the file format."""
    typer.echo(_in_transaction(catalog.read_catalog).model_dump_json(indent=2))


def main() -> None:
    """The `order-taking` command (logging set up once for every subcommand)."""
    logging.basicConfig(
        level=get_settings().log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    app()
