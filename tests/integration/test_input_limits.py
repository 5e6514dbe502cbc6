"""Bad and oversize input gets a plain 4xx, never a 500 or an echo (issue 15, items 5 and 6).
On SQLite and PostgreSQL (NUL passes SQLite but not PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from midback.domain.accounts import Role
from midback.web.app import create_app
from midback.web.limits import MAX_BODY_BYTES
from tests.integration.test_server_mode import PASSWORD, server_settings, signed_in

SCREEN = {"age": 40, "pain_now": 3, "pain_duration_days": 2}


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> FastAPI:
    application = create_app(
        server_settings(tmp_path, database_url=database_url, allow_signup=True)
    )
    application.state.accounts.create(
        "alice@example.org", application.state.auth.hash(PASSWORD), role=Role.PERSON,
        at=datetime.now(UTC),
    )  # fmt: skip
    return application


@pytest.fixture
def alice(app: FastAPI) -> Iterator[TestClient]:
    yield signed_in(app, "alice@example.org")


def _session(alice: TestClient) -> int:
    assert alice.post("/api/v1/screen", json=SCREEN).status_code == 200
    started = alice.post("/api/v1/sessions", json={"program_id": "three-for-relief"})
    assert started.status_code == 201, started.text
    session_id: int = started.json()["session"]["id"]
    return session_id


def _raw(client: TestClient, path: str, body: bytes) -> tuple[int, str]:
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    return response.status_code, response.text


# -- item 5: size ---------------------------------------------------------------------------


def test_a_body_over_a_mebibyte_is_refused_before_it_is_read(alice: TestClient) -> None:
    big = b'{"pain": 3, "x": "' + b"a" * MAX_BODY_BYTES + b'"}'
    status, text = _raw(alice, "/api/v1/checkins", big)
    assert status == 413 and len(text) < 200

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"pain": 3, "x": "'
        for _ in range(20):
            yield b"a" * 65536
        yield b'"}'

    streamed = alice.post("/api/v1/checkins", content=chunks(),
                          headers={"Content-Type": "application/json"})  # fmt: skip
    assert streamed.status_code == 413


def test_a_422_never_echoes_what_it_refused(alice: TestClient) -> None:
    status, text = _raw(alice, "/api/v1/checkins", b'{"pain": 3, "x": "' + b"a" * 300_000 + b'"}')
    assert status == 422
    assert len(text) < 500 and "aaaa" not in text


@pytest.mark.parametrize(
    "actual",
    [
        {"sets": 2**40, "reps": 10},
        {"sets": 2, "reps": 10, "source": "s" * 5000},
        {"sets": 2, "hold_s": 10**9},
        {"sets": 2, "reps": 10, "rest_s": -1},
    ],
)
def test_a_reported_dose_is_bounded_to_human_ranges(
    alice: TestClient, actual: dict[str, int]
) -> None:
    session_id = _session(alice)
    body = {"position": 0, "status": "completed", "idempotency_key": "bounded-1", "actual": actual}
    response = alice.post(f"/api/v1/sessions/{session_id}/logs", json=body)
    assert response.status_code == 422, response.text
    assert "sss" not in response.text


# -- item 6: malformed input ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"status": "completed", "note": "a\\u0000b"}', "NUL"),
        (b'{"status": "completed", "note": "\\ud800"}', "surrogate"),
        (b'{"status": "completed", "pain_after": NaN}', "NaN"),
        (b'{"status": "completed", "pain_after": Infinity}', "Infinity"),
        (b'{"status": "completed", "pain_after": 1e400}', "too large"),
        (b'{"status": "completed", "pain_after": ' + b"9" * 5000 + b"}", "too large"),
        (b'{"status": "completed", "note": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "nested"),
        (b'{"status": "completed", "note": ' + b'{"a": ' * 20_000 + b"1" + b"}" * 20_001, "nested"),
        (b'{"status": "completed", "note": ' + b"[" * 33 + b"]" * 33 + b"}", "nested"),
    ],
)
def test_unstorable_json_is_a_400_naming_the_problem(
    alice: TestClient, body: bytes, says: str
) -> None:
    session_id = _session(alice)
    status, text = _raw(alice, f"/api/v1/sessions/{session_id}/finish", body)
    assert status == 400, text
    assert says in text
    assert alice.get(f"/api/v1/sessions/{session_id}").json()["status"] == "running"


@pytest.mark.parametrize(
    "email",
    [
        "al\x00ice@example.org",
        "\u0130" * 300 + "@example.org",  # lowercases to 600 characters
        "al\u200bice@example.org",  # zero-width space
        "a" * 330 + "@example.org",
    ],
)
def test_bad_emails_at_login_and_signup_are_4xx(app: FastAPI, email: str) -> None:
    client = TestClient(app)
    login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    signup = client.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD})
    assert 400 <= login.status_code < 500, login.text
    assert 400 <= signup.status_code < 500, signup.text


def test_a_look_alike_email_is_the_same_account(app: FastAPI) -> None:
    client = TestClient(app)
    taken = client.post(
        "/api/v1/auth/signup",
        json={"email": "\uff41lice@example.org", "password": PASSWORD},  # full-width a
    )
    assert taken.status_code == 409
    signed_in(app, "ALICE@example.org")


def test_a_non_ascii_csrf_token_is_refused_with_403(app: FastAPI) -> None:
    client = TestClient(app)
    client.get("/login")
    response = client.post(
        "/login", data={"email": "a@b.c", "password": "x", "csrf_token": "\u00e9t\u00e9"}
    )
    assert response.status_code == 403


def test_huge_numbers_in_the_url_and_far_off_weeks_are_4xx(alice: TestClient) -> None:
    pose = alice.get("/figures/cat-cow.svg?pose=" + "9" * 5000)
    assert pose.status_code == 414
    assert alice.get("/api/v1/sessions/" + "9" * 400).status_code == 404
    alice.post("/api/v1/screen", json=SCREEN)
    week = alice.post("/api/v1/week", json={"start": "9999-12-30", "minutes": 10, "place": "home"})
    assert week.status_code == 422
    assert alice.get("/exercises?place=%00").status_code == 400
    assert alice.get("/print/all?start=9999-12-31").status_code == 200  # the day is ignored


def test_a_server_error_carries_the_security_headers_and_no_traceback(app: FastAPI) -> None:
    @app.get("/boom-for-test")
    def boom() -> None:
        raise RuntimeError("secret internals")

    response = TestClient(app, raise_server_exceptions=False).get("/boom-for-test")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_reported_doses_defaults_are_the_prescriptions_amount_fields() -> None:
    from typing import get_args

    from midback.domain.prescription import AMOUNT_FIELDS
    from midback.web.schemas import AmountField

    assert get_args(AmountField) == AMOUNT_FIELDS
