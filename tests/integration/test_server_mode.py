"""Server mode: accounts, sign-in, back-off, clinicians, deletion, and isolation between people."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from midback.domain.accounts import Role
from midback.settings import Settings, SettingsError
from midback.web.app import create_app
from midback.web.deps import _now
from tests.integration.helpers import screen_via_api
from tests.pg import NewDatabase

SECRET = "x7Gk2pQ9vLm4Rt8Wz1Nc6Hb3Yd5Fs0Ja9Ue2Io7Pq"
PASSWORD = "correct horse battery"


def server_settings(tmp_path: Path, **changes: Any) -> Settings:
    base: dict[str, Any] = {
        "home": tmp_path,
        "database_url": f"sqlite:///{tmp_path}/server.db",
        "mode": "server",
        "secret_key": SECRET,
    }
    return Settings(**{**base, **changes})


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> FastAPI:
    """The app in server mode on an empty store (SQLite or PostgreSQL, see conftest.py)."""
    application = create_app(server_settings(tmp_path, database_url=database_url))
    accounts = application.state.accounts
    auth = application.state.auth
    now = datetime.now(UTC)
    for email, role in (
        ("alice@example.org", Role.PERSON),
        ("bob@example.org", Role.PERSON),
        ("carol@example.org", Role.CLINICIAN),
    ):
        accounts.create(email, auth.hash(PASSWORD), role=role, at=now)
    return application


def signed_in(app: FastAPI, email: str) -> TestClient:
    client = TestClient(app)
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client


@pytest.fixture
def alice(app: FastAPI) -> Iterator[TestClient]:
    yield signed_in(app, "alice@example.org")


@pytest.fixture
def bob(app: FastAPI) -> Iterator[TestClient]:
    yield signed_in(app, "bob@example.org")


@pytest.fixture
def carol(app: FastAPI) -> Iterator[TestClient]:
    yield signed_in(app, "carol@example.org")


def alice_records(alice: TestClient) -> dict[str, int]:
    """Alice's session (with a log), check-in and screen; returns her ids."""
    screen = {"age": 40, "pain_now": 3, "pain_duration_days": 2}
    assert alice.post("/api/v1/screen", json=screen).status_code == 200
    started = alice.post("/api/v1/sessions", json={"program_id": "three-for-relief"}).json()
    session_id = started["session"]["id"]
    logged = alice.post(
        f"/api/v1/sessions/{session_id}/logs",
        json={"position": 0, "status": "completed", "idempotency_key": "alice-0-key"},
    )
    assert logged.status_code == 201
    assert alice.post("/api/v1/checkins", json={"pain": 4}).status_code == 201
    me = alice.get("/api/v1/me").json()
    return {"session_id": session_id, "person_id": me["id"]}


# -- settings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        (None, "required"),
        ("short-key", "at least 32"),
        ("changeme", "at least 32"),
        ("a" * 40, "too simple"),
    ],
)
def test_server_mode_refuses_to_start_without_a_strong_secret(
    tmp_path: Path, secret: str | None, message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        create_app(server_settings(tmp_path, secret_key=secret))


def test_settings_read_the_mode_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"MIDBACK_HOME": str(tmp_path), "MIDBACK_MODE": "server", "MIDBACK_SIGNUP": "yes"}
    )
    assert (settings.mode, settings.allow_signup) == ("server", True)
    with pytest.raises(SettingsError, match="MIDBACK_MODE"):
        Settings.from_env({"MIDBACK_MODE": "cluster"})


# -- signing in --------------------------------------------------------------------------


