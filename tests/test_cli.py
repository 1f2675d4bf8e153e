"""The `order-taking` command, run against the suite's database: migrate, clients, catalog, demo."""

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.script import ScriptDirectory
from typer.testing import CliRunner, Result

from order_taking.auth.keys import published_keys, signing_key
from order_taking.catalog import service as catalog
from order_taking.cli import app
from order_taking.core.database import Database
from order_taking.core.migrate import alembic_config
from order_taking.core.settings import get_settings
from tests.auth.factories import password_grant
from tests.conftest import ClientFactory
from tests.ordering.factories import create_session_with_line

Cli = Callable[..., Awaitable[Result]]


@pytest.fixture
async def cli(database_url: str, database: Database) -> AsyncIterator[Cli]:
    """`await cli("clients", "list")`: the command run on the suite's database.

    In a thread: the command runs its own event loop, as it does in a shell.
    """

    def run(*args: str, url: str) -> Result:
        get_settings.cache_clear()  # the settings are read once per process
        try:
            return CliRunner().invoke(app, list(args), env={"ORDER_TAKING_DATABASE_URL": url})
        finally:
            get_settings.cache_clear()

    async def invoke(*args: str, url: str = database_url) -> Result:
        return await asyncio.to_thread(run, *args, url=url)

    yield invoke


@pytest.fixture
async def demo_catalog_back(database: Database) -> AsyncIterator[None]:
    """The other tests count on the demo catalog: it is put back after a test that replaced it."""
    yield
    async with database.transaction() as db:
        await catalog.replace_catalog(db, catalog.demo_catalog())


def ids(catalog_file: dict[str, list[dict[str, object]]]) -> dict[str, set[object]]:
    return {kind: {entry["id"] for entry in entries} for kind, entries in catalog_file.items()}


def last_line(result: Result) -> str:
    return result.stdout.strip().splitlines()[-1]


class TestMigrate:
    async def test_brings_a_new_database_up_to_date(self, cli: Cli, tmp_path: Path) -> None:
        path = tmp_path / "new.db"

        result = await cli("migrate", url=f"sqlite:///{path}")
        again = await cli("migrate", url=f"sqlite:///{path}")

        assert (result.exit_code, again.exit_code) == (0, 0), result.output
        assert "database is up to date" in result.stdout
        with sqlite3.connect(path) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            [(version,)] = db.execute("SELECT version_num FROM alembic_version").fetchall()
        assert {"order_sessions", "order_lines", "clients"} <= tables
        assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()


class TestClientsCreate:
    async def test_prints_a_token_that_opens_the_api(
        self, cli: Cli, make_client: ClientFactory
    ) -> None:
        result = await cli("clients", "create", "DC173", "--name", "Covage")

        assert result.exit_code == 0, result.output
        api = await make_client("DC173", token=last_line(result))
        assert (await api.get("/api/v1/product_order")).status_code == 200

    @pytest.mark.parametrize("code", ["dc173", "D", "DC 173", "DC-173"])
    async def test_refuses_a_malformed_code(self, cli: Cli, code: str) -> None:
        result = await cli("clients", "create", code)

        assert result.exit_code == 1
        assert "error:" in result.stderr

    async def test_refuses_a_code_taken(self, cli: Cli) -> None:
        await cli("clients", "create", "DC173")

        result = await cli("clients", "create", "DC173")

        assert result.exit_code == 1
        assert "already exists" in result.stderr


class TestClientsList:
    async def test_lists_the_clients_by_code(self, cli: Cli) -> None:
        await cli("clients", "create", "XY999", "--name", "Other")
        await cli("clients", "create", "DC173", "--name", "Covage")

        result = await cli("clients", "list")

        assert result.exit_code == 0
        assert result.stdout.splitlines() == ["DC173\tCovage", "XY999\tOther"]


