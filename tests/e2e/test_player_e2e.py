"""The browser player end to end: real Chromium, the app served by uvicorn, a stubbed voice.

Each test does what a person would (clicks, or keys alone), then checks what the server stored
through the JSON API. ``window.midbackPlayer.state()`` is read only to know when to act next.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from midback.domain.questions import RED_FLAG_QUESTIONS, RedFlag
from tests.e2e.browser import (
    QUIET_PLUGIN,
    player,
    screenshot,
    spoken,
    wait_sent,
    wait_stage,
    wait_until,
)
from tests.e2e.live import ALL_CLEAR, LiveServer

pytestmark = [pytest.mark.e2e, QUIET_PLUGIN]

PROGRAM = "three-for-relief"
CLOCK_STEP_MS = 20


def _pain_button(page: Page, pain: int) -> Locator:
    return page.get_by_role("button", name=f"{pain}: start with pain {pain} of 10")


def _rate(page: Page, group: str, value: int) -> None:
    """Click ``value`` on the end form's 0-10 scale named ``group``."""
    page.get_by_role("group", name=group).get_by_text(str(value), exact=True).click()


def _stored(server: LiveServer, session_id: int) -> dict[str, Any]:
    session: dict[str, Any] = server.get(f"/api/v1/sessions/{session_id}")
    return session


def _statuses(session: dict[str, Any]) -> dict[int, str]:
    """Position -> status of the session's logs (and each position logged once)."""
    positions = [log["position"] for log in session["logs"]]
    assert len(positions) == len(set(positions)), f"a position was logged twice: {positions}"
    return {log["position"]: log["status"] for log in session["logs"]}


def _stop_the_clock(page: Page) -> None:
    """Stop the page's time (after ``page.clock.install()``); it moves on by ``_step_until``."""
    page.clock.pause_at(page.evaluate("() => Date.now()") + 1000)


def _step_until(page: Page, done: Callable[[dict[str, Any]], bool], *, what: str) -> None:
    """Move the stopped clock on in small steps until ``done(player state)``.

    Each step fires the page's timers due in it, each at its own time, so no cue starts late.
    """

    def step() -> bool:
        page.clock.run_for(CLOCK_STEP_MS)
        return done(player(page))

    wait_until(page, step, what=what)


def test_a_whole_program_runs_at_high_speed_with_spoken_intros_and_shows_in_history(
    page: Page, live_server: LiveServer
) -> None:
    note = f"whole program {uuid.uuid4().hex[:8]}"
    # Playwright's fake clock, stepped by hand: at 200x an intro lasts 50 ms, and a timer that
    # fires late on a busy machine would pass over it (the player speaks only the latest cue of
    # a catch-up). Stepped, every cue starts on its deadline.
    page.clock.install()
    page.goto(f"{live_server.url}/player?program={PROGRAM}&speed=200")
    page.evaluate("() => localStorage.setItem('midback.voice', 'off')")  # voice off last time
    page.reload()
    _stop_the_clock(page)

    _pain_button(page, 3).click()
    wait_stage(page, "run")
    voice = page.get_by_role("button", name="Voice")
    expect(voice).to_have_attribute("aria-pressed", "false")
    assert spoken(page) == []
    voice.click()
    expect(voice).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#voice-note")).to_be_hidden()  # the stub's voice is there
    screenshot(page, "player-run-get-ready")

    _step_until(page, lambda state: state["stage"] == "after", what="the end form")
    page.clock.resume()
    expect(page.get_by_role("heading", name="Well done")).to_be_focused()
    screenshot(page, "player-after")
    _rate(page, "Pain now (0-10)", 2)
    _rate(page, "How hard was it? (0 rest, 10 maximal)", 4)
    page.get_by_label("Note").fill(note)
    page.get_by_role("button", name="Save and finish").click()
    state = wait_stage(page, "done")
    wait_sent(page)
    expect(page.locator("#done-lead")).to_have_text("Saved.")
    expect(page.locator("#done-summary li.status-completed")).to_have_count(3)
    screenshot(page, "player-done")

    session = _stored(live_server, state["sessionId"])
    assert _statuses(session) == {0: "completed", 1: "completed", 2: "completed"}
    assert session["status"] == "completed"
    assert (session["pain_before"], session["pain_after"], session["effort"]) == (3, 2, 4)
    assert session["note"] == note

    names = [block["name"] for block in session["plan"]["blocks"]]
    intros = [text for text in spoken(page) if text.startswith("Next: ")]
    assert len(intros) == len(names), intros
    for intro, name in zip(intros, names, strict=True):
        assert intro.startswith(f"Next: {name}."), (intro, name)
    assert spoken(page)[-1] == "Well done. Session complete."

    page.get_by_role("link", name="See your history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History")
    row = page.get_by_role("row").filter(has_text=note)
    expect(row).to_have_count(1)
    for text in ("Three for relief", "completed", "3 of 3 exercises", "3/10", "2/10"):
        expect(row).to_contain_text(text)
    screenshot(page, "history-after-session")


