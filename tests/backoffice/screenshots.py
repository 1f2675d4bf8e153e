"""`make screenshots`: a PNG of each back-office page, with demo data, in the folder given.

    .venv/bin/python -m tests.backoffice.screenshots docs/screenshots

A fresh SQLite database in a temporary folder gets a year of demo lines for two clients, and a
few sessions confirmed just now and answered by the tests' scripted back end (held, rejected,
acknowledged lines, and jobs still waiting, one of them retrying); the app is served on an
ephemeral loopback port and Chromium takes the pictures.
"""

import asyncio
import sys
import tempfile
from pathlib import Path

from sqlalchemy import select, update

from order_taking.app import create_app, load_demo_catalog_if_empty
from order_taking.backend.models import OrderCreationJob
from order_taking.backend.worker import Worker
from order_taking.clients.service import create_operator
from order_taking.core.database import Database
from order_taking.core.migrate import upgrade
from order_taking.core.settings import Settings
from order_taking.demo import load_demo_lines
from order_taking.ordering.models import OrderLine
from order_taking.ordering.states import LineState
from tests.backend.backends import Scripted
from tests.backend.factories import confirmed_sessions
from tests.backoffice.browser import CHROMIUM, CHROMIUM_ARGS, chromium_missing_reason, served

LAPTOP = {"width": 1280, "height": 800}
NARROW = {"width": 390, "height": 844}


async def demo_data(database: Database, settings: Settings) -> str:
    """Loads the data; answers an operator's token."""
    await load_demo_catalog_if_empty(database)
    for code, lines in (("DC173", 200), ("ZX900", 80)):
        await load_demo_lines(database, client_code=code, lines=lines, lines_per_session=5, seed=7)
    await confirmed_sessions(database, "FX042", lines=30, per_session=5)
    await Worker(database, Scripted(), settings, batch_size=30).run_once()
    waiting = await confirmed_sessions(database, "NV310", lines=3, per_session=3)
    async with database.transaction() as db:
        await db.execute(
            update(OrderCreationJob)
            .where(OrderCreationJob.session_id == waiting[0])
            .where(
                OrderCreationJob.line_id
                == select(OrderLine.id)
                .where(OrderLine.session_id == waiting[0])
                .order_by(OrderLine.creation_date)
                .limit(1)
                .scalar_subquery()
            )
            .values(attempts=3, last_error="Back end unavailable: connection refused")
        )
        _, token = await create_operator(db, "Marie ADV")
    return token


async def held_line_id(database: Database) -> str:
    """The latest demo line held for validation (with its contacts)."""
    async with database.transaction() as db:
        query = (
            select(OrderLine.id)
            .where(
                OrderLine.state == LineState.HELD_ADV_VALIDATION.value,
                OrderLine.end_customer_name != "",
            )
            .order_by(OrderLine.order_date.desc())
            .limit(1)
        )
        line_id: str | None = await db.scalar(query)
    assert line_id is not None
    return line_id


async def take(folder: Path) -> list[Path]:
    from playwright.async_api import async_playwright

    with tempfile.TemporaryDirectory() as work:
        url = f"sqlite:///{Path(work) / 'screenshots.db'}"
        await asyncio.to_thread(upgrade, url)
        database = Database(url)
        settings = Settings(database_url=url, embedded_worker=False, demo_catalog=False)
        token = await demo_data(database, settings)
        line_id = await held_line_id(database)
        app = create_app(settings, database)
        written: list[Path] = []
        async with (
            app.router.lifespan_context(app),
            served(app) as base,
            async_playwright() as playwright,
        ):
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = await browser.new_page(viewport=LAPTOP)

            async def shoot(name: str, path: str, *, full_page: bool = True) -> None:
                if path:
                    await page.goto(base + path)
                target = folder / f"{name}.png"
                await page.screenshot(path=str(target), full_page=full_page)
                written.append(target)

            await shoot("sign-in", "/backoffice/sign-in", full_page=False)
            await page.get_by_label("Operator token").fill(token)
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_role("heading", name="Dashboard").wait_for()
            await shoot("dashboard", "")
            await shoot("lines", "/backoffice/lines?search=boulangerie", full_page=False)
            await shoot("line", f"/backoffice/lines/{line_id}")
            await shoot("clients", "/backoffice/clients", full_page=False)
            await page.set_viewport_size(NARROW)
            await shoot("dashboard-narrow", "/backoffice/", full_page=False)
            await shoot("line-narrow", f"/backoffice/lines/{line_id}", full_page=False)
            await browser.close()
        await database.dispose()
    return written


def main() -> None:
    if reason := chromium_missing_reason():
        sys.exit(f"cannot take screenshots: {reason}")
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(take(folder)):
        print(f"{path} ({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
