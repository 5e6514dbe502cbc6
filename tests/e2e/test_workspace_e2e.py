"""A clinician's workspace in Chromium (issue 19): Carol signs in and lands on her patients,
finds Alice in the triage table, opens the programme builder (where an exercise Alice's
osteoporosis rules out is refused, naming the rule), builds a programme with a note, and
Alice sees it with the note and a Start button. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from midback.domain.accounts import Role
from midback.domain.answers import Answers
from midback.services.screening import take_screen
from tests.e2e.browser import QUIET_PLUGIN, screenshot
from tests.e2e.live import served, server_mode_app
from tests.e2e.test_pages_a11y import AXE, FAILING_IMPACTS, _axe_violations, _describe

pytestmark = [pytest.mark.e2e, QUIET_PLUGIN]

PASSWORD = "a long enough password"


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    """Server mode on 127.0.0.1 with Carol (clinician) and Alice (osteoporosis, screened,
    linked to Carol sharing a summary)."""
    app = server_mode_app(tmp_path)
    accounts, now = app.state.accounts, datetime.now(UTC)
    carol = accounts.create("carol@example.org", app.state.auth.hash(PASSWORD),
                            role=Role.CLINICIAN, at=now)  # fmt: skip
    accounts.set_display_name(carol.id, "Dr Carol Physio")
    alice = accounts.create("alice@example.org", app.state.auth.hash(PASSWORD),
                            role=Role.PERSON, at=now)  # fmt: skip
    accounts.set_display_name(alice.id, "Alice Example")
    invite = accounts.new_invite(carol.id, now, valid_for=timedelta(days=1))
    accounts.accept_invite(alice.id, invite.code, now)
    answers = Answers(age=50, pain_now=3, pain_duration_days=10, conditions=["osteoporosis"])
    take_screen(app.state.repo, alice.id, answers, at=now)
    with served(app) as url:
        yield url


def _accessible(page: Page) -> None:
    """No serious or critical axe-core finding on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/test-deps (./dev test does)")
    found = _axe_violations(page, AXE.read_text(encoding="utf-8"))
    serious = [{**v, "width": "desktop"} for v in found if v["impact"] in FAILING_IMPACTS]
    assert not serious, _describe(serious)


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/login")
    page.fill("#login-email", email)
    page.fill("#login-password", PASSWORD)
    page.click("button:has-text('Sign in')")


def test_a_clinician_builds_a_programme_the_patient_then_sees(page: Page, server_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, server_url, "carol@example.org")
    expect(page).to_have_url(server_url + "/clinician")
    expect(page.get_by_role("link", name="Patients")).to_be_visible()
    row = page.locator("table.triage tbody tr", has_text="Alice Example")
    expect(row).to_have_count(1)
    screenshot(page, "workspace-triage")
    _accessible(page)
    row.get_by_role("link", name="Build or edit the programme of Alice Example").click()
    expect(page.get_by_role("heading", name="Programme for Alice Example")).to_be_visible()
    crunch = page.locator("table.builder tr", has_text="Crunch")
    expect(crunch).to_contain_text("Not for this patient")
    expect(crunch).to_contain_text("rule")
    page.fill("#programme-title", "Back on track")
    page.check("#pick-cat-cow")
    page.fill("input[name='note-cat-cow']", "Slowly, only as far as is comfortable")
    page.check("#pick-bridge")
    page.click("button:has-text('Start this programme')")
    expect(page.get_by_role("status")).to_contain_text("Programme started")
    expect(page.get_by_role("heading", name="Edit the active programme")).to_be_visible()
    screenshot(page, "workspace-builder")
    _accessible(page)

    page.context.clear_cookies()
    _sign_in(page, server_url, "alice@example.org")
    page.goto(server_url + "/programme")
    expect(page.get_by_role("heading", name="Back on track")).to_be_visible()
    expect(page.locator(".clinician-note")).to_have_text(
        "Your clinician's note: Slowly, only as far as is comfortable"
    )
    start = page.get_by_role("link", name="Start")
    assert (start.get_attribute("href") or "").startswith("/player?programme=")
    screenshot(page, "workspace-patient-programme")
    _accessible(page)
