"""Browser tests: Debian's Chromium driven by pytest-playwright against the app served for real.

``scripts/test-deps`` (run by ``./dev test``) installs Chromium and axe-core. Playwright cannot
download its own browser on these machines, so ``browser_type_launch_args`` points it at
``/usr/bin/chromium`` (``MIDBACK_CHROMIUM`` overrides the path), launched as the benchmarks
launch it (``bench.browser``: the path and the flags live there).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bench.browser import ARGS as CHROMIUM_ARGS
from bench.browser import CHROMIUM
from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page

from tests.e2e.browser import PHONE
from tests.e2e.live import LiveServer, serving

SPEECH_STUB = Path(__file__).with_name("speech_stub.js")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium (Playwright's own browser builds cannot be downloaded here)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test-deps (./dev test does)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Every page starts phone-sized (412 x 900), the size the player is designed for first."""
    return {**browser_context_args, "viewport": PHONE}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on a store shared by the whole test session (history accumulates in it)."""
    with serving(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The app on a new, empty store for one test (say, one that records a red flag): no safety
    screen taken yet."""
    with serving(tmp_path, screened=False) as server:
        yield server


@pytest.fixture
def context(context: BrowserContext) -> BrowserContext:
    """A browser context whose pages have the speech stub (one voice, texts in window.__spoken)."""
    context.add_init_script(path=str(SPEECH_STUB))
    return context


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """The page's console errors and uncaught exceptions, as they happen (CSP violations too)."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            errors.append(f"console.error: {message.text}" + (f" ({where})" if where else ""))

    def on_page_error(error: Error) -> None:
        errors.append(f"uncaught: {error.message}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    return errors