@pytest.mark.usefixtures("demo_catalog_back")
class TestCatalogLoad:
    async def test_replaces_the_catalog_with_the_file(self, cli: Cli, tmp_path: Path) -> None:
        file = tmp_path / "catalog.json"
        file.write_text(
            json.dumps(
                {
                    "options": [{"id": "9001", "name": "Backup"}],
                    "offerings": [{"id": "5000", "offer_family": "BPE", "options": ["9001"]}],
                    "eligibility_items": [{"id": "E1", "city": "Caen", "offerings": ["5000"]}],
                }
            )
        )

        result = await cli("catalog", "load", str(file))
        shown = await cli("catalog", "show")

        assert result.exit_code == 0, result.output
        assert "1 offerings, 1 options, 1 eligibility items" in result.stdout
        stored = json.loads(shown.stdout)
        assert [o["id"] for o in stored["offerings"]] == ["5000"]
        assert stored["eligibility_items"][0]["city"] == "Caen"

    @pytest.mark.parametrize(
        ("content", "says"),
        [
            ("{not json", "catalog.json"),
            ('{"offerings": [{"id": "5000", "options": ["404"]}]}', "unknown options"),
            ('{"offerings": [{"id": "5000", "price": 3}]}', "price"),
        ],
    )
    async def test_a_bad_file_changes_nothing(
        self, cli: Cli, tmp_path: Path, content: str, says: str
    ) -> None:
        file = tmp_path / "catalog.json"
        file.write_text(content)
        before = await cli("catalog", "show")

        result = await cli("catalog", "load", str(file))

        assert result.exit_code == 1
        assert "error:" in result.stderr
        assert says in result.stderr
        assert (await cli("catalog", "show")).stdout == before.stdout

    async def test_a_missing_file_is_refused(self, cli: Cli, tmp_path: Path) -> None:
        result = await cli("catalog", "load", str(tmp_path / "nowhere.json"))

        assert result.exit_code == 2
        assert "does not exist" in result.output


class TestCatalogShow:
    async def test_prints_the_catalog_in_the_file_format(self, cli: Cli) -> None:
        result = await cli("catalog", "show")

        assert result.exit_code == 0
        shown = json.loads(result.stdout)
        assert ids(shown) == ids(catalog.demo_catalog().model_dump())
        [offering] = [o for o in shown["offerings"] if o["id"] == "2173"]
        assert offering["options"] == ["1615", "2210", "2220", "7021"]


class TestDemoLoad:
    async def test_loads_lines_for_a_new_client_and_prints_its_token(
        self, cli: Cli, make_client: ClientFactory
    ) -> None:
        result = await cli(
            "demo", "load", "--lines", "25", "--client", "DM001", "--sessions-of", "4"
        )

        assert result.exit_code == 0, result.output
        api = await make_client("DM001", token=last_line(result))
        lines = (await api.get("/api/v1/product_order_item", params={"limit": 100})).json()
        sessions = await api.get("/api/v1/product_order")
        assert lines["count"] == 25
        assert sessions.headers["X-Total-Count"] == "7"
        references = [line["order_reference"] for line in lines["items"]]
        assert len(set(references)) == 25
        assert all(reference.startswith("PO_DM001_") for reference in references)
        for line in lines["items"][:5]:
            assert (await api.get(f"/api/v1/product_order_item/{line['id']}")).status_code == 200

    async def test_loads_more_for_an_existing_client(
        self, cli: Cli, make_client: ClientFactory
    ) -> None:
        first = await cli("demo", "load", "--lines", "10", "--client", "DM001")
        second = await cli("demo", "load", "--lines", "10", "--client", "DM001", "--seed", "2")

        assert (first.exit_code, second.exit_code) == (0, 0), second.output
        api = await make_client("DM001", token=last_line(first))
        lines = (await api.get("/api/v1/product_order_item")).json()
        assert lines["count"] == 20
        assert len({line["order_reference"] for line in lines["items"]}) == 20

    async def test_the_api_numbers_on_after_the_demo(
        self, cli: Cli, make_client: ClientFactory
    ) -> None:
        result = await cli("demo", "load", "--lines", "30", "--client", "DM001")
        api = await make_client("DM001", token=last_line(result))

        _, line = await create_session_with_line(api)

        loaded = (await api.get("/api/v1/product_order_item", params={"limit": 100})).json()
        references = [item["order_reference"] for item in loaded["items"]]
        assert references.count(line["order_reference"]) == 1

    async def test_the_lines_can_be_searched(self, cli: Cli, make_client: ClientFactory) -> None:
        result = await cli("demo", "load", "--lines", "20", "--client", "DM001")
        api = await make_client("DM001", token=last_line(result))
        some = (await api.get("/api/v1/product_order_item", params={"limit": 1})).json()
        [line] = some["items"]
        detail = (await api.get(f"/api/v1/product_order_item/{line['id']}")).json()
        city = detail["related_contact_information"][0]["city"]

        for term in (line["order_reference"].lower(), line["end_customer_name"].upper(), city):
            found = await search(api, term)
            assert line["id"] in found, term

    async def test_refuses_a_malformed_client_code(self, cli: Cli) -> None:
        result = await cli("demo", "load", "--lines", "5", "--client", "not a code")

        assert result.exit_code == 1
        assert "error:" in result.stderr