def test_signed_out_requests_are_refused_and_pages_redirect(app: FastAPI) -> None:
    client = TestClient(app)
    assert client.get("/api/v1/sessions").status_code == 401
    plan = {"minutes": 10, "place": "home"}
    assert client.post("/api/v1/plan", json=plan).status_code == 401
    assert client.post("/api/v1/timeline", json=plan).status_code == 401
    page = client.get("/history", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=/history")
    page = client.get("/plan", params=plan, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=/plan")
    assert client.get("/login").status_code == 200
    assert client.get("/api/v1/programs").status_code == 200  # the catalogue is public


def test_the_session_cookie_is_httponly_and_samesite(app: FastAPI) -> None:
    client = TestClient(app)
    response = client.post(
        "/api/v1/auth/login", json={"email": "alice@example.org", "password": PASSWORD}
    )
    cookie = response.headers["set-cookie"]
    assert "midback_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie


def test_logout_ends_every_copy_of_the_cookie(app: FastAPI, alice: TestClient) -> None:
    stolen = TestClient(app)
    stolen.cookies.update(alice.cookies)
    assert stolen.get("/api/v1/me").status_code == 200
    assert alice.post("/api/v1/auth/logout").status_code == 204
    assert stolen.get("/api/v1/me").status_code == 401


def test_a_forged_cookie_is_refused(app: FastAPI) -> None:
    client = TestClient(app)
    client.cookies.set("midback_session", "eyJwIjoxLCJ2IjowfQ.forged.signature")
    assert client.get("/api/v1/me").status_code == 401


def test_failed_logins_back_off_longer_each_time(app: FastAPI) -> None:
    clock = {"now": datetime(2026, 11, 21, 12, 0, tzinfo=UTC)}
    app.dependency_overrides[_now] = lambda: clock["now"]
    client = TestClient(app)
    wrong = {"email": "bob@example.org", "password": "not the password"}
    right = {"email": "bob@example.org", "password": PASSWORD}
    for _ in range(4):
        assert client.post("/api/v1/auth/login", json=wrong).status_code == 401
    assert client.post("/api/v1/auth/login", json=wrong).status_code == 401  # 5th: locks 2 s
    locked = client.post("/api/v1/auth/login", json=right)
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "2"
    clock["now"] += timedelta(seconds=3)
    assert client.post("/api/v1/auth/login", json=wrong).status_code == 401  # 6th: 4 s
    clock["now"] += timedelta(seconds=3)
    again = client.post("/api/v1/auth/login", json=right)
    assert again.status_code == 429
    assert again.headers["retry-after"] == "1"
    clock["now"] += timedelta(seconds=2)
    assert client.post("/api/v1/auth/login", json=right).status_code == 200


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(app: FastAPI) -> None:
    client = TestClient(app)
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.org", "password": PASSWORD}
    )
    wrong = client.post(
        "/api/v1/auth/login", json={"email": "bob@example.org", "password": "wrong password!"}
    )
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


def test_passwords_are_stored_as_argon2id_hashes(app: FastAPI) -> None:
    found = app.state.accounts.by_email("alice@example.org")
    assert found is not None
    assert found[1].startswith("$argon2id$")


def test_signup_is_off_by_default_and_works_when_allowed(
    tmp_path: Path, new_database_url: NewDatabase
) -> None:
    closed = TestClient(create_app(server_settings(tmp_path, database_url=new_database_url())))
    body = {"email": "dan@example.org", "password": PASSWORD}
    assert closed.post("/api/v1/auth/signup", json=body).status_code == 403
    open_settings = server_settings(tmp_path, allow_signup=True, database_url=new_database_url())
    open_app = create_app(open_settings)
    client = TestClient(open_app)
    weak = client.post(
        "/api/v1/auth/signup", json={"email": "dan@example.org", "password": "short"}
    )
    assert weak.status_code == 422
    assert client.post("/api/v1/auth/signup", json=body).status_code == 201
    assert client.get("/api/v1/me").json()["email"] == "dan@example.org"
    assert client.post("/api/v1/auth/signup", json=body).status_code == 409


def test_the_login_page_signs_in_with_the_form(app: FastAPI) -> None:
    client = TestClient(app)
    page = client.get("/login?next=/history")
    token = client.cookies.get("midback_csrf")
    assert page.status_code == 200 and token
    response = client.post(
        "/login",
        data={"email": "alice@example.org", "password": PASSWORD, "next": "/history",
              "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/history"
    assert client.get("/history").status_code == 200


def test_the_login_form_never_redirects_to_another_site(app: FastAPI) -> None:
    client = TestClient(app)
    client.get("/login")
    token = client.cookies.get("midback_csrf")
    response = client.post(
        "/login",
        data={"email": "alice@example.org", "password": PASSWORD, "next": "//evil.example",
              "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert response.headers["location"] == "/"


def test_a_cross_site_post_is_refused(alice: TestClient) -> None:
    response = alice.post(
        "/api/v1/checkins", json={"pain": 3}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403


# -- isolation ----------------------------------------------------------------------------

ISOLATION_CALLS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/sessions/{session_id}", None),
    ("POST", "/api/v1/sessions/{session_id}/logs",
     {"position": 1, "status": "completed", "idempotency_key": "bob-tries-this"}),
    ("POST", "/api/v1/sessions/{session_id}/finish", {"status": "completed", "pain_after": 1}),
    ("GET", "/api/v1/clinician/patients/{person_id}", None),
    ("POST", "/api/v1/clinician/patients/{person_id}/assignments",
     {"program_id": "three-for-relief"}),
    ("DELETE", "/api/v1/me/clinicians/{person_id}", None),
    ("DELETE", "/api/v1/me/clinicians/{clinician_id}", None),
    ("DELETE", "/api/v1/clinician/invites/{code}", None),
    ("GET", "/api/v1/clinician/patients/{person_id}/alerts", None),
    ("POST", "/api/v1/clinician/patients/{person_id}/alerts/ack",
     {"kind": "emergency_screen", "ref": 1}),
    ("GET", "/api/v1/clinician/patients/{person_id}/clearances", None),
    ("POST", "/api/v1/clinician/patients/{person_id}/clearances", {}),
    ("POST", "/api/v1/clinician/patients/{person_id}/clearances/{clearance_id}/revoke", None),
    ("GET", "/api/v1/clinician/patients/{person_id}/course", None),
    ("POST", "/api/v1/clinician/patients/{person_id}/course", {"minutes": 15, "place": "home"}),
    ("POST", "/api/v1/clinician/patients/{person_id}/course/swap", {"exercise_id": "cat-cow"}),
    ("GET", "/api/v1/clinician/patients/{person_id}/export.csv", None),
    ("GET", "/api/v1/clinician/patients/{person_id}/export.fhir.json", None),
    ("GET", "/api/v1/clinician/patients/{person_id}/export.pdf", None),
    ("GET", "/api/v1/clinician/patients/{person_id}/notes", None),
    ("POST", "/api/v1/clinician/patients/{person_id}/notes", {"text": "bob was here"}),
    ("GET", "/api/v1/clinician/patients/{person_id}/programmes", None),
    ("POST", "/api/v1/clinician/patients/{person_id}/programmes", {}),
    ("GET", "/api/v1/clinician/patients/{person_id}/record", None),
    ("PUT", "/api/v1/clinician/patients/{person_id}/target", {"sessions_per_week": 3}),
    ("POST", "/api/v1/clinician/programmes/{programme_id}/end", None),
    ("PUT", "/api/v1/clinician/programmes/{programme_id}", {}),
    ("GET", "/api/v1/programme/{programme_id}/plan", None),
]  # fmt: skip
"""Every API route with an id in its path, called by Bob (a person, not a clinician) with Alice's
ids (a clinician's routes answer him 403; another clinician is tried in test_workspace*.py and
test_clinician_patient_web.py)."""


def test_every_route_with_an_id_is_in_the_isolation_list(app: FastAPI) -> None:
    # From the published schema: app.routes holds included routers unflattened, so a walk of
    # it saw only the top level and checked nothing.
    listed = {(method, path) for method, path, _ in ISOLATION_CALLS}
    paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    with_ids = [
        (method.upper(), path)
        for path, operations in paths.items()
        if "{" in path
        and path.startswith("/api")
        and not path.startswith(("/api/v1/exercises/", "/api/v1/programs/"))  # the catalogue
        for method in operations
    ]
    assert len(with_ids) >= 10, "the schema lists the API's routes with ids"
    missing = sorted(set(with_ids) - listed)
    assert missing == [], f"not tested for isolation: {missing}"


@pytest.mark.parametrize(("method", "path", "body"), ISOLATION_CALLS)
def test_another_persons_records_are_not_found(
    alice: TestClient, bob: TestClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    ids = alice_records(alice)
    before = alice.get(f"/api/v1/sessions/{ids['session_id']}").json()
    others = {"clinician_id": ids["person_id"], "programme_id": ids["person_id"],
              "clearance_id": 1, "code": "ABCD2345"}  # fmt: skip
    response = bob.request(method, path.format(**ids, **others), json=body)
    assert response.status_code in (403, 404), response.text
    assert "alice" not in response.text
    after = alice.get(f"/api/v1/sessions/{ids['session_id']}").json()
    assert after == before


def test_lists_exports_and_pages_show_only_ones_own_data(
    alice: TestClient, bob: TestClient
) -> None:
    ids = alice_records(alice)
    alice.post(f"/api/v1/sessions/{ids['session_id']}/finish", json={"note": "alice-private"})
    assert bob.get("/api/v1/sessions").json() == []
    assert bob.get("/api/v1/checkins").json() == []
    assert bob.get("/api/v1/progress").json()["history"]["total_sessions"] == 0
    exported = bob.get("/api/v1/me/export").json()
    assert exported["sessions"] == [] and exported["checkins"] == [] and exported["screens"] == []
    assert bob.get("/api/v1/export").json()["sessions"] == []
    for page in ("/history", "/account", "/checkin", "/"):
        assert "alice" not in bob.get(page).text
    # Bob has no screen of his own: Alice's does not apply to him, so he is asked for his.
    refused = bob.post("/api/v1/plan", json={"minutes": 10, "place": "home"})
    assert (refused.status_code, refused.json()["verdict"]) == (403, "unscreened")
    assert len(alice.get("/api/v1/sessions").json()) == 1


def test_a_screen_blocks_only_its_own_person(alice: TestClient, bob: TestClient) -> None:
    emergency = {"age": 50, "pain_now": 3, "pain_duration_days": 1, "red_flags": ["chest_pain"]}
    alice.post("/api/v1/screen", json=emergency)
    screen_via_api(bob)
    assert alice.post("/api/v1/plan", json={"minutes": 10, "place": "home"}).status_code == 403
    assert bob.post("/api/v1/plan", json={"minutes": 10, "place": "home"}).status_code == 200


# -- clinicians ---------------------------------------------------------------------------


def test_a_clinician_sees_linked_people_read_only_and_nobody_else(
    alice: TestClient, bob: TestClient, carol: TestClient
) -> None:
    ids = alice_records(alice)
    assert bob.post("/api/v1/clinician/invites").status_code == 403
    code = carol.post("/api/v1/clinician/invites").json()["code"]
    assert carol.get(f"/api/v1/clinician/patients/{ids['person_id']}").status_code == 404
    linked = alice.post("/api/v1/links", json={"code": code, "include_earlier": True})
    assert linked.status_code == 201
    assert bob.post("/api/v1/links", json={"code": code}).status_code == 409  # used once
    patients = carol.get("/api/v1/clinician/patients").json()
    assert [p["email"] for p in patients] == ["alice@example.org"]
    assert patients[0]["history"]["total_sessions"] == 1
    bob_id = bob.get("/api/v1/me").json()["id"]
    assert carol.get(f"/api/v1/clinician/patients/{bob_id}").status_code == 404
    assigned = carol.post(
        f"/api/v1/clinician/patients/{ids['person_id']}/assignments",
        json={"program_id": "core-foundation", "note": "twice a week"},
    )
    assert assigned.status_code == 201
    assert [a["program_id"] for a in alice.get("/api/v1/assignments").json()] == ["core-foundation"]
    assert bob.get("/api/v1/assignments").json() == []
    # read-only: the clinician cannot touch the person's sessions
    assert carol.get(f"/api/v1/sessions/{ids['session_id']}").status_code == 404
    assert carol.get("/clinician").status_code == 200
    assert "alice@example.org" in carol.get("/clinician").text


# -- leaving ------------------------------------------------------------------------------


def test_deleting_an_account_leaves_no_row_of_it(
    app: FastAPI, alice: TestClient, carol: TestClient
) -> None:
    ids = alice_records(alice)
    code = carol.post("/api/v1/clinician/invites").json()["code"]
    alice.post("/api/v1/links", json={"code": code})
    carol.post(f"/api/v1/clinician/patients/{ids['person_id']}/assignments",
               json={"program_id": "core-foundation"})  # fmt: skip
    assert alice.request("DELETE", "/api/v1/me", json={"confirm": "nope"}).status_code == 422
    assert alice.request("DELETE", "/api/v1/me", json={"confirm": "delete"}).status_code == 204
    assert alice.get("/api/v1/me").status_code == 401
    engine = app.state.accounts._engine
    with engine.connect() as db:
        for table, column in (
            ("people", "id"), ("sessions", "person_id"), ("exercise_logs", "person_id"),
            ("checkins", "person_id"), ("screen_results", "person_id"),
            ("progression", "person_id"), ("links", "person_id"), ("assignments", "person_id"),
            ("invites", "used_by"),
        ):  # fmt: skip
            count = db.execute(
                sa.text(f"SELECT COUNT(*) FROM {table} WHERE {column} = :id"),
                {"id": ids["person_id"]},
            ).scalar_one()
            assert count == 0, table
        login_rows = db.execute(sa.text("SELECT key FROM login_attempts")).scalars().all()
        assert not [k for k in login_rows if "alice" in k]
    assert carol.get("/api/v1/clinician/patients").json() == []


def test_a_same_origin_form_post_with_a_null_origin_is_accepted(app: FastAPI) -> None:
    """Chromium sends ``Origin: null`` on form posts under ``Referrer-Policy: no-referrer``."""
    client = TestClient(app)
    client.get("/login")
    token = client.cookies.get("midback_csrf")
    response = client.post(
        "/login",
        data={"email": "alice@example.org", "password": PASSWORD, "next": "/",
              "csrf_token": token},
        headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303


def test_a_cross_site_fetch_is_refused_by_sec_fetch_site(alice: TestClient) -> None:
    response = alice.post(
        "/api/v1/checkins", json={"pain": 3}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403


def test_an_email_with_an_s_signs_in(app: FastAPI) -> None:
    accounts = app.state.accounts
    accounts.create("sam.smith@example.org", app.state.auth.hash(PASSWORD), role=Role.PERSON,
                    at=datetime.now(UTC))  # fmt: skip
    signed_in(app, "sam.smith@example.org")


def test_a_deleted_accounts_cookie_never_signs_in_a_later_account(app: FastAPI) -> None:
    accounts, auth = app.state.accounts, app.state.auth
    zed = accounts.create("zed@example.org", auth.hash(PASSWORD), role=Role.PERSON,
                          at=datetime.now(UTC) - timedelta(days=1))  # fmt: skip
    client = signed_in(app, "zed@example.org")
    old_cookie = dict(client.cookies)
    assert client.request("DELETE", "/api/v1/me", json={"confirm": "delete"}).status_code == 204
    newcomer = accounts.create("new@example.org", auth.hash(PASSWORD), role=Role.PERSON,
                               at=datetime.now(UTC))  # fmt: skip
    stale = TestClient(app)
    stale.cookies.update(old_cookie)
    me = stale.get("/api/v1/me")
    assert me.status_code == 401, me.text  # signed out, never someone else
    assert newcomer.id is not None and zed.id is not None


# -- courses, for a linked clinician ------------------------------------------------------

COURSE_SCREEN = {"age": 42, "pain_now": 3, "pain_duration_days": 10, "improving": True}


def _linked_to_carol(alice: TestClient, carol: TestClient) -> int:
    code = carol.post("/api/v1/clinician/invites").json()["code"]
    assert alice.post("/api/v1/links", json={"code": code}).status_code == 201
    person_id: int = alice.get("/api/v1/me").json()["id"]
    return person_id


def test_a_clinician_assigns_sees_and_swaps_a_linked_patients_course(
    alice: TestClient, bob: TestClient, carol: TestClient
) -> None:
    alice_id = _linked_to_carol(alice, carol)
    base = f"/api/v1/clinician/patients/{alice_id}/course"
    refused = carol.post(base, json={"minutes": 15, "place": "home"})
    assert refused.status_code == 403 and refused.json()["verdict"] == "unscreened"
    assert alice.post("/api/v1/screen", json=COURSE_SCREEN).status_code == 200
    assigned = carol.post(base, json={"minutes": 15, "place": "home", "weeks": 4})
    assert assigned.status_code == 201, assigned.text
    core = [c["exercise_id"] for c in assigned.json()["core"]]
    mine = alice.get("/api/v1/course").json()
    assert [c["exercise_id"] for c in mine["course"]["core"]] == core
    assert mine["course"]["weeks"] == 4
    seen = carol.get(base).json()
    assert [c["exercise_id"] for c in seen["course"]["core"]] == core
    swapped = carol.post(f"{base}/swap", json={"exercise_id": core[0]})
    assert swapped.status_code == 200
    assert core[0] not in [c["exercise_id"] for c in alice.get("/api/v1/course").json()
                           ["course"]["core"]]  # fmt: skip
    bob_id = bob.get("/api/v1/me").json()["id"]
    assert carol.get(f"/api/v1/clinician/patients/{bob_id}/course").status_code == 404
    assert bob.get(base).status_code in (403, 404)
    assert alice.get(base).status_code in (403, 404)


def test_the_clinician_page_shows_starts_and_swaps_a_patients_course(
    alice: TestClient, bob: TestClient, carol: TestClient
) -> None:
    import re

    alice_id = _linked_to_carol(alice, carol)
    assert alice.post("/api/v1/screen", json=COURSE_SCREEN).status_code == 200
    page = carol.get(f"/clinician/patients/{alice_id}/programme")  # the builder holds the course
    assert "No course yet." in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    started = carol.post(f"/clinician/patients/{alice_id}/course/start",
                         data={"csrf_token": token.group(1), "minutes": "15", "place": "home",
                               "weeks": "4"}, follow_redirects=False)  # fmt: skip
    assert started.status_code == 303, started.text
    core = [c["exercise_id"] for c in alice.get("/api/v1/course").json()["course"]["core"]]
    page = carol.get(f"/clinician/patients/{alice_id}/programme")
    assert "Settle phase, week 1 of 4" in page.text
    swapped = carol.post(f"/clinician/patients/{alice_id}/course/swap",
                         data={"csrf_token": token.group(1), "exercise_id": core[0]},
                         follow_redirects=False)  # fmt: skip
    assert swapped.status_code == 303
    now = [c["exercise_id"] for c in alice.get("/api/v1/course").json()["course"]["core"]]
    assert core[0] not in now
    bob_id = bob.get("/api/v1/me").json()["id"]
    other = carol.post(f"/clinician/patients/{bob_id}/course/start",
                       data={"csrf_token": token.group(1)}, follow_redirects=False)  # fmt: skip
    assert other.status_code == 404
