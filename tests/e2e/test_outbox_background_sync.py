"""The service worker sends the outbox on a Background Sync, with no midback page open: a
session finished offline reaches the server once the network is back. Chromium fires the sync
the pages registered when connectivity returns; the test also dispatches one through the
DevTools protocol (ServiceWorker.dispatchSyncEvent) so it never depends on that timing. With the
worker's sync handler disabled, the session stays running (checked by hand when written)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.e2e.browser import QUIET_PLUGIN, player, wait_stage, wait_until
from tests.e2e.live import LiveServer

pytestmark = [pytest.mark.e2e, QUIET_PLUGIN]

MIRRORED = """async () => {
  const cache = await caches.open("midback.outbox");
  const stored = await cache.match("/__midback_outbox__");
  return stored ? (await stored.json()).map((item) => item.key) : [];
}"""


def test_the_service_worker_sends_a_session_finished_offline(
    page: Page, context: BrowserContext, live_server: LiveServer
) -> None:
    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))  # fmt: skip
    cdp.send("ServiceWorker.enable")
    page.clock.install()
    page.goto(f"{live_server.url}/player?program=three-for-relief")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.get_by_role("button", name="Start without rating").click()
    wait_stage(page, "run")
    session_id = player(page)["sessionId"]
    total = page.evaluate("() => window.midbackPlayer.timeline().total_s")

    context.set_offline(True)
    page.clock.fast_forward(int(total * 1000) + 1000)
    page.clock.run_for(300)
    wait_stage(page, "after")
    page.get_by_role("button", name="Save and finish").click()
    wait_stage(page, "done")
    finish = f"s{session_id}-finish"
    keys = wait_until(page, lambda: finish in (found := page.evaluate(MIRRORED)) and found,
                      what="the outbox, finish included, mirrored for the worker")  # fmt: skip
    assert keys[-1] == finish and len(keys) == 4, keys
    assert live_server.get(f"/api/v1/sessions/{session_id}")["status"] == "running"
    page.goto("about:blank")  # no midback page open from here

    context.set_offline(False)
    scope = next(r for r in registrations if r["scopeURL"].startswith(live_server.url))
    cdp.send("ServiceWorker.dispatchSyncEvent", {
        "origin": live_server.url, "registrationId": scope["registrationId"],
        "tag": "midback-outbox", "lastChance": False,
    })  # fmt: skip

    def finished() -> dict[str, Any] | None:
        session: dict[str, Any] = live_server.get(f"/api/v1/sessions/{session_id}")
        return session if session["status"] == "completed" else None

    session = wait_until(page, finished, what="the worker to send the finished session")
    assert sorted(log["position"] for log in session["logs"]) == [0, 1, 2]
