"""The player laid out for the room: at 390x844 and 1280x720, light and dark, for every kind of
step, what to do now and what comes next are on screen and under no other element, with and
without the "Stopped" note, the question after an exercise and the offline badge.

Checked with the elements' boxes and ``document.elementFromPoint`` (what the eye would see
first at each point), not only screenshots; the page's time is Playwright's fake clock.
"""

from __future__ import annotations

from typing import Any, Literal

import pytest
from playwright.sync_api import BrowserContext, Page, ViewportSize

from tests.e2e.browser import QUIET_PLUGIN, player, screenshot, wait_stage
from tests.e2e.live import LiveServer

pytestmark = [pytest.mark.e2e, QUIET_PLUGIN]

Scheme = Literal["light", "dark"]
PHONE: ViewportSize = {"width": 390, "height": 844}
LAPTOP: ViewportSize = {"width": 1280, "height": 720}
ALL_KINDS = "core-foundation"
"""A program whose timeline holds every step kind but a walk."""
WITH_A_WALK = "four-directions"
SEEN = ("run-where-line", "run-text", "run-detail", "run-next-line", "run-count", "btn-hurt")
"""Always fully on screen and uncovered: where, now, how, next, the count, and It hurts."""

MEASURE = """(ids) => ids.map((id) => {
  const el = document.getElementById(id);
  if (!el) return {id, missing: true};
  const box = el.getBoundingClientRect();
  const inside = box.height > 0 && box.width > 0 && box.top >= 0 && box.left >= 0
    && box.bottom <= window.innerHeight && box.right <= window.innerWidth;
  const points = [[0.5, 0.5], [0.1, 0.15], [0.9, 0.15], [0.1, 0.85], [0.9, 0.85]];
  const covered = [];
  for (const [fx, fy] of points) {
    const x = box.left + box.width * fx;
    const y = box.top + box.height * fy;
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(hit === el || el.contains(hit))) {
      covered.push(hit ? `${hit.tagName.toLowerCase()}#${hit.id}.${hit.className}` : "nothing");
    }
  }
  return {id, top: Math.round(box.top), bottom: Math.round(box.bottom), inside, covered,
          text: (el.textContent || "").trim().slice(0, 60)};
})"""


def _problems(page: Page) -> list[dict[str, Any]]:
    boxes: list[dict[str, Any]] = page.evaluate(MEASURE, list(SEEN))
    return [box for box in boxes if box.get("missing") or not box["inside"] or box["covered"]]


def _timeline(page: Page) -> dict[str, Any]:
    timeline: dict[str, Any] = page.evaluate("() => window.midbackPlayer.timeline()")
    return timeline


def _go_to(page: Page, second: float) -> dict[str, Any]:
    """Move the page's clock on until the session stands at ``second``."""
    offset = player(page)["offset"]
    if second > offset:
        page.clock.fast_forward(int((second - offset) * 1000))
    page.clock.run_for(300)  # the timers due now, and a frame
    return player(page)


def _start(page: Page, server: LiveServer, program: str, scheme: Scheme) -> None:
    page.emulate_media(color_scheme=scheme)
    page.clock.install()
    page.goto(f"{server.url}/player?program={program}")
    page.evaluate("() => localStorage.clear()")
    page.reload()
    page.get_by_role("button", name="Start without rating").click()
    wait_stage(page, "run")


def _check(page: Page, what: str, shots: set[str], name: str) -> None:
    problems = _problems(page)
    assert not problems, f"{what}: {problems}"
    if name not in shots:
        shots.add(name)
        screenshot(page, name, full_page=False)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_now_and_next_stay_in_view_for_every_kind_of_step(
    page: Page, context: BrowserContext, live_server: LiveServer, size: str, scheme: Scheme
) -> None:
    page.set_viewport_size(PHONE if size == "phone" else LAPTOP)
    shots: set[str] = set()
    _start(page, live_server, ALL_KINDS, scheme)
    timeline = _timeline(page)
    firsts: dict[str, dict[str, Any]] = {}
    for cue in timeline["cues"]:
        firsts.setdefault(cue["kind"], cue)
    kinds = {"get-ready", "intro", "rep", "move", "hold", "breathe-in", "breathe-out", "rest",
             "switch-sides"}  # fmt: skip
    assert kinds <= set(firsts), sorted(firsts)
    for cue in sorted(firsts.values(), key=lambda c: c["start_s"]):
        state = _go_to(page, cue["start_s"] + 0.5)
        assert state["cueKind"] == cue["kind"], (state["cueText"], cue)
        _check(page, f"{size} {scheme} {cue['kind']}", shots,
               f"layout-{size}-{scheme}-{cue['kind']}")  # fmt: skip

    # The question after a finished exercise, with the network gone: a badge, not a banner.
    later = [b for b in timeline["blocks"] if b["start_s"] > player(page)["offset"] + 1]
    asked, following = later[0], later[1]
    context.set_offline(True)
    state = _go_to(page, asked["start_s"] + 1)
    assert state["effortAsked"], state
    assert page.locator("#run-outbox").is_visible()
    _check(page, f"{size} {scheme} effort question offline", shots,
           f"layout-{size}-{scheme}-effort-offline")  # fmt: skip

    # It hurts: the note shows through the next exercise's introduction, then clears.
    _go_to(page, asked["start_s"] + asked["seconds"] - 3)
    page.get_by_role("button", name="It hurts").click()
    page.clock.run_for(300)
    assert page.locator("#run-hurt-note").is_visible()
    assert (player(page)["cueKind"], player(page)["block"]) == ("intro", following["index"])
    _check(page, f"{size} {scheme} it-hurts note offline", shots,
           f"layout-{size}-{scheme}-hurt-offline")  # fmt: skip
    context.set_offline(False)
    page.clock.run_for(300)
    _check(page, f"{size} {scheme} it-hurts note", shots, f"layout-{size}-{scheme}-hurt")
    work = next(c for c in timeline["cues"]
                if c["block"] == following["index"] and c["kind"] != "intro")  # fmt: skip
    _go_to(page, work["start_s"] + 0.5)
    assert not page.locator("#run-hurt-note").is_visible(), "the note stays past its exercise"
    assert player(page)["block"] == following["index"]


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_a_walk_counts_down_in_view(page: Page, live_server: LiveServer, size: str) -> None:
    page.set_viewport_size(PHONE if size == "phone" else LAPTOP)
    _start(page, live_server, WITH_A_WALK, "light")
    timeline = _timeline(page)
    walk = next(b for b in timeline["blocks"] if b["exercise_id"] == "brisk-walk")
    cue = next(c for c in timeline["cues"] if c["block"] == walk["index"] and c["kind"] == "hold")
    state = _go_to(page, cue["start_s"] + 1)
    assert state["cueText"] == cue["text"] and "min" in cue["text"]
    problems = _problems(page)
    assert not problems, problems
    screenshot(page, f"layout-{size}-light-walk", full_page=False)