FINE_ANSWERS = ALL_CLEAR


def _answer_screen(
    page: Page, server: LiveServer, *, red_flags: list[RedFlag], go: bool = True
) -> None:
    """Fill in the safety screen on its page and send it; fails at once unless it is accepted.

    With ``go`` False the screen is already open (the player or a plan sent the person to it).
    """
    if go:
        page.goto(f"{server.url}/screen")
    page.get_by_label("How old are you?").fill("45")
    page.get_by_role("group", name="How bad is the pain right now?").get_by_role(
        "radio", name="3", exact=True
    ).check()
    page.get_by_label("How many days have you had this pain?").fill("3")
    page.get_by_role("group", name="Is it getting better?").get_by_role("radio", name="No").check()
    page.get_by_role("group", name="Has a doctor or physiotherapist").get_by_role(
        "radio", name="No"
    ).check()
    for flag in red_flags:
        page.get_by_role("checkbox", name=RED_FLAG_QUESTIONS[flag]).check()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="See my result").click()
    assert answer.value.status == 200, f"{answer.value.status}: {answer.value.text()}"


def _refuses_plans_and_the_player(page: Page, server: LiveServer) -> None:
    """With an emergency on the last screen: /plan says why, the player shows the refusal."""
    refused = page.goto(f"{server.url}/plan?minutes=10&place=home")
    assert refused is not None and refused.status == 403
    expect(page.get_by_role("heading", name="No plan: call emergency services now")).to_be_visible()
    expect(page.locator("main a[href^='/player']")).to_have_count(0)
    screenshot(page, "plan-refused")

    # The player respects the verdict before it asks any pain: it shows the plan page's refusal.
    refused = page.goto(f"{server.url}/player?minutes=10&place=home&speed=50")
    assert refused is not None and refused.status == 403
    assert "/plan?" in page.url
    expect(page.get_by_role("heading", name="No plan: call emergency services now")).to_be_visible()
    expect(page.get_by_role("button", name="2: start with pain 2 of 10")).to_have_count(0)
    assert server.get("/api/v1/sessions") == []
    screenshot(page, "player-refused")


def _plans_again(page: Page, server: LiveServer) -> None:
    allowed = page.goto(f"{server.url}/plan?minutes=10&place=home")
    assert allowed is not None and allowed.status == 200
    expect(page.locator("main a[href^='/player']").first).to_be_visible()


def test_a_red_flag_on_the_screen_page_refuses_plans_and_the_player_until_a_fine_screen(
    page: Page, fresh_server: LiveServer
) -> None:
    _answer_screen(page, fresh_server, red_flags=[RedFlag.CHEST_PAIN])
    expect(page.get_by_role("heading", level=1)).to_have_text("Call emergency services now")
    expect(page.locator(".verdict-label")).to_have_text("Safety screen: emergency")
    screenshot(page, "screen-emergency")
    _refuses_plans_and_the_player(page, fresh_server)
    _answer_screen(page, fresh_server, red_flags=[])
    expect(page.get_by_role("heading", level=1)).to_have_text("You can start gently")
    _plans_again(page, fresh_server)


def test_a_red_flag_from_the_api_refuses_plans_and_the_player_until_a_fine_screen(
    page: Page, fresh_server: LiveServer
) -> None:
    verdict = fresh_server.post("/api/v1/screen", {**FINE_ANSWERS, "red_flags": ["chest_pain"]})
    assert verdict["verdict"] == "emergency"
    _refuses_plans_and_the_player(page, fresh_server)
    assert fresh_server.post("/api/v1/screen", FINE_ANSWERS)["verdict"] == "ok"
    _plans_again(page, fresh_server)


