"""The smaller doors of issue 15, item 10: sign-up throttled and normalised, weak secret keys
refused, no Swagger UI from a CDN. On SQLite and PostgreSQL where storage is involved."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from midback.domain.accounts import PER_SIGNUP_ADDRESS
from midback.settings import SettingsError
from midback.web.app import create_app
from tests.integration.test_server_mode import PASSWORD, server_settings


@pytest.mark.parametrize(
    "secret",
    [
        "abcdefghijklmnopqrstuvwxyzabcdefgh",
        "passwordpasswordpasswordpassword12",
        "mysupersecretkeyforthemidbackapp",
    ],
)
def test_a_guessable_secret_key_is_refused(tmp_path: Path, secret: str) -> None:
    with pytest.raises(SettingsError, match=r"guessable|too simple"):
        server_settings(tmp_path, secret_key=secret).check_server()


def test_a_random_secret_key_is_accepted(tmp_path: Path) -> None:
    for _ in range(20):
        server_settings(tmp_path, secret_key=secrets.token_urlsafe(32)).check_server()


def test_sign_up_from_one_address_is_throttled(tmp_path: Path, database_url: str) -> None:
    app = create_app(server_settings(tmp_path, database_url=database_url, allow_signup=True))
    client = TestClient(app)
    statuses = [
        client.post("/api/v1/auth/signup",
                    json={"email": f"new{n}@example.org", "password": PASSWORD}).status_code
        for n in range(PER_SIGNUP_ADDRESS.free + 2)
    ]  # fmt: skip
    assert statuses[: PER_SIGNUP_ADDRESS.free] == [201] * PER_SIGNUP_ADDRESS.free
    assert statuses[-1] == 429


def test_sign_up_refuses_invisible_characters_and_folds_look_alikes(
    tmp_path: Path, database_url: str
) -> None:
    app = create_app(server_settings(tmp_path, database_url=database_url, allow_signup=True))
    client = TestClient(app)
    hidden = client.post(
        "/api/v1/auth/signup", json={"email": "dan\u200d@example.org", "password": PASSWORD}
    )
    assert hidden.status_code == 400 and "invisible" in hidden.text
    wide = client.post(
        "/api/v1/auth/signup", json={"email": "\uff24an@Example.org", "password": PASSWORD}
    )
    assert wide.status_code == 201
    assert wide.json()["email"] == "dan@example.org"


def test_there_is_no_swagger_ui_the_csp_would_break(tmp_path: Path) -> None:
    client = TestClient(create_app(server_settings(tmp_path)))
    assert client.get("/api/docs").status_code in (401, 404)
    assert client.get("/openapi.json").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "/\\/evil.example"])
def test_signing_in_never_goes_on_to_another_site(tmp_path: Path, target: str) -> None:
    from datetime import UTC, datetime

    from midback.domain.accounts import Role

    app = create_app(server_settings(tmp_path))
    app.state.accounts.create("a@example.org", app.state.auth.hash(PASSWORD), role=Role.PERSON,
                              at=datetime.now(UTC))  # fmt: skip
    client = TestClient(app)
    client.get("/login")
    response = client.post(
        "/login",
        data={"email": "a@example.org", "password": PASSWORD, "next": target,
              "csrf_token": client.cookies.get("midback_csrf")},
        follow_redirects=False,
    )  # fmt: skip
    assert response.headers["location"] == "/"
