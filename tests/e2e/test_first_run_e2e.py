"""Issue 16 in a phone-sized Chromium (390 x 844): the first run from a fresh profile to a
finished first session, a returning person's one Start, a desk break under a fake clock, and
axe on the new pages. Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.e2e.browser import QUIET_PLUGIN, player, screenshot, wait_sent, wait_stage, wait_until
from tests.e2e.live import LiveServer
from tests.e2e.test_pages_a11y import AXE, FAILING_IMPACTS, _axe_violations, _describe

pytestmark = [pytest.mark.e2e, QUIET_PLUGIN]

PHONE_390: ViewportSize = {"width": 390, "height": 844}
MONDAY_10 = datetime(2030, 1, 7, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/test-deps (./dev test does)")
    return AXE.read_text(encoding="utf-8")


def _answer_the_screen(page: Page) -> None:
    page.get_by_label("How old are you?").fill("45")
    page.get_by_role("group", name="How bad is the pain right now?").get_by_role(
        "radio", name="3", exact=True
    ).check()
    page.get_by_label("How many days have you had this pain?").fill("3")
    page.get_by_role("group", name="Is it getting better?").get_by_role("radio", name="No").check()
    page.get_by_role("group", name="Has a doctor or physiotherapist").get_by_role(
        "radio", name="No"
    ).check()
    page.get_by_role("button", name="See my result").click()


def _step_player_until(page: Page, stage: str) -> None:
    """Move the paused clock on, two seconds at a time, until the player shows ``stage``."""

    def step() -> bool:
        page.clock.run_for(2000)
        return bool(player(page)["stage"] == stage)

    wait_until(page, step, what=f"the player's {stage!r} stage", timeout_s=120)


def test_the_first_run_from_a_fresh_profile_to_a_finished_first_session(
    page: Page, fresh_server: LiveServer
) -> None:
    page.set_viewport_size(PHONE_390)
    page.clock.install()
    page.goto(fresh_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to midback")
    screenshot(page, "first-run-1-welcome")

    page.get_by_role("link", name="Begin with the safety questions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safety screen")
    _answer_the_screen(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("You can start gently")
    screenshot(page, "first-run-2-screen-result")

    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your first session")
    expect(page.get_by_label("Minutes")).to_have_value("10")  # the default
    page.get_by_label("Minutes").select_option("5")
    page.get_by_label("Where are you?").select_option("desk")
    screenshot(page, "first-run-3-time-place-kit")
    page.get_by_role("button", name="Show my first session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your routine is ready")
    screenshot(page, "first-run-4-plan")

    page.get_by_role("link", name="Start", exact=True).click()
    page.clock.pause_at(page.evaluate("() => Date.now()") + 1000)
    page.get_by_role("button", name="3: start with pain 3 of 10").click()
    wait_stage(page, "run")
    screenshot(page, "first-run-5-player")
    _step_player_until(page, "after")
    page.clock.resume()
    page.get_by_role("group", name="Pain now (0-10)").get_by_text("2", exact=True).click()
    page.get_by_role("button", name="Save and finish").click()
    state = wait_stage(page, "done")
    wait_sent(page)
    session: dict[str, Any] = fresh_server.get(f"/api/v1/sessions/{state['sessionId']}")
    assert session["status"] == "completed"
    assert session["pain_after"] == 2
    assert all(log["status"] == "completed" for log in session["logs"])
    assert len(session["logs"]) == len(session["plan"]["blocks"]) >= 1

    page.goto(fresh_server.url + "/history")
    row = page.get_by_role("row").filter(has_text="completed").filter(has_text="2/10")
    expect(row).to_have_count(1)
    screenshot(page, "first-run-6-history")

    # Back on the first page: today's session with one Start, from the choices just made.
    page.goto(fresh_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Today's session")
    start = page.get_by_role("link", name="Start", exact=True)
    expect(start).to_have_count(1)
    assert "minutes=5" in (start.get_attribute("href") or "")
    assert "place=desk" in (start.get_attribute("href") or "")


def test_a_returning_person_lands_on_today_s_session_with_one_start(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size(PHONE_390)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Today's session")
    start = page.get_by_role("link", name="Start", exact=True)
    expect(start).to_have_count(1)
    expect(start).to_be_in_viewport()
    screenshot(page, "returning-today", full_page=False)
    start.click()
    page.wait_for_url("**/player?**")
    expect(page.get_by_role("button", name="3: start with pain 3 of 10")).to_be_visible()


def _breaks(page: Page) -> dict[str, Any]:
    hook: dict[str, Any] = page.evaluate("() => window.__breaks")
    return hook


@pytest.mark.browser_context_args(timezone_id="UTC", service_workers="block")
def test_a_desk_break_fires_is_postponed_then_taken_and_logged(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size(PHONE_390)
    page.clock.install(time=MONDAY_10)
    page.goto(live_server.url + "/breaks")
    page.clock.pause_at(MONDAY_10.replace(second=1))
    status = page.locator("#breaks-status")
    page.clock.run_for(1000)
    expect(status).to_have_text("Next desk break at 10:45.")
    due = page.get_by_role("heading", name="Time for a desk break")
    expect(due).to_be_hidden()

    page.clock.run_for(45 * 60 * 1000)
    expect(due).to_be_visible()
    assert (_breaks(page)["fired"], _breaks(page)["beeps"]) == (1, 1)
    screenshot(page, "breaks-due")

    page.get_by_role("button", name="In 5 minutes").click()
    expect(due).to_be_hidden()
    expect(page.locator("#break-message")).to_have_text("Postponed: the next reminder is at 10:50.")
    page.clock.run_for(4 * 60 * 1000)
    expect(due).to_be_hidden()
    page.clock.run_for(61 * 1000)
    expect(due).to_be_visible()
    assert _breaks(page)["fired"] == 2

    before = {s["id"] for s in live_server.get("/api/v1/sessions")}
    page.get_by_role("button", name="Start the break").click()
    expect(page.get_by_role("heading", name="Desk break", exact=True)).to_be_visible()
    expect(page.locator("#break-step")).to_contain_text("Exercise 1 of")
    screenshot(page, "breaks-running")

    def step() -> bool:
        page.clock.run_for(2000)
        return bool(_breaks(page)["logged"])

    wait_until(page, step, what="the break to be saved", timeout_s=60)
    expect(page.locator("#break-message")).to_contain_text("Break saved.")
    expect(page.locator("#breaks-log li")).to_have_count(1)
    screenshot(page, "breaks-saved")

    [new] = [s for s in live_server.get("/api/v1/sessions") if s["id"] not in before]
    stored: dict[str, Any] = live_server.get(f"/api/v1/sessions/{new['id']}")
    assert (stored["status"], stored["note"]) == ("completed", "Desk break")
    assert stored["plan"]["total_seconds"] <= 3 * 60
    assert [log["status"] for log in stored["logs"]] == ["completed"] * len(
        stored["plan"]["blocks"]
    )
    page.goto(live_server.url + "/history")
    expect(page.get_by_role("row").filter(has_text="Desk break").first).to_be_visible()
    screenshot(page, "breaks-in-history")


def test_phone_layout_fixes(page: Page, live_server: LiveServer) -> None:
    page.set_viewport_size(PHONE_390)
    live_server.post("/api/v1/checkins", {"pain": 4, "stiffness": 3})
    page.goto(live_server.url + "/history")
    widths = page.evaluate(
        """() => ({page: document.documentElement.scrollWidth,
                   table: (t => t ? [t.scrollWidth, t.parentElement.clientWidth] : null)(
                       document.querySelector('.weeks-table'))})"""
    )
    assert widths["page"] <= 390, widths
    assert widths["table"] is not None and widths["table"][0] <= widths["table"][1], widths
    screenshot(page, "history-phone-weeks-table")

    page.goto(live_server.url + "/plan")
    arrow = page.evaluate(
        """() => getComputedStyle(document.querySelector('details.more > summary'), '::before')
                 .borderLeftWidth"""
    )
    assert arrow not in ("", "0px"), arrow  # the disclosure arrow is drawn

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/programs")
    tops = page.evaluate(
        "() => [...document.querySelectorAll('.cards > .card')].slice(0, 3)"
        ".map(c => c.getBoundingClientRect().top)"
    )
    assert len(set(tops)) == 1, tops  # the first row's cards line up


@pytest.mark.browser_context_args(service_workers="block")
@pytest.mark.parametrize("path", ["/", "/start", "/breaks", "/programs"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_new_pages_have_no_serious_accessibility_problems(
    page: Page, fresh_server: LiveServer, axe_source: str, path: str, scheme: str
) -> None:
    page.set_viewport_size(PHONE_390)
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    if path != "/":  # the welcome page is for a new person; the others follow the screen
        fresh_server.post(
            "/api/v1/screen",
            {"age": 45, "pain_now": 3, "pain_duration_days": 3, "improving": False,
             "assessed_by_clinician": False, "red_flags": [], "conditions": []},
        )  # fmt: skip
    response = page.goto(fresh_server.url + path)
    assert response is not None and response.status == 200
    name = "welcome" if path == "/" else path.strip("/")
    screenshot(page, f"page-{name}-{scheme}-390")
    found = _axe_violations(page, axe_source)
    serious = [{**v, "width": "390"} for v in found if v["impact"] in FAILING_IMPACTS]
    assert not serious, f"axe on {path} ({scheme}):\n{_describe(serious)}"
