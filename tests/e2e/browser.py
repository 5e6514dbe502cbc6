"""Helpers for driving pages in the browser tests.

The pages' Content-Security-Policy forbids ``eval``, so ``page.wait_for_function("...")`` (which
evaluates its text inside the page) fails there; these helpers poll from Python instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Page, ViewportSize
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PHONE: ViewportSize = {"width": 412, "height": 900}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}

T = TypeVar("T")

QUIET_PLUGIN = pytest.mark.filterwarnings(
    # pytest-playwright 0.10 defines its fallback `base_url` session fixture as a method, which
    # pytest 9 deprecates; the warning is the plugin's, and these tests do not use base_url.
    "ignore:Session-scoped fixtures defined as instance methods"
)
"""Mark of every browser test module (with ``e2e``)."""


def wait_until(
    page: Page,
    check: Callable[[], T | None],
    *,
    what: str | Callable[[], str],
    timeout_s: float = 20.0,
) -> T:
    """Call ``check`` until it returns something true, and return that.

    Between calls the page's events are processed (``page.wait_for_timeout``). On time out,
    AssertionError names ``what`` was awaited (a callable is asked then, to describe the end).
    """
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            described = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {described}")
        page.wait_for_timeout(20)


def player(page: Page) -> dict[str, Any]:
    """The player's own account of itself (``window.midbackPlayer.state()``)."""
    state: dict[str, Any] = page.evaluate("() => window.midbackPlayer.state()")
    return state


def wait_stage(page: Page, stage: str, *, timeout_s: float = 20.0) -> dict[str, Any]:
    """Wait until the player shows ``stage`` (pain, run, after, done, blocked...); its state."""

    def shown() -> dict[str, Any] | None:
        state = player(page)
        return state if state["stage"] == stage else None

    return wait_until(
        page,
        shown,
        what=lambda: f"the player's {stage!r} stage (it shows {player(page)['stage']!r})",
        timeout_s=timeout_s,
    )


def wait_sent(page: Page, *, timeout_s: float = 20.0) -> dict[str, Any]:
    """Wait until the player's outbox is empty (everything reached the server); its state."""

    def empty() -> dict[str, Any] | None:
        state = player(page)
        return state if state["queued"] == 0 and not state["sending"] else None

    return wait_until(
        page,
        empty,
        what=lambda: f"the player's outbox to empty ({player(page)['queued']} left)",
        timeout_s=timeout_s,
    )


def spoken(page: Page) -> list[str]:
    """What the page asked the stubbed speech synthesis to say, in order (empty texts left out)."""
    texts: list[str] = page.evaluate("() => window.__spoken.slice()")
    return [text for text in texts if text]


SCREENSHOT_TIMEOUT_MS = 15_000
"""One capture's limit; two of them are Playwright's default of 30 s."""


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save the page as ``artifacts/screenshots/NAME.png`` and return the path.

    A capture that times out is taken once more, after the page has settled. Headless
    Chromium's capture has been seen to never answer (once in a full run: the page had just
    reloaded itself to show what its outbox sent, and its content was already checked); the
    picture is evidence, not an assertion, and a second timeout still fails the test.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    try:
        page.screenshot(path=str(path), full_page=full_page, timeout=SCREENSHOT_TIMEOUT_MS)
    except PlaywrightTimeout:
        page.wait_for_load_state("load")
        page.screenshot(path=str(path), full_page=full_page, timeout=SCREENSHOT_TIMEOUT_MS)
    return path
