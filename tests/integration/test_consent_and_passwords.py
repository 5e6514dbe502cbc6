"""Consent and password management in server mode (issue 15, item 7): a person sees and
withdraws their clinicians' access, changes their password (signing out everywhere else), and
can be given a one-time reset code from the CLI. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from midback.cli.app import app as cli
from midback.domain.accounts import Role
from midback.web.app import create_app
from midback.web.deps import _now
from tests.integration.test_server_mode import PASSWORD, server_settings, signed_in

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> FastAPI:
    application = create_app(server_settings(tmp_path, database_url=database_url))
    accounts, auth = application.state.accounts, application.state.auth
    for email, role in (("alice@example.org", Role.PERSON), ("carol@example.org", Role.CLINICIAN)):
        accounts.create(email, auth.hash(PASSWORD), role=role, at=datetime.now(UTC))
    return application


def _form(client: TestClient, path: str, **fields: str) -> str:
    client.get("/account")
    response = client.post(path, data={**fields, "csrf_token": client.cookies.get("midback_csrf")},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_a_person_sees_their_clinicians_and_unlinking_ends_access_at_once(app: FastAPI) -> None:
    alice, carol = signed_in(app, "alice@example.org"), signed_in(app, "carol@example.org")
    alice_id = alice.get("/api/v1/me").json()["id"]
    code = carol.post("/api/v1/clinician/invites").json()["code"]
    alice.post("/api/v1/links", json={"code": code})
    carol_id = carol.get("/api/v1/me").json()["id"]
    assert [c["email"] for c in alice.get("/api/v1/me/clinicians").json()] == ["carol@example.org"]
    assert "carol@example.org" in alice.get("/account").text
    assert carol.get(f"/api/v1/clinician/patients/{alice_id}").status_code == 200
    _form(alice, "/account/unlink", clinician_id=str(carol_id))
    assert alice.get("/api/v1/me/clinicians").json() == []
    assert carol.get(f"/api/v1/clinician/patients/{alice_id}").status_code == 404
    assert carol.get("/api/v1/clinician/patients").json() == []
    assert alice.request("DELETE", f"/api/v1/me/clinicians/{carol_id}").status_code == 404


def test_changing_the_password_signs_out_every_other_device(app: FastAPI) -> None:
    alice, phone = signed_in(app, "alice@example.org"), signed_in(app, "alice@example.org")
    wrong = alice.post(
        "/api/v1/me/password",
        json={"current_password": "not it at all", "new_password": NEW_PASSWORD},
    )
    assert wrong.status_code == 401
    weak = alice.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "short"}
    )
    assert weak.status_code == 422
    changed = alice.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert changed.status_code == 204
    assert alice.get("/api/v1/me").status_code == 200  # this device goes on
    assert phone.get("/api/v1/me").status_code == 401  # every other one is signed out
    login = TestClient(app).post(
        "/api/v1/auth/login", json={"email": "alice@example.org", "password": NEW_PASSWORD}
    )
    assert login.status_code == 200  # fmt: skip


def test_the_account_page_changes_the_password(app: FastAPI) -> None:
    alice = signed_in(app, "alice@example.org")
    where = _form(alice, "/account/password", current_password=PASSWORD,
                  new_password=NEW_PASSWORD)  # fmt: skip
    assert "Password+changed" in where
    assert alice.get("/account").status_code == 200


def test_a_reset_code_from_the_cli_sets_a_new_password_once(
    app: FastAPI, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("MIDBACK_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("MIDBACK_DATABASE_URL", database_url)
    phone = signed_in(app, "alice@example.org")
    made = CliRunner().invoke(cli, ["user", "reset-code", "alice@example.org"])
    assert made.exit_code == 0, made.output
    code = made.output.split("Reset code for alice@example.org: ")[1].split()[0]
    client = TestClient(app)
    body = {"email": "alice@example.org", "code": code, "new_password": NEW_PASSWORD}
    assert client.post("/api/v1/auth/reset", json={**body, "code": "x" * 16}).status_code == 409
    assert client.post("/api/v1/auth/reset", json=body).status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    assert client.post("/api/v1/auth/reset", json=body).status_code == 409  # used once
    signed_in_again = client.post(
        "/api/v1/auth/login", json={"email": "alice@example.org", "password": NEW_PASSWORD}
    )
    assert signed_in_again.status_code == 200  # fmt: skip


def test_a_reset_code_expires_after_an_hour(app: FastAPI) -> None:
    start = datetime.now(UTC)
    code = app.state.accounts.new_reset_code("alice@example.org", start,
                                             valid_for=timedelta(hours=1))  # fmt: skip
    app.dependency_overrides[_now] = lambda: start + timedelta(minutes=61)
    body = {"email": "alice@example.org", "code": code, "new_password": NEW_PASSWORD}
    expired = TestClient(app).post("/api/v1/auth/reset", json=body)
    assert expired.status_code == 409 and "expired" in expired.text


def test_set_password_from_the_cli_signs_out_everywhere(
    app: FastAPI, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("MIDBACK_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("MIDBACK_DATABASE_URL", database_url)
    alice = signed_in(app, "alice@example.org")
    done = CliRunner().invoke(
        cli, ["user", "set-password", "alice@example.org", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert alice.get("/api/v1/me").status_code == 401
    signed_in_app = TestClient(app).post(
        "/api/v1/auth/login", json={"email": "alice@example.org", "password": NEW_PASSWORD}
    )
    assert signed_in_app.status_code == 200
    unknown = CliRunner().invoke(cli, ["user", "set-password", "nobody@example.org"])
    assert unknown.exit_code != 0 and "nobody@example.org" in unknown.output


def test_the_reset_page_is_public_and_linked_from_sign_in(app: FastAPI) -> None:
    client = TestClient(app)
    assert 'href="/reset"' in client.get("/login").text
    page = client.get("/reset")
    assert page.status_code == 200 and "Reset code" in page.text
