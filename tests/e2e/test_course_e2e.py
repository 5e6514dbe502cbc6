"""A course in the browser: start it, play day 1, and on the next day (the server's clock moved)
find the same core exercises at the same or the next dose."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import screenshot, wait_sent, wait_stage
from tests.e2e.live import LiveServer, serving

pytestmark = pytest.mark.e2e


class Clock:
    """The server's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 12, 7, 17, tzinfo=UTC))


@pytest.fixture
def server(tmp_path: Path, clock: Clock) -> Iterator[LiveServer]:
    with serving(tmp_path, clock=clock) as live:
        yield live


def _core(page: Page) -> list[tuple[str, str]]:
    rows = page.locator("table.plan-table tbody tr")
    found = []
    for i in range(rows.count()):
        row = rows.nth(i)
        found.append(
            (row.locator("th").inner_text().split("\n")[0], row.locator("td").first.inner_text())
        )
    return found


def test_a_course_started_in_the_browser_repeats_its_core_the_next_day(
    page: Page, server: LiveServer, clock: Clock
) -> None:
    page.goto(f"{server.url}/course")
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a course")
    page.get_by_label("Minutes", exact=True).fill("15")
    page.get_by_label("Where are you?").select_option("home")
    page.get_by_role("button", name="Start my course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your course")
    day1 = _core(page)
    assert 3 <= len(day1) <= 6
    screenshot(page, "course-day-1")

    start = page.get_by_role("link", name="Start today's session")
    page.goto(f"{server.url}{start.get_attribute('href')}&speed=500")
    page.get_by_role("button", name="3: start with pain 3 of 10").click()
    wait_stage(page, "run")
    wait_stage(page, "after", timeout_s=60)
    page.get_by_role("group", name="Pain now (0-10)").get_by_text("2", exact=True).click()
    page.get_by_role("button", name="Save and finish").click()
    wait_stage(page, "done")
    wait_sent(page)
    sessions = server.get("/api/v1/sessions")
    assert sessions and sessions[0]["status"] == "completed"

    clock.now += timedelta(days=1)
    page.goto(f"{server.url}/course")
    day2 = _core(page)
    assert [name for name, _ in day2] == [name for name, _ in day1]
    view = server.get("/api/v1/course")
    steps = view["steps"]
    for exercise_id, standing in steps.items():
        assert standing["step"] in (0, 1), (exercise_id, standing)
    screenshot(page, "course-day-2")