def test_results_made_offline_are_sent_once_when_the_connection_returns(
    page: Page, context: BrowserContext, live_server: LiveServer
) -> None:
    # The clock stands still until the first exercise has reached the server, so the connection
    # drops during the second however busy the machine; then time runs as usual.
    page.clock.install()
    page.goto(f"{live_server.url}/player?program={PROGRAM}&speed=100")
    _stop_the_clock(page)
    _pain_button(page, 5).click()
    wait_stage(page, "run")
    _step_until(page, lambda state: len(state["sent"]) == 1, what="the first exercise's log")
    context.set_offline(True)
    state = player(page)
    assert state["stage"] == "run" and len(state["results"]) == 1, "went offline too late"
    (first,) = state["sent"]
    assert first.endswith("-b0-a1")
    session_id = state["sessionId"]
    page.clock.resume()

    wait_stage(page, "after")
    outbox = page.locator("#outbox-text")
    # The second exercise's result waits; the last one's waits for its tap on the end form.
    expect(outbox).to_have_text("1 result waiting to be sent")
    _rate(page, "Pain now (0-10)", 4)
    _rate(page, "How hard was it? (0 rest, 10 maximal)", 3)
    page.get_by_label("Note").fill("offline")
    page.get_by_role("button", name="Save and finish").click()
    wait_stage(page, "done")
    expect(page.locator("#done-lead")).to_have_text(
        "Saved on this device. It will be sent when you are back online."
    )
    expect(outbox).to_have_text("3 results waiting to be sent")
    expect(page.get_by_role("button", name="Send now")).to_be_visible()
    page.evaluate("() => window.midbackPlayer.flush()")  # a retry while offline changes nothing
    screenshot(page, "player-offline-waiting")
    while_offline = _stored(live_server, session_id)
    assert _statuses(while_offline) == {0: "completed"}
    assert while_offline["status"] == "running"

    context.set_offline(False)
    wait_sent(page)
    expect(page.locator("#outbox")).to_be_hidden()
    page.evaluate("() => window.midbackPlayer.flush()")  # and one after, with nothing left

    session = _stored(live_server, session_id)
    assert _statuses(session) == {0: "completed", 1: "completed", 2: "completed"}
    keys = [log["idempotency_key"] for log in session["logs"]]
    assert first in keys and len(set(keys)) == 3
    assert (session["status"], session["pain_after"], session["effort"]) == ("completed", 4, 3)
    assert player(page)["dropped"] == []


def _focused(page: Page) -> dict[str, str]:
    focused: dict[str, str] = page.evaluate(
        """() => {
            const el = document.activeElement;
            return {id: el.id, tag: el.tagName, name: el.getAttribute("name") || "",
                    value: el.value === undefined ? "" : String(el.value),
                    pain: el.dataset ? el.dataset.pain || "" : ""};
        }"""
    )
    return focused


