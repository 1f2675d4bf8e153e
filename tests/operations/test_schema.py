"""Every command on a database never migrated, or behind: one clear line and exit status 2."""

import asyncio
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from order_taking.cli import app
from order_taking.core.migrate import head_revision, upgrade
from order_taking.core.settings import get_settings

COMMANDS = [
    ["serve", "--port", "0"],
    ["worker", "--once"],
    ["clients", "list"],
    ["clients", "create", "DC1"],
    ["operators", "create", "ann"],
    ["catalog", "show"],
    ["demo", "load", "--lines", "1"],
]


def run(*args: str, url: str, cwd: Path | None = None) -> tuple[int, str]:
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, list(args), env={"ORDER_TAKING_DATABASE_URL": url})
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_database_never_migrated_is_one_line_and_exit_2(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    status, stderr = run(*command, url="sqlite:///order_taking.db")
    assert status == 2
    assert stderr.count("\n") == 1
    assert "the database schema is not up to date: run order-taking migrate" in stderr
    assert str(tmp_path / "order_taking.db") in stderr  # the path, made absolute
    assert not (tmp_path / "order_taking.db").exists()  # and no empty file left there


async def test_a_schema_behind_says_at_which_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    await asyncio.to_thread(upgrade, url, "0004")
    status, stderr = await asyncio.to_thread(run, "clients", "list", url=url)
    assert status == 2
    assert f"at revision 0004, the code expects {head_revision()}" in stderr


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    status, stderr = run("clients", "list", url="postgresql://nobody@127.0.0.1:1/none")
    assert status == 2
    assert stderr.startswith("error: the database postgresql://nobody@127.0.0.1:1/none cannot be")
    assert stderr.count("\n") == 1


def test_version_is_the_packages(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"order-taking {version('order-taking')}"


async def test_the_openapi_document_has_the_same_version(api: object) -> None:
    document = (await api.get("/openapi.json")).json()  # type: ignore[attr-defined]
    assert document["info"]["version"] == version("order-taking")
