"""Clinicians' invite codes expire, link once for ever, and never travel in a URL (issue 15,
item 8). On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from midback.domain.accounts import Role
from midback.settings import Settings
from midback.web.app import create_app
from midback.web.deps import _now
from tests.integration.test_server_mode import PASSWORD, server_settings, signed_in

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> FastAPI:
    application = create_app(server_settings(tmp_path, database_url=database_url))
    accounts, auth = application.state.accounts, application.state.auth
    for email, role in (
        ("alice@example.org", Role.PERSON),
        ("bob@example.org", Role.PERSON),
        ("carol@example.org", Role.CLINICIAN),
    ):
        accounts.create(email, auth.hash(PASSWORD), role=role, at=T0 - timedelta(days=1))
    return application


def _at(app: FastAPI, when: datetime) -> None:
    app.dependency_overrides[_now] = lambda: when


def test_an_invite_expires_after_seven_days_by_default(app: FastAPI) -> None:
    _at(app, T0)
    carol, alice = signed_in(app, "carol@example.org"), signed_in(app, "alice@example.org")
    invite = carol.post("/api/v1/clinician/invites").json()
    assert invite["expires_at"].startswith("2026-12-08T09:00")
    assert [i["code"] for i in carol.get("/api/v1/clinician/invites").json()] == [invite["code"]]
    _at(app, T0 + timedelta(days=7, seconds=1))
    assert carol.get("/api/v1/clinician/invites").json() == []
    refused = alice.post("/api/v1/links", json={"code": invite["code"]})
    assert refused.status_code == 409 and "expired" in refused.text


def test_a_used_invite_stays_used_after_its_person_is_deleted(app: FastAPI) -> None:
    _at(app, T0)
    carol, alice = signed_in(app, "carol@example.org"), signed_in(app, "alice@example.org")
    code = carol.post("/api/v1/clinician/invites").json()["code"]
    assert alice.post("/api/v1/links", json={"code": code}).status_code == 201
    assert alice.request("DELETE", "/api/v1/me", json={"confirm": "delete"}).status_code == 204
    bob = signed_in(app, "bob@example.org")
    assert bob.post("/api/v1/links", json={"code": code}).status_code == 409
    assert carol.get("/api/v1/clinician/patients").json() == []


def test_the_invite_page_shows_new_codes_without_putting_them_in_the_url(app: FastAPI) -> None:
    _at(app, T0)
    carol = signed_in(app, "carol@example.org")
    carol.get("/clinician")
    made = carol.post(
        "/clinician/invite",
        data={"csrf_token": carol.cookies.get("midback_csrf")},
        follow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["location"] == "/clinician"
    code = carol.get("/api/v1/clinician/invites").json()[0]["code"]
    page = carol.get("/clinician")
    assert code in page.text and "08 Dec 2026" in page.text


def test_the_invite_lifetime_is_a_setting(tmp_path: Path) -> None:
    assert Settings.from_env({"MIDBACK_INVITE_DAYS": "3"}).invite_days == 3
    app = create_app(server_settings(tmp_path, invite_days=2))
    app.state.accounts.create("c@example.org", app.state.auth.hash(PASSWORD),
                              role=Role.CLINICIAN, at=T0)  # fmt: skip
    _at(app, T0)
    client = TestClient(app)
    client.post("/api/v1/auth/login", json={"email": "c@example.org", "password": PASSWORD})
    assert client.post("/api/v1/clinician/invites").json()["expires_at"].startswith("2026-12-03")
