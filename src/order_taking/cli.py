"""The `order-taking` command: serve, migrate, clients, operators, keys, catalog, worker, demo."""

import asyncio
import json
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import typer
import uvloop
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from order_taking import __version__
from order_taking.auth import keys as signing_keys
from order_taking.auth import service as sign_in
from order_taking.backend.worker import run_standalone
from order_taking.catalog import service as catalog
from order_taking.catalog.schemas import CatalogFile
from order_taking.clients import service as clients
from order_taking.clients.models import BearerToken, Client, Operator
from order_taking.clients.repository import CLIENT_TOKENS, OPERATOR_TOKENS, TokenKind
from order_taking.core import migrate as migrations
from order_taking.core.database import Database
from order_taking.core.settings import Settings, get_settings
from order_taking.core.time import render_datetime
from order_taking.demo import demo_app
from order_taking.operations.logs import configure_logging, logging_config
from order_taking.operations.metrics import MULTIPROCESS_DIRECTORY
from order_taking.operations.schema import require_current_schema
from order_taking.operations.server import health_server

app = typer.Typer(
    help="Order Taking API: the service and its administration.", no_args_is_help=True
)
clients_app = typer.Typer(help="Client operators and their bearer tokens.", no_args_is_help=True)
operators_app = typer.Typer(
    help="The operator's staff (ADV) and their tokens.", no_args_is_help=True
)
keys_app = typer.Typer(help="Signing keys of the built-in token issuer.", no_args_is_help=True)
catalog_app = typer.Typer(help="Offerings, options and eligibility items.", no_args_is_help=True)
app.add_typer(clients_app, name="clients")
app.add_typer(operators_app, name="operators")
app.add_typer(catalog_app, name="catalog")
app.add_typer(keys_app, name="keys")
app.add_typer(demo_app, name="demo")

T = TypeVar("T")


def _version(show: bool) -> None:
    if show:
        typer.echo(f"order-taking {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version"),
    ] = False,
) -> None:
    """Order Taking API: the service and its administration."""


def _in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    require_current_schema(get_settings())

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
    require_current_schema(settings)
    # Several processes add up their metrics in a fresh directory of this serve's own.
    metrics_directory = tempfile.mkdtemp(prefix="order-taking-metrics-") if workers > 1 else None
    if metrics_directory:
        os.environ[MULTIPROCESS_DIRECTORY] = metrics_directory
    try:
        uvicorn.run(
            "order_taking.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=settings.log_level.lower(),
            log_config=logging_config(settings),
            access_log=False,  # order_taking.access writes the access lines, in our format
            # uvloop sets TCP_NODELAY on every accepted connection; asyncio's loop does not on
            # the socket that --workers binds (uvicorn issue 3149), so each response would wait
            # ~40 ms for the client's delayed ACK. httptools parses HTTP faster than h11.
            loop="uvloop",
            http="httptools",
            # The supervisor kills an API process that does not answer its health check in time
            # and starts another: at uvicorn's 5 s, processes starting on a loaded host (imports
            # alone took 15 s here) were killed and restarted in a loop, never serving.
            timeout_worker_healthcheck=60,
        )
    finally:
        if metrics_directory:
            shutil.rmtree(metrics_directory, ignore_errors=True)


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
    health_port: Annotated[
        int | None,
        typer.Option(min=0, max=65535, help="Serve /healthz, /readyz and /metrics on this port"),
    ] = None,
    health_host: Annotated[str, typer.Option(help="Address of the health port")] = "127.0.0.1",
) -> None:
    """Process confirmed lines; run any number of workers, on any machines, on one PostgreSQL.

    SIGTERM or SIGINT: the lines in flight are finished, then the worker stops.
    """
    settings = get_settings()
    overrides = {"worker_concurrency": concurrency, "worker_batch_size": batch}
    settings = settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    require_current_schema(settings)
    uvloop.run(_worker(settings, once, health_host, health_port))


async def _worker(settings: Settings, once: bool, host: str, health_port: int | None) -> None:
    async with AsyncExitStack() as stack:
        if health_port is not None:
            database = Database(settings.database_url)
            stack.push_async_callback(database.dispose)
            await stack.enter_async_context(health_server(database, settings, host, health_port))
        await run_standalone(settings, once=once)


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


def _credential_commands(
    group: typer.Typer,
    kind: TokenKind,
    holder: str,
    find: Callable[[AsyncSession, str], Awaitable[Client | Operator | None]],
) -> None:
    """`tokens`, `token`, `revoke` and `password` of a client (by code) or an operator (by name)."""
    argument = typer.Argument(help=f"The {holder}'s {'code' if kind is CLIENT_TOKENS else 'name'}")

    async def owner(db: AsyncSession, key: str) -> Client | Operator:
        found = await find(db, key)
        if found is None:
            raise _fail(f"no {holder} {key}")
        return found

    async def owner_id(db: AsyncSession, key: str) -> str:
        return (await owner(db, key)).id

    @group.command("password")
    def password(key: Annotated[str, argument]) -> None:
        """Set a new random password for the OAuth2 grants (printed as the last line)."""

        async def work(db: AsyncSession) -> str:
            return await sign_in.set_password(db, await owner(db, key))

        typer.echo(f"new password of {holder} {key} (shown once):")
        typer.echo(_in_transaction(work))

    @group.command("tokens")
    def list_tokens(key: Annotated[str, argument]) -> None:
        """List the bearer tokens: id, created, last used, expiry, revocation."""

        async def work(db: AsyncSession) -> list[BearerToken]:
            return await clients.tokens_of(db, kind, await owner_id(db, key))

        typer.echo("id\tcreated\tlast_used\texpires\trevoked")
        for token in _in_transaction(work):
            moments = (token.created_at, token.last_used_at, token.expires_at, token.revoked_at)
            typer.echo("\t".join([token.id, *(_moment(m) for m in moments)]))

    @group.command("token")
    def add_token(
        key: Annotated[str, argument],
        expires_in: Annotated[
            int | None, typer.Option(min=1, help="Days until it expires (default: never)")
        ] = None,
    ) -> None:
        """Give one more bearer token (printed as the last line)."""

        async def work(db: AsyncSession) -> str:
            days = timedelta(days=expires_in) if expires_in is not None else None
            return await clients.issue_token(db, kind, await owner_id(db, key), days)

        typer.echo(_in_transaction(work))

    @group.command("revoke")
    def revoke(
        key: Annotated[str, argument],
        token_id: Annotated[str, typer.Argument(help="The token's id (see `tokens`)")],
    ) -> None:
        """Revoke a bearer token: every API process refuses it within a second."""

        async def work(db: AsyncSession) -> None:
            try:
                await clients.revoke_token(db, kind, await owner_id(db, key), token_id)
            except clients.TokenNotFound as error:
                raise _fail(f"{error} for {holder} {key}") from None

        _in_transaction(work)
        typer.echo(f"token {token_id} revoked")


def _moment(moment: datetime | None) -> str:
    return render_datetime(moment) if moment is not None else "-"


_credential_commands(clients_app, CLIENT_TOKENS, "client", clients.find_client)
_credential_commands(operators_app, OPERATOR_TOKENS, "operator", clients.find_operator)


@keys_app.command("rotate")
def rotate_keys() -> None:
    """A new key signs the built-in issuer's tokens; the old ones stay published until the
    tokens they signed have expired."""

    async def work(db: AsyncSession) -> str:
        return (await signing_keys.rotate(db, get_settings())).id

    typer.echo(f"new signing key {_in_transaction(work)}")


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
    configure_logging(get_settings())
    app()
