"""The clinician's page per patient and its API (server mode, SQLite and PostgreSQL): what
needs attention reaches the page with its evidence, is acknowledged and cleared from it; the
record exports as CSV, PDF and FHIR (parsed back by fhir.resources); clinical notes never reach
the patient; another clinician's patient answers 404 on every route."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from midback.domain.accounts import Role
from midback.web.app import create_app
from tests.integration.test_server_mode import PASSWORD, server_settings, signed_in

OK_SCREEN = {"age": 42, "pain_now": 3, "pain_duration_days": 10, "improving": True}
EMERGENCY = {**OK_SCREEN, "red_flags": ["chest_pain"]}
DOCTOR = {**OK_SCREEN, "red_flags": ["night_pain"], "conditions": ["osteoporosis"]}
NOTE = "Query myeloma: bloods requested"


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> FastAPI:
    application = create_app(server_settings(tmp_path, database_url=database_url))
    accounts, auth = application.state.accounts, application.state.auth
    now = datetime.now(UTC)
    for email, role in (
        ("alice@example.org", Role.PERSON),
        ("bob@example.org", Role.PERSON),
        ("carol@example.org", Role.CLINICIAN),
        ("dave@example.org", Role.CLINICIAN),
    ):
        accounts.create(email, auth.hash(PASSWORD), role=role, at=now)
    return application


@pytest.fixture
def alice(app: FastAPI) -> Iterator[TestClient]:
    yield signed_in(app, "alice@example.org")


@pytest.fixture
def bob(app: FastAPI) -> Iterator[TestClient]:
    yield signed_in(app, "bob@example.org")


@pytest.fixture
def carol(app: FastAPI) -> Iterator[TestClient]:
    yield signed_in(app, "carol@example.org")


@pytest.fixture
def dave(app: FastAPI) -> Iterator[TestClient]:
    yield signed_in(app, "dave@example.org")


def take_screen(person: TestClient, answers: dict[str, Any]) -> str:
    """Store a screen for ``person`` (the use case itself: this file tests the clinician's side)
    and return its verdict."""
    from midback.domain.answers import Answers
    from midback.services.screening import take_screen as keep

    app: FastAPI = person.app  # type: ignore[assignment]
    person_id = person.get("/api/v1/me").json()["id"]
    result = keep(app.state.repo, person_id, Answers.model_validate(answers), at=datetime.now(UTC))
    verdict: str = result.verdict.value
    return verdict


def link(person: TestClient, clinician: TestClient, *, full: bool = True) -> int:
    """Link ``person`` to ``clinician``, sharing the full record (earlier data included) or,
    with ``full=False``, a summary from the link on."""
    code = clinician.post("/api/v1/clinician/invites").json()["code"]
    body = {"code": code, "full": full, "include_earlier": full}
    assert person.post("/api/v1/links", json=body).status_code == 201
    person_id: int = person.get("/api/v1/me").json()["id"]
    return person_id


def hurt_and_quit(alice: TestClient, *, note: str = "pain shooting down the arm") -> int:
    """Alice's session: one exercise done, one stopped at pain 8, quit with a note."""
    take_screen(alice, OK_SCREEN)
    started = alice.post(
        "/api/v1/sessions", json={"program_id": "three-for-relief", "pain_before": 3}
    )
    assert started.status_code in (200, 201), started.text
    session_id: int = started.json()["session"]["id"]
    for position, status, pain in ((0, "completed", 2), (1, "stopped_for_pain", 8)):
        logged = alice.post(
            f"/api/v1/sessions/{session_id}/logs",
            json={
                "position": position,
                "status": status,
                "pain": pain,
                "idempotency_key": f"alice-{position}-key",
            },
        )
        assert logged.status_code == 201, logged.text
    finished = alice.post(
        f"/api/v1/sessions/{session_id}/finish",
        json={"status": "quit", "pain_after": 7, "effort": 6, "note": note},
    )
    assert finished.status_code == 200, finished.text
    assert alice.post("/api/v1/checkins", json={"pain": 5, "stiffness": 6}).status_code == 201
    return session_id


def token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_the_two_safety_events_reach_the_patient_page_and_are_acknowledged(
    alice: TestClient, carol: TestClient
) -> None:
    alice_id = link(alice, carol)
    session_id = hurt_and_quit(alice)
    take_screen(alice, EMERGENCY)
    page = carol.get(f"/clinician/patients/{alice_id}")
    assert page.status_code == 200, page.text
    text = page.text
    assert "Needs attention" in text and "Urgent: Screen: emergency" in text
    assert "Quit a session with pain 8/10" in text
    assert "pain shooting down the arm" in text
    assert f'href="/clinician/patients/{alice_id}#session-{session_id}"' in text
    assert f'id="session-{session_id}"' in text and "It hurts: stopped" in text
    assert "cannot be cleared" in text  # an emergency: no clear button
    alerts = carol.get(f"/api/v1/clinician/patients/{alice_id}/alerts").json()
    kinds = {a["kind"] for a in alerts}
    assert kinds >= {"screen", "hurt", "quit_pain", "note"}
    screen_key = next(a["key"] for a in alerts if a["kind"] == "screen")
    acked = carol.post(
        f"/clinician/patients/{alice_id}/alerts/ack",
        data={"csrf_token": token(text), "key": screen_key},
        follow_redirects=False,
    )
    assert acked.status_code == 303
    still_open = carol.get("/api/v1/clinician/alerts").json()
    assert screen_key not in {a["key"] for a in still_open}
    assert {a["kind"] for a in still_open} >= {"hurt", "quit_pain", "note"}
    shown = [
        a
        for a in carol.get(f"/api/v1/clinician/patients/{alice_id}/alerts").json()
        if a["key"] == screen_key
    ]
    assert shown[0]["acknowledged"]["clinician_id"] == carol.get("/api/v1/me").json()["id"]
    missing = carol.post(
        f"/api/v1/clinician/patients/{alice_id}/alerts/ack", json={"key": "screen:987654"}
    )
    assert missing.status_code == 404


def test_the_clinician_clears_a_doctor_screen_and_the_patient_may_then_plan(
    alice: TestClient, carol: TestClient
) -> None:
    alice_id = link(alice, carol)
    assert take_screen(alice, DOCTOR) == "doctor"
    record = carol.get(f"/api/v1/clinician/patients/{alice_id}/record").json()
    screen_id = record["screens"][0]["id"]
    page = carol.get(f"/clinician/patients/{alice_id}").text
    assert "Clear to exercise" in page
    cleared = carol.post(
        f"/clinician/patients/{alice_id}/clearances",
        data={
            "csrf_token": token(page),
            "screen_id": str(screen_id),
            "days": "14",
            "note": "examined",
        },
        follow_redirects=False,
    )
    assert cleared.status_code == 303, cleared.text
    listed = carol.get(f"/api/v1/clinician/patients/{alice_id}/clearances").json()
    assert [(c["screen_id"], c["note"]) for c in listed] == [(screen_id, "examined")]
    assert listed[0]["expires_at"] is not None
    page = carol.get(f"/clinician/patients/{alice_id}").text
    assert "Cleared by you" in page and "Withdraw this clearance" in page
    bad = carol.post(
        f"/clinician/patients/{alice_id}/clearances",
        data={"csrf_token": token(page), "screen_id": str(screen_id), "days": "soon"},
        follow_redirects=False,
    )
    assert bad.status_code == 422 and "days" in bad.text
    assert take_screen(alice, EMERGENCY) == "emergency"
    newest = carol.get(f"/api/v1/clinician/patients/{alice_id}/record").json()["screens"][0]
    refused = carol.post(
        f"/api/v1/clinician/patients/{alice_id}/clearances", json={"screen_id": newest["id"]}
    )
    assert refused.status_code == 422 and "emergency" in refused.text


def test_clinical_notes_never_reach_the_patient(alice: TestClient, carol: TestClient) -> None:
    alice_id = link(alice, carol)
    hurt_and_quit(alice)
    page = carol.get(f"/clinician/patients/{alice_id}").text
    kept = carol.post(
        f"/clinician/patients/{alice_id}/notes",
        data={"csrf_token": token(page), "text": NOTE},
        follow_redirects=False,
    )
    assert kept.status_code == 303
    assert (
        carol.post(
            f"/api/v1/clinician/patients/{alice_id}/notes", json={"text": NOTE + " (2)"}
        ).status_code
        == 201
    )
    notes = carol.get(f"/api/v1/clinician/patients/{alice_id}/notes").json()
    assert [n["text"] for n in notes] == [NOTE, NOTE + " (2)"]
    page = carol.get(f"/clinician/patients/{alice_id}").text
    assert NOTE in page and "not shown to the patient" in page
    empty = carol.post(
        f"/clinician/patients/{alice_id}/notes",
        data={"csrf_token": token(page), "text": "  "},
        follow_redirects=False,
    )
    assert empty.status_code == 422
    for path in (
        "/api/v1/me/export",
        "/api/v1/export",
        "/api/v1/sessions",
        "/api/v1/progress",
        "/",
        "/history",
        "/account",
        "/checkin",
    ):
        response = alice.get(path)
        assert "myeloma" not in response.text, path


def test_the_record_exports_as_csv_with_every_event(alice: TestClient, carol: TestClient) -> None:
    alice_id = link(alice, carol)
    session_id = hurt_and_quit(alice, note="=HYPERLINK(evil)")
    carol.post(f"/api/v1/clinician/patients/{alice_id}/notes", json={"text": NOTE})
    response = carol.get(f"/api/v1/clinician/patients/{alice_id}/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_type: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_type.setdefault(row["type"], []).append(row)
    session = by_type["session"][0]
    assert (
        session["session"],
        session["status"],
        session["pain_before"],
        session["pain_after"],
        session["effort"],
    ) == (str(session_id), "quit", "3", "7", "6")
    assert session["note"] == "'=HYPERLINK(evil)"  # a spreadsheet never runs it
    assert [(r["status"], r["pain"]) for r in by_type["exercise"]] == [
        ("completed", "2"),
        ("stopped_for_pain", "8"),
    ]
    assert (by_type["checkin"][0]["pain"], by_type["checkin"][0]["stiffness"]) == ("5", "6")
    assert by_type["screen"][0]["verdict"] == "ok"
    assert by_type["clinical_note (not shown to the patient)"][0]["note"] == NOTE


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_the_record_exports_as_a_pdf(alice: TestClient, carol: TestClient, tmp_path: Path) -> None:
    alice_id = link(alice, carol)
    hurt_and_quit(alice)
    carol.post(f"/api/v1/clinician/patients/{alice_id}/notes", json={"text": NOTE})
    response = carol.get(f"/api/v1/clinician/patients/{alice_id}/export.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    path = tmp_path / "record.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(text.split())
    for expected in (
        "alice@example.org",
        "Quit a session with pain 8/10",
        "pain shooting down the arm",
        "it hurts",
        "Clinical notes (not shown to the patient)",
        "bloods requested",
    ):
        assert expected in text, expected


def test_the_fhir_export_is_a_valid_r4b_bundle_with_loinc_pain_and_careplans(
    alice: TestClient, carol: TestClient
) -> None:
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.careplan import CarePlan
    from fhir.resources.R4B.observation import Observation
    from fhir.resources.R4B.patient import Patient

    alice_id = link(alice, carol)
    hurt_and_quit(alice)
    course = carol.post(
        f"/api/v1/clinician/patients/{alice_id}/course",
        json={"minutes": 15, "place": "home", "weeks": 4},
    )
    assert course.status_code == 201, course.text
    carol.post(
        f"/api/v1/clinician/patients/{alice_id}/assignments",
        json={"program_id": "three-for-relief", "note": "twice a week"},
    )
    carol.post(f"/api/v1/clinician/patients/{alice_id}/notes", json={"text": NOTE})
    response = carol.get(f"/api/v1/clinician/patients/{alice_id}/export.fhir.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate_json(response.content)  # the library's own validation
    entries: Any = bundle.entry  # the library's optional fields, known present here
    resources: list[Any] = [entry.resource for entry in entries or []]
    patients: list[Any] = [r for r in resources if isinstance(r, Patient)]
    assert len(patients) == 1 and patients[0].telecom[0].value == "alice@example.org"
    pains: list[Any] = [r for r in resources if isinstance(r, Observation)]
    # pain before (3), during two exercises (2, 8), after (7), the morning check-in (5)
    assert sorted(o.valueInteger for o in pains) == [2, 3, 5, 7, 8]
    for observation in pains:
        coding = observation.code.coding[0]
        assert (coding.system, coding.code) == ("http://loinc.org", "72514-3")
        assert observation.subject.reference == entries[0].fullUrl
    plans = [r for r in resources if isinstance(r, CarePlan)]
    assert len(plans) == 2 and all(p.intent == "plan" and p.activity for p in plans)
    assert any(p.note and p.note[0].text == "twice a week" for p in plans)
    assert "myeloma" not in response.text  # clinical notes stay out
    again = carol.get(f"/api/v1/clinician/patients/{alice_id}/export.fhir.json").json()
    assert [e["fullUrl"] for e in again["entry"]] == [e.fullUrl for e in bundle.entry or []]


def test_a_summary_scope_from_the_link_on_hides_sessions_and_what_came_before(
    alice: TestClient, carol: TestClient, bob: TestClient, dave: TestClient
) -> None:
    session_id = hurt_and_quit(alice, note="private words")  # before the link
    alice_id = link(alice, carol, full=False)
    take_screen(alice, EMERGENCY)  # after the link: shared
    record = carol.get(f"/api/v1/clinician/patients/{alice_id}/record").json()
    assert record["sessions"] == [] and record["checkins"] == []
    assert [s["verdict"] for s in record["screens"]] == ["emergency"]
    assert [a["kind"] for a in record["alerts"]] == ["screen"]
    page = carol.get(f"/clinician/patients/{alice_id}").text
    assert "Urgent: Screen: emergency" in page and "summary only" in page
    assert f'id="session-{session_id}"' not in page and "private words" not in page
    csv_text = carol.get(f"/api/v1/clinician/patients/{alice_id}/export.csv").text
    assert "private words" not in csv_text and "stopped_for_pain" not in csv_text
    # Bob shares a summary with Dave from the link on: a quit note after it is an alert,
    # without Bob's own words.
    bob_id = link(bob, dave, full=False)
    hurt_and_quit(bob, note="bob's private words")
    for shown in (
        dave.get(f"/api/v1/clinician/patients/{bob_id}/alerts").json(),
        dave.get(f"/api/v1/clinician/patients/{bob_id}/record").json()["alerts"],
        dave.get("/api/v1/clinician/alerts").json(),
    ):
        assert {a["kind"] for a in shown} == {"hurt", "quit_pain", "note"}
        assert "bob's private words" not in str(shown)
    assert carol.get("/api/v1/clinician/alerts").json()[0]["kind"] == "screen"
    assert [a["kind"] for a in carol.get("/api/v1/clinician/alerts").json()] == ["screen"]


def test_a_clinicians_programme_is_a_careplan_with_each_dose_and_note(
    app: FastAPI, alice: TestClient, carol: TestClient
) -> None:
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.careplan import CarePlan

    from midback.domain.programme import ProgrammeDraft, ProgrammeItem
    from midback.services.workspace import start_programme

    alice_id = link(alice, carol)
    take_screen(alice, OK_SCREEN)
    carol_id = carol.get("/api/v1/me").json()["id"]
    item = ProgrammeItem(exercise_id="cat-cow", reps=10, note="Slowly, only as far as is easy")
    draft = ProgrammeDraft(title="Back on track", days_per_week=3, items=[item])
    start_programme(
        app.state.repo,
        app.state.accounts,
        app.state.catalogue,
        carol_id,
        alice_id,
        draft,
        now=datetime.now(UTC),
    )
    response = carol.get(f"/api/v1/clinician/patients/{alice_id}/export.fhir.json")
    bundle = Bundle.model_validate_json(response.content)
    found: Any = bundle.entry
    plans: list[Any] = [e.resource for e in found or [] if isinstance(e.resource, CarePlan)]
    assert [(p.title, p.status, p.description) for p in plans] == [
        ("Back on track", "active", "3 days a week")
    ]
    detail = plans[0].activity[0].detail
    assert detail.code.text == app.state.catalogue.exercises["cat-cow"].name
    assert detail.description == "1 set(s), 10 reps. Slowly, only as far as is easy"


def test_deleting_the_patients_account_leaves_no_clinical_row_of_theirs(
    app: FastAPI, alice: TestClient, carol: TestClient
) -> None:
    import sqlalchemy as sa

    alice_id = link(alice, carol)
    take_screen(alice, DOCTOR)
    screen_id = carol.get(f"/api/v1/clinician/patients/{alice_id}/record").json()["screens"][0]
    carol.post(
        f"/api/v1/clinician/patients/{alice_id}/clearances", json={"screen_id": screen_id["id"]}
    )
    carol.post(f"/api/v1/clinician/patients/{alice_id}/notes", json={"text": NOTE})
    hurt_and_quit(alice)
    key = carol.get(f"/api/v1/clinician/patients/{alice_id}/alerts").json()[0]["key"]
    carol.post(f"/api/v1/clinician/patients/{alice_id}/alerts/ack", json={"key": key})
    tables = ("clearances", "self_clearances", "alert_acks", "clinical_notes")
    engine = app.state.repo.engine

    def counts() -> list[int]:
        with engine.connect() as db:
            return [
                db.execute(
                    sa.text(f"SELECT COUNT(*) FROM {t} WHERE person_id = :id"), {"id": alice_id}
                ).scalar_one()
                for t in tables
            ]

    assert counts()[0] == 1 and counts()[2] >= 1 and counts()[3] == 1
    assert alice.request("DELETE", "/api/v1/me", json={"confirm": "delete"}).status_code == 204
    assert counts() == [0, 0, 0, 0]


# -- isolation -------------------------------------------------------------------------------

CALLS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/clinician/patients/{person_id}/record", None),
    ("GET", "/api/v1/clinician/patients/{person_id}/alerts", None),
    ("POST", "/api/v1/clinician/patients/{person_id}/alerts/ack", {"key": "screen:{screen_id}"}),
    ("GET", "/api/v1/clinician/patients/{person_id}/clearances", None),
    ("POST", "/api/v1/clinician/patients/{person_id}/clearances", {"screen_id": "{screen_id}"}),
    ("POST", "/api/v1/clinician/patients/{person_id}/clearances/{clearance_id}/revoke", None),
    ("GET", "/api/v1/clinician/patients/{person_id}/notes", None),
    ("POST", "/api/v1/clinician/patients/{person_id}/notes", {"text": "intruder"}),
    ("GET", "/api/v1/clinician/patients/{person_id}/export.fhir.json", None),
    ("GET", "/api/v1/clinician/patients/{person_id}/export.csv", None),
    ("GET", "/api/v1/clinician/patients/{person_id}/export.pdf", None),
    ("GET", "/clinician/patients/{person_id}", None),
    ("POST", "/clinician/patients/{person_id}/alerts/ack", {"key": "screen:{screen_id}"}),
    ("POST", "/clinician/patients/{person_id}/clearances", {"screen_id": "{screen_id}"}),
    ("POST", "/clinician/patients/{person_id}/clearances/{clearance_id}/revoke", None),
    ("POST", "/clinician/patients/{person_id}/notes", {"text": "intruder"}),
]
"""Every route of the patient page and its API, called with Alice's ids."""


def test_every_route_of_the_page_is_in_the_isolation_list(app: FastAPI) -> None:
    from midback.web.clinician_patient import router

    listed = {(method, path) for method, path, _ in CALLS}
    for route in router.routes:
        assert isinstance(route, APIRoute)
        if "{" in route.path:
            for method in route.methods or ():
                assert (method, route.path) in listed, f"{method} {route.path} is not tested"


@pytest.fixture
def alices_ids(alice: TestClient, carol: TestClient) -> dict[str, Any]:
    alice_id = link(alice, carol)
    take_screen(alice, DOCTOR)
    record = carol.get(f"/api/v1/clinician/patients/{alice_id}/record").json()
    screen_id = record["screens"][0]["id"]
    cleared = carol.post(
        f"/api/v1/clinician/patients/{alice_id}/clearances", json={"screen_id": screen_id}
    )
    assert cleared.status_code == 201, cleared.text
    carol.post(f"/api/v1/clinician/patients/{alice_id}/notes", json={"text": NOTE})
    return {"person_id": alice_id, "screen_id": screen_id, "clearance_id": cleared.json()["id"]}


@pytest.mark.parametrize(("method", "path", "body"), CALLS)
@pytest.mark.parametrize("who", ["dave", "bob"])
def test_another_clinicians_patient_is_not_found_on_every_route(
    request: pytest.FixtureRequest,
    carol: TestClient,
    alices_ids: dict[str, Any],
    who: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    other: TestClient = request.getfixturevalue(who)
    before = carol.get(f"/api/v1/clinician/patients/{alices_ids['person_id']}/record").json()
    url = path.format(**alices_ids)
    filled = {
        k: (v.format(**alices_ids) if isinstance(v, str) else v) for k, v in (body or {}).items()
    }
    if "screen_id" in filled:
        filled["screen_id"] = int(filled["screen_id"])
    if url.startswith("/api/"):
        response = other.request(method, url, json=filled if body is not None else None)
    else:
        page = other.get("/account").text
        data = {**filled, "csrf_token": token(page)} if method == "POST" else None
        response = other.request(method, url, data=data, follow_redirects=False)
    expected = (404,) if who == "dave" else (403, 404)
    assert response.status_code in expected, response.text
    assert "alice" not in response.text and "myeloma" not in response.text
    after = carol.get(f"/api/v1/clinician/patients/{alices_ids['person_id']}/record").json()
    assert after == before


def test_the_gate_takes_the_clinicians_clearance_and_not_the_patients_own_tick(
    alice: TestClient, carol: TestClient
) -> None:
    alice_id = link(alice, carol)
    assert take_screen(alice, DOCTOR) == "doctor"
    ticked = alice.post("/api/v1/plan", json={"minutes": 10, "place": "home", "cleared": True})
    assert ticked.status_code == 403, (
        ticked.text
    )  # her own tick lifts nothing: a clinician is linked
    alerts = carol.get(f"/api/v1/clinician/patients/{alice_id}/alerts").json()
    assert "self_cleared" not in {a["kind"] for a in alerts}  # showing a plan writes nothing
    started = alice.post("/api/v1/sessions", json={"minutes": 10, "place": "home",
                                                   "cleared": True, "pain_before": 2})  # fmt: skip
    assert started.status_code == 403, started.text
    alerts = carol.get(f"/api/v1/clinician/patients/{alice_id}/alerts").json()
    assert "self_cleared" in {a["kind"] for a in alerts}  # acting on it is recorded
    screen_id = carol.get(f"/api/v1/clinician/patients/{alice_id}/record").json()["screens"][0]
    cleared = carol.post(
        f"/api/v1/clinician/patients/{alice_id}/clearances", json={"screen_id": screen_id["id"]}
    )
    assert cleared.status_code == 201
    planned = alice.post("/api/v1/plan", json={"minutes": 10, "place": "home"})
    assert planned.status_code == 200, planned.text
    exercises = [b["exercise_id"] for b in planned.json()["blocks"]]
    assert exercises and "crunch" not in exercises  # osteoporosis still limits the plan