def _tab_to(page: Page, wanted: dict[str, str], *, limit: int = 40) -> None:
    """Press Tab until the focused element has every attribute in ``wanted``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if wanted.items() <= _focused(page).items():
            return
    raise AssertionError(f"Tab never reached {wanted}; focus is on {_focused(page)}")


def test_a_whole_session_by_keyboard_alone(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/player?program={PROGRAM}&speed=50")
    _tab_to(page, {"pain": "0"})
    for _ in range(4):
        page.keyboard.press("Tab")
    assert _focused(page)["pain"] == "4"
    page.keyboard.press("Enter")
    wait_stage(page, "run")
    expect(page.locator("#run-title")).to_be_focused()

    wait_until(page, lambda: player(page)["block"] == 0, what="the first exercise")
    page.keyboard.press("ArrowRight")
    state = player(page)
    assert [(r["block"], r["status"]) for r in state["results"]] == [(0, "skipped")]
    assert state["block"] == 1

    page.keyboard.press("Space")
    paused = player(page)
    assert paused["paused"]
    expect(page.locator("#run-paused")).to_be_visible()
    expect(page.get_by_role("button", name="Resume")).to_be_visible()
    page.wait_for_timeout(300)
    assert player(page)["offset"] == paused["offset"], "the clock moved while paused"
    page.keyboard.press("Space")
    assert not player(page)["paused"]

    assert player(page)["block"] == 1
    page.keyboard.press("h")
    expect(page.locator("#run-hurt-note")).to_be_visible()
    state = player(page)
    assert [(r["block"], r["status"]) for r in state["results"]] == [
        (0, "skipped"),
        (1, "stopped_for_pain"),
    ]
    assert state["block"] == 2

    wait_stage(page, "after")
    expect(page.get_by_role("heading", name="Well done")).to_be_focused()
    page.keyboard.press("Tab")  # first, the last exercise's tap: too easy, about right, too hard
    assert _focused(page)["name"] == "last_effort"
    page.keyboard.press("ArrowRight")  # about right
    page.keyboard.press("Tab")
    assert _focused(page) == {"id": "", "tag": "INPUT", "name": "pain_after", "value": "0",
                              "pain": ""}  # fmt: skip
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    assert _focused(page)["name"] == "effort"
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "after-note"
    page.keyboard.type("by keyboard")
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "after-save"
    page.keyboard.press("Enter")
    state = wait_stage(page, "done")
    wait_sent(page)
    expect(page.get_by_role("heading", name="Session saved")).to_be_focused()
    screenshot(page, "player-keyboard-done")

    session = _stored(live_server, state["sessionId"])
    assert _statuses(session) == {0: "skipped", 1: "stopped_for_pain", 2: "completed"}
    assert [log["effort"] for log in session["logs"]] == [None, None, "right"]
    assert (session["pain_before"], session["pain_after"], session["effort"]) == (4, 2, 3)
    assert (session["status"], session["note"]) == ("completed", "by keyboard")


def test_a_new_person_is_screened_before_the_pain_question_and_pain_6_makes_it_gentle(
    page: Page, fresh_server: LiveServer
) -> None:
    page.goto(f"{fresh_server.url}/player?minutes=20&place=gym&focus=strength&speed=200")
    assert "/screen?" in page.url, "the player must ask the safety screen first"
    expect(page.get_by_text("answer these questions once")).to_be_visible()
    expect(page.get_by_role("button", name="6: start with pain 6 of 10")).to_have_count(0)
    screenshot(page, "first-run-screen")
    _answer_screen(page, fresh_server, red_flags=[], go=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("You can start gently")
    page.get_by_role("link", name="Continue").click()
    assert "/player?" in page.url and "focus=strength" in page.url

    _pain_button(page, 6).click()
    wait_stage(page, "gentle")
    expect(page.get_by_role("heading", name="A gentle session today")).to_be_focused()
    expect(page.locator("#gentle-why")).to_contain_text("6/10")
    expect(page.locator("#gentle-why")).to_contain_text("gentle")
    screenshot(page, "player-gentle")
    page.get_by_role("button", name="Start the gentle session").click()
    state = wait_stage(page, "run")
    session = _stored(fresh_server, state["sessionId"])
    assert session["pain_before"] == 6
    kinds = {block["kind"] for block in session["plan"]["blocks"]}
    assert kinds <= {"mobility", "stretch", "breathing", "cardio"}, kinds
    loaded = {"dumbbells", "barbell", "cable-machine", "resistance-band", "bench", "pull-up-bar"}
    assert not {e for block in session["plan"]["blocks"] for e in block["equipment"]} & loaded


def test_pain_of_8_before_a_session_advises_not_to_exercise_today(
    page: Page, live_server: LiveServer
) -> None:
    before = len(live_server.get("/api/v1/sessions"))
    page.goto(f"{live_server.url}/player?minutes=10&place=home&speed=50")
    _pain_button(page, 8).click()
    wait_stage(page, "blocked")
    expect(page.locator("#blocked-lead")).to_have_text(
        "Your pain is too high to exercise on your own today."
    )
    expect(page.locator("#blocked-reasons")).to_contain_text("When to see a doctor")
    expect(
        page.locator("#stage-blocked").get_by_role("link", name="When to see a doctor")
    ).to_be_visible()
    assert len(live_server.get("/api/v1/sessions")) == before
    screenshot(page, "player-pain-too-high")
