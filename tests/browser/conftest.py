"""Browser tests: real headless Chromium (Debian's package) driven by Playwright, on a live server.

They need PostgreSQL: the live server's test data is removed between tests by
emptying tables, which the append-only history refuses on SQLite (it allows
TRUNCATE on PostgreSQL). `.ci/run` installs Chromium; elsewhere the tests are
skipped, with the reason, when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django then refuses
# ORM calls from it unless told that this is deliberate (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Chromium as root on a closed network: no sandbox, no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    on_postgresql = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.postgresql)
            item.add_marker(pytest.mark.skipif(not on_postgresql, reason="needs PostgreSQL"))
            item.add_marker(
                pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")
            )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Browser, live_server: object) -> Iterator[Callable[..., Page]]:
    """A page in a fresh browser context (its own cookies), as many as a test needs."""
    contexts = []

    def make(locale: str = "en-GB") -> Page:
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def log_in(live_server: object) -> Callable[[Page, str], None]:
    def go(page: Page, username: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")  # type: ignore[attr-defined]
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()

    return go


@pytest.fixture
def screenshot() -> Callable[[Page, str], None]:
    """Save a full-page screenshot under test-artifacts/ (not committed)."""

    def save(page: Page, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return save
