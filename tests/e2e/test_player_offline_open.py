"""The player opened offline never plays another session than the one asked for: served by the
service worker from the page saved for another address, it says clearly that this session
cannot start; on its own page, pressing start offline says the same."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.browser import QUIET_PLUGIN, player, screenshot, wait_stage
from tests.e2e.live import LiveServer

pytestmark = [pytest.mark.e2e, QUIET_PLUGIN]
CANNOT = "You are offline: this session cannot start"


def test_the_player_opened_offline_says_it_cannot_start_that_session(
    page: Page, context: BrowserContext, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/player")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now served through the worker, which has saved /player
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    context.set_offline(True)
    page.goto(f"{live_server.url}/player?program=three-for-relief")
    state = wait_stage(page, "error")
    assert state["sessionId"] is None and not state["started"]
    expect(page.get_by_role("heading", name=CANNOT)).to_be_visible()
    expect(page.get_by_role("button", name="3: start with pain 3 of 10")).to_be_hidden()
    screenshot(page, "player-offline-other-session", full_page=False)

    page.goto(f"{live_server.url}/player")  # the saved page is this address: it may try
    page.get_by_role("button", name="Start without rating").click()
    wait_stage(page, "error")
    expect(page.get_by_role("heading", name=CANNOT)).to_be_visible()
    assert player(page)["sessionId"] is None
