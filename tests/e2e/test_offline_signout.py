"""In server mode nothing personal outlives signing out (issue 15, item 4): sign in, visit the
personal pages and the export, sign out, go offline, and find none of them served, in Chromium
with the service worker running."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page

from midback.domain.accounts import Role
from tests.e2e.browser import QUIET_PLUGIN
from tests.e2e.live import served, server_mode_app

pytestmark = [pytest.mark.e2e, QUIET_PLUGIN]

EMAIL, PASSWORD = "alice@example.org", "alice's long password"
PERSONAL = ["/history", "/account", "/checkin", "/api/v1/me/export", "/api/v1/sessions"]


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    """The app in server mode, served for real on 127.0.0.1 (service workers need a real
    origin), with Alice's account."""
    app = server_mode_app(tmp_path)
    app.state.accounts.create(EMAIL, app.state.auth.hash(PASSWORD), role=Role.PERSON,
                              at=datetime.now(UTC))  # fmt: skip
    with served(app) as url:
        yield url


CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
  }
  return urls;
}"""


def test_nothing_personal_is_served_offline_after_signing_out(page: Page, server_url: str) -> None:
    page.goto(server_url + "/login")
    page.fill("#login-email", EMAIL)
    page.fill("#login-password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the worker
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    for path in PERSONAL:
        page.goto(server_url + path)
        assert page.url.endswith(path)
    page.goto(server_url + "/exercises")
    cached = page.evaluate(CACHED_URLS)
    assert "/exercises" in cached or "/static/app.js" in cached  # the worker does keep things
    assert not [url for url in cached if url in PERSONAL or url in ("/", "/player")], cached

    page.goto(server_url + "/account")
    page.click("button:has-text('Sign out everywhere')")
    page.wait_for_url("**/login")
    page.context.set_offline(True)
    try:
        for path in PERSONAL:
            try:
                page.goto(server_url + path)
            except Exception:  # offline and nothing kept: the navigation fails outright
                continue
            assert EMAIL not in page.content(), path
            assert "Your account" not in page.content(), path
    finally:
        page.context.set_offline(False)
