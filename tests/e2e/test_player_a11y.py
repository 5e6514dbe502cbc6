"""axe-core finds nothing on the player's new states: the session under way with the question
after an exercise, the offline badge and the "Stopped" note, and the offer to continue."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.e2e.browser import QUIET_PLUGIN, player, wait_stage
from tests.e2e.live import LiveServer
from tests.e2e.test_pages_a11y import AXE, _axe_violations

pytestmark = [pytest.mark.e2e, QUIET_PLUGIN]


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/test-deps (./dev test does)")
    return AXE.read_text(encoding="utf-8")


def _go_to(page: Page, second: float) -> dict[str, Any]:
    offset = player(page)["offset"]
    if second > offset:
        page.clock.fast_forward(int((second - offset) * 1000))
    page.clock.run_for(300)
    return player(page)


def _found(page: Page, axe_source: str, where: str) -> list[str]:
    return [f"{where}: {v['id']} ({v['impact']}) {v['nodes'][0]['target']}"
            for v in _axe_violations(page, axe_source)]  # fmt: skip


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_running_player_and_the_resume_offer_have_no_axe_findings(
    page: Page,
    context: BrowserContext,
    live_server: LiveServer,
    axe_source: str,
    scheme: Literal["light", "dark"],
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.clock.install()
    page.goto(f"{live_server.url}/player?program=three-for-relief")
    page.get_by_role("button", name="Start without rating").click()
    wait_stage(page, "run")
    timeline: dict[str, Any] = page.evaluate("() => window.midbackPlayer.timeline()")
    second = timeline["blocks"][1]
    context.set_offline(True)
    assert _go_to(page, second["start_s"] + 1)["effortAsked"]
    found = _found(page, axe_source, "effort question, offline")
    _go_to(page, second["start_s"] + second["seconds"] - 3)
    page.get_by_role("button", name="It hurts").click()
    page.clock.run_for(300)
    found += _found(page, axe_source, "stopped note")
    context.set_offline(False)
    page.reload()
    wait_stage(page, "resume")
    found += _found(page, axe_source, "resume offer")
    assert found == []
