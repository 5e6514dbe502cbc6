"""Headless Chromium (Debian's) driven by Playwright, for the page and timer-web benchmarks.

The pages' Content-Security-Policy forbids ``eval``, so Playwright's ``wait_for_function``
with a string fails there; ``wait_until`` polls ``page.evaluate`` from Python instead.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path(os.environ.get("MIDBACK_CHROMIUM", "/usr/bin/chromium"))
ARGS = [  # also the end-to-end tests' (tests/e2e/conftest.py)
    "--no-sandbox",  # root in a container has no user namespaces for the sandbox
    "--disable-gpu",
    # The machine's network is closed: without these Chromium keeps calling Google's hosts.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
T = TypeVar("T")


def missing() -> str | None:
    """Why the browser benchmarks cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    return None


def version() -> str:
    """Chromium's version line."""
    done = subprocess.run(
        [str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    return done.stdout.strip() or "unknown"


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium, closed when the block ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def wait_until(page: Page, check: Callable[[], T], *, what: str, timeout_s: float = 30.0) -> T:
    """Call ``check`` until it returns something true, and return that."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        page.wait_for_timeout(50)


def player_state(page: Page) -> dict[str, Any]:
    """The player's own account of itself (``window.midbackPlayer.state()``)."""
    state: dict[str, Any] = page.evaluate(
        "() => window.midbackPlayer ? window.midbackPlayer.state() : {stage: null}"
    )
    return state
