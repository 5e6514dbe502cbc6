"""Sessions survive: a reload mid-session offers to continue where it stood, with the results
so far kept and nothing logged twice; a session finished offline reaches the server from the
history page, without opening the player again. The page's time is Playwright's fake clock."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.browser import QUIET_PLUGIN, player, screenshot, wait_sent, wait_stage, wait_until
from tests.e2e.live import LiveServer

pytestmark = [pytest.mark.e2e, QUIET_PLUGIN]

PROGRAM = "three-for-relief"


def _start(page: Page, server: LiveServer) -> dict[str, Any]:
    page.clock.install()
    page.goto(f"{server.url}/player?program={PROGRAM}")
    page.get_by_role("button", name="3: start with pain 3 of 10").click()
    wait_stage(page, "run")
    timeline: dict[str, Any] = page.evaluate("() => window.midbackPlayer.timeline()")
    return timeline


def _go_to(page: Page, second: float) -> dict[str, Any]:
    offset = player(page)["offset"]
    if second > offset:
        page.clock.fast_forward(int((second - offset) * 1000))
    page.clock.run_for(300)
    return player(page)


def test_a_reload_mid_session_continues_where_it_stood(page: Page, live_server: LiveServer) -> None:
    timeline = _start(page, live_server)
    second = timeline["blocks"][1]
    state = _go_to(page, second["start_s"] + 2)  # the second exercise's introduction
    assert state["effortAsked"] and state["block"] == 1
    page.get_by_role("button", name="Too easy").click()
    state = _go_to(page, second["start_s"] + second["seconds"] // 2)
    wait_sent(page)
    where = state["offset"]
    session_id = state["sessionId"]

    page.reload()
    expect(page.get_by_role("heading", name="Continue exercise 2 of 3?")).to_be_focused()
    screenshot(page, "player-resume-offer", full_page=False)
    page.get_by_role("button", name="Continue exercise 2 of 3").click()
    state = wait_stage(page, "run")
    assert state["sessionId"] == session_id and state["block"] == 1
    assert where - 5 <= state["offset"] <= where + 1, (where, state["offset"])
    assert [r["block"] for r in state["results"]] == [0], "the first exercise is kept"

    _go_to(page, timeline["total_s"] + 1)
    wait_stage(page, "after")
    last = timeline["blocks"][2]["name"]
    page.get_by_role("group", name=f"How was {last}?").get_by_text("Too hard").click()
    page.get_by_role("button", name="Save and finish").click()
    wait_stage(page, "done")
    wait_sent(page)
    expect(page.locator("#done-summary li.status-completed")).to_have_count(3)

    session = live_server.get(f"/api/v1/sessions/{session_id}")
    positions = [log["position"] for log in session["logs"]]
    assert sorted(positions) == [0, 1, 2], positions  # each once: no duplicate logs
    efforts = {log["position"]: log["effort"] for log in session["logs"]}
    assert efforts == {0: "easy", 1: None, 2: "hard"}, efforts
    assert session["status"] == "completed"
    page.reload()
    expect(page.get_by_role("heading", name="Continue exercise 2 of 3?")).to_have_count(0)
    assert player(page)["stage"] == "pain", "a saved session is not offered again"


def test_a_session_finished_offline_shows_completed_from_the_history_page(
    page: Page, context: BrowserContext, live_server: LiveServer
) -> None:
    note = f"offline finish {uuid.uuid4().hex[:8]}"
    timeline = _start(page, live_server)
    session_id = player(page)["sessionId"]
    context.set_offline(True)
    _go_to(page, timeline["total_s"] + 1)
    wait_stage(page, "after")
    page.get_by_label("Note").fill(note)
    page.get_by_role("button", name="Save and finish").click()
    wait_stage(page, "done")
    expect(page.locator("#done-lead")).to_contain_text("sent when you are back online")
    assert live_server.get(f"/api/v1/sessions/{session_id}")["status"] == "running"
    page.goto("about:blank")  # leave the player while still offline

    context.set_offline(False)
    page.goto(f"{live_server.url}/history")
    row = page.get_by_role("row").filter(has_text=note)
    expect(row).to_contain_text("completed", timeout=10_000)
    screenshot(page, "history-after-offline-finish")

    def stored() -> dict[str, Any] | None:
        session: dict[str, Any] = live_server.get(f"/api/v1/sessions/{session_id}")
        return session if session["status"] == "completed" else None

    session = wait_until(page, stored, what="the session finished on the server")
    assert sorted(log["position"] for log in session["logs"]) == [0, 1, 2]
    assert page.evaluate("() => window.midbackOutbox.state().queued") == 0
