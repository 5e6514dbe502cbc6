"""Clinical safety in Chromium (issue 19): Carol opens Alice, whose screen says emergency; the
alert is at the top of her page, marked urgent, with a link to the screen; she acknowledges
it. Alice, seen in hospital, screens again and is told to see a doctor; Carol clears that
screen for two weeks and the page says so. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect

from midback.domain.accounts import Role
from midback.domain.answers import Answers
from midback.services.screening import take_screen
from tests.e2e.browser import QUIET_PLUGIN, screenshot
from tests.e2e.live import served, server_mode_app
from tests.e2e.test_workspace_e2e import PASSWORD, _accessible, _sign_in

pytestmark = [pytest.mark.e2e, QUIET_PLUGIN]


@dataclass(frozen=True)
class Clinic:
    url: str
    app: FastAPI
    alice: int


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    """Server mode with Carol (clinician) and Alice (linked, sharing her full record), whose
    latest screen says emergency (chest pain)."""
    app = server_mode_app(tmp_path)
    accounts, now = app.state.accounts, datetime.now(UTC)
    carol = accounts.create("carol@example.org", app.state.auth.hash(PASSWORD),
                            role=Role.CLINICIAN, at=now)  # fmt: skip
    alice = accounts.create("alice@example.org", app.state.auth.hash(PASSWORD),
                            role=Role.PERSON, at=now)  # fmt: skip
    accounts.set_display_name(alice.id, "Alice Example")
    invite = accounts.new_invite(carol.id, now, valid_for=timedelta(days=1))
    accounts.accept_invite(alice.id, invite.code, now, full=True, include_earlier=True)
    answers = Answers(age=58, pain_now=4, pain_duration_days=1, red_flags=["chest_pain"])
    take_screen(app.state.repo, alice.id, answers, at=now)
    with served(app) as url:
        yield Clinic(url, app, alice.id)


def test_a_clinician_acknowledges_an_emergency_and_clears_a_doctor_verdict(
    page: Page, clinic: Clinic
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, clinic.url, "carol@example.org")
    page.goto(f"{clinic.url}/clinician/patients/{clinic.alice}")
    expect(page.get_by_role("heading", name="Alice Example", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Patients")).to_have_attribute("aria-current", "page")
    urgent = page.locator(".alerts li.callout.danger")
    expect(urgent).to_have_count(1)
    expect(urgent).to_contain_text("Urgent: Screen: emergency")
    expect(page.locator(".alerts .badge")).to_have_text("1")
    screenshot(page, "clinical-emergency-alert")
    _accessible(page)
    urgent.get_by_role("link", name="See the record").click()
    expect(page).to_have_url(re.compile(r"#screen-\d+$"))
    expect(page.get_by_text("An emergency screen cannot be cleared")).to_be_visible()
    page.locator(".alerts").get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_contain_text("Alert acknowledged.")
    expect(page.get_by_text("Nothing needs attention.")).to_be_visible()

    later = datetime.now(UTC) + timedelta(seconds=1)
    answers = Answers(age=58, pain_now=4, pain_duration_days=1, red_flags=["night_pain"])
    take_screen(clinic.app.state.repo, clinic.alice, answers, at=later)
    page.reload()
    expect(page.locator(".alerts")).to_contain_text("Screen: see a doctor")
    page.fill("input[name='days']", "14")
    page.fill("input[name='note']", "Examined: night pain mechanical, fine to start gently")
    page.get_by_role("button", name="Clear to exercise").click()
    expect(page.get_by_role("status")).to_contain_text("Screen cleared")
    expect(page.locator("article", has_text="(latest)")).to_contain_text("Cleared by you")
    expect(page.get_by_role("button", name="Withdraw this clearance")).to_be_visible()
    expect(page.get_by_text("Nothing needs attention.")).to_be_visible()
    screenshot(page, "clinical-cleared")
    _accessible(page)