async def search(api: httpx.AsyncClient, term: str) -> list[str]:
    response = await api.get("/api/v1/product_order_item", params={"search": term, "limit": 1000})
    return [item["id"] for item in response.json()["items"]]


class TestTokens:
    async def test_lists_adds_and_revokes_a_clients_tokens(
        self, cli: Cli, make_client: ClientFactory
    ) -> None:
        first = last_line(await cli("clients", "create", "DC173"))
        added = await cli("clients", "token", "DC173", "--expires-in", "30")
        listed = await cli("clients", "tokens", "DC173")
        [header, *rows] = listed.stdout.splitlines()
        first_id = rows[0].split("\t")[0]

        revoked = await cli("clients", "revoke", "DC173", first_id)
        after = (await cli("clients", "tokens", "DC173")).stdout.splitlines()[1:]

        assert (added.exit_code, listed.exit_code, revoked.exit_code) == (0, 0, 0), revoked.output
        assert header.split("\t") == ["id", "created", "last_used", "expires", "revoked"]
        assert len(rows) == 2
        assert rows[0].split("\t")[3] == "-"  # the first token never expires
        assert rows[1].split("\t")[3] != "-"
        assert after[0].split("\t")[4] != "-"
        assert after[1].split("\t")[4] == "-"
        api = await make_client("DC173", token=last_line(added))
        assert (await api.get("/api/v1/product_order")).status_code == 200
        refused = await make_client("DC173", token=first)
        assert (await refused.get("/api/v1/product_order")).status_code == 401

    async def test_an_operators_tokens_have_the_same_commands(self, cli: Cli) -> None:
        await cli("operators", "create", "Marie ADV")
        added = await cli("operators", "token", "Marie ADV")
        rows = (await cli("operators", "tokens", "Marie ADV")).stdout.splitlines()[1:]

        revoked = await cli("operators", "revoke", "Marie ADV", rows[1].split("\t")[0])

        assert added.exit_code == 0 and len(last_line(added)) >= 40
        assert len(rows) == 2
        assert revoked.exit_code == 0, revoked.output

    async def test_an_unknown_holder_or_token_is_an_error(self, cli: Cli) -> None:
        await cli("clients", "create", "DC173")

        unknown_client = await cli("clients", "tokens", "XY999")
        unknown_token = await cli("clients", "revoke", "DC173", "no-such-token")

        assert (unknown_client.exit_code, unknown_token.exit_code) == (1, 1)
        assert "no client XY999" in unknown_client.stderr
        assert "no token no-such-token" in unknown_token.stderr


class TestPasswords:
    async def test_a_clients_new_password_gets_tokens(self, cli: Cli, app: Any) -> None:
        await cli("clients", "create", "DC173")

        result = await cli("clients", "password", "DC173")

        assert result.exit_code == 0, result.output
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http:
            assert (await password_grant(http, "DC173", last_line(result))).status_code == 200

    async def test_an_operators_new_password_replaces_the_old(self, cli: Cli, app: Any) -> None:
        await cli("operators", "create", "Marie ADV")
        old = last_line(await cli("operators", "password", "Marie ADV"))

        new = last_line(await cli("operators", "password", "Marie ADV"))

        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http:
            assert (await password_grant(http, "Marie ADV", old)).status_code == 400
            assert (await password_grant(http, "Marie ADV", new)).status_code == 200

    async def test_an_unknown_client_has_no_password(self, cli: Cli) -> None:
        result = await cli("clients", "password", "XY999")

        assert result.exit_code == 1
        assert "no client XY999" in result.stderr


class TestKeysRotate:
    async def test_adds_a_key_that_signs_from_then_on(
        self, cli: Cli, database: Database, settings: Any
    ) -> None:
        async with database.transaction() as db:
            first = (await signing_key(db)).kid

        result = await cli("keys", "rotate")

        async with database.transaction() as db:
            current = (await signing_key(db)).kid
            published = {key["kid"] for key in await published_keys(db, settings)}
        assert result.exit_code == 0, result.output
        assert current != first and current in result.stdout
        assert published == {first, current}
