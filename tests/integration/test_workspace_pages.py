"""The clinician's workspace through the web, on SQLite and PostgreSQL: roles (where each lands,
what each is offered), linking with consent (the clinician's name, the scope chosen, unlinking),
invite codes (alphabet, any case, named, withdrawn, expired), the triage page, and the
programme builder from the clinician's form to the patient's page and handout (issue 19)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from midback.domain.accounts import CODE_ALPHABET, CODE_LENGTH, Role
from midback.web.app import create_app
from midback.web.deps import _now
from tests.integration.test_server_mode import PASSWORD, server_settings, signed_in

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SCREEN = {"age": 50, "pain_now": 3, "pain_duration_days": 10, "conditions": ["osteoporosis"]}


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> FastAPI:
    application = create_app(server_settings(tmp_path, database_url=database_url))
    accounts, auth = application.state.accounts, application.state.auth
    for email, role, name in (
        ("alice@example.org", Role.PERSON, "Alice Example"),
        ("bob@example.org", Role.PERSON, None),
        ("carol@example.org", Role.CLINICIAN, "Dr Carol Physio"),
    ):
        made = accounts.create(email, auth.hash(PASSWORD), role=role, at=T0 - timedelta(days=9))
        if name:
            accounts.set_display_name(made.id, name)
    application.dependency_overrides[_now] = lambda: T0
    return application


def _csrf(client: TestClient, page: str = "/account") -> str:
    client.get(page)
    token = client.cookies.get("midback_csrf")
    assert token
    return str(token)


def _post(
    client: TestClient, url: str, data: dict[str, str] | list[tuple[str, str]]
) -> httpx.Response:
    from urllib.parse import urlencode

    token = _csrf(client)
    body = [*(data.items() if isinstance(data, dict) else data), ("csrf_token", token)]
    form = {"content-type": "application/x-www-form-urlencoded"}
    answer: httpx.Response = client.post(
        url, content=urlencode(body), follow_redirects=False, headers=form
    )
    return answer


def _invite(carol: TestClient, name: str = "") -> str:
    made = carol.post("/api/v1/clinician/invites", json={"patient_name": name} if name else None)
    assert made.status_code == 201, made.text
    code: str = made.json()["code"]
    return code


def _link(alice: TestClient, code: str, *, scope: str = "summary", earlier: bool = False) -> None:
    data = {"code": code, "confirm": "yes", "scope": scope}
    if earlier:
        data["include_earlier"] = "yes"
    done = _post(alice, "/account/link", data)
    assert done.status_code == 303 and "Linked" in done.headers["location"]


# -- roles ----------------------------------------------------------------------------------


def test_a_clinician_lands_on_their_patients_and_a_person_on_home(app: FastAPI) -> None:
    for email, landing in (("carol@example.org", "/clinician"), ("alice@example.org", "/")):
        client = TestClient(app)
        token = _csrf(client, "/login")
        form = {"email": email, "password": PASSWORD, "csrf_token": token}
        signed = client.post("/login", data=form, follow_redirects=False)
        assert (signed.status_code, signed.headers["location"]) == (303, landing)
    client = TestClient(app)
    token = _csrf(client, "/login")
    asked = client.post("/login", data={"email": "carol@example.org", "password": PASSWORD,
                                        "next": "/guide", "csrf_token": token},
                        follow_redirects=False)  # fmt: skip
    assert asked.headers["location"] == "/guide"


def test_a_clinician_has_patients_in_the_navigation_and_no_link_form(app: FastAPI) -> None:
    carol, alice = signed_in(app, "carol@example.org"), signed_in(app, "alice@example.org")
    for page in ("/clinician", "/account"):
        assert '<a href="/clinician"' in carol.get(page).text and ">Patients</a>" in carol.get(
            page).text  # fmt: skip
    account = carol.get("/account").text
    assert "Link to your clinician" not in account and "Clinicians who can see" not in account
    mine = alice.get("/account").text
    assert "Link to your clinician" in mine and ">Patients</a>" not in mine
    refused = _post(carol, "/account/link", {"code": _invite(carol), "confirm": "yes"})
    assert "do+not+link" in refused.headers["location"]
    assert alice.get("/clinician").status_code == 403
    # On every page: a clinician's navigation has Patients and no patient-only pages; a
    # person's has their own pages and no Patients.
    for page in ("/exercises", "/guide"):
        nav = carol.get(page).text.split("</nav>")[0]
        assert ">Patients</a>" in nav
        assert not any(f'href="{href}"' in nav for href in ("/plan", "/history", "/checkin"))
        theirs = alice.get(page).text.split("</nav>")[0]
        assert ">Patients</a>" not in theirs and 'href="/history"' in theirs


# -- consent ----------------------------------------------------------------------------------


def test_linking_names_the_clinician_and_asks_what_they_may_see(app: FastAPI) -> None:
    carol, alice = signed_in(app, "carol@example.org"), signed_in(app, "alice@example.org")
    code = _invite(carol, "Alice")
    shown = _post(alice, "/account/link", {"code": code})
    assert shown.status_code == 200
    text = shown.text
    assert "Dr Carol Physio" in text and 'value="summary" checked' in text
    earlier = text.split('name="include_earlier"')[1].split(">")[0]
    assert "checked" not in earlier  # earlier data is left out unless ticked
    assert carol.get("/api/v1/clinician/patients").json() == []  # nothing shared yet
    _link(alice, code, scope="full", earlier=True)
    account = alice.get("/account").text
    assert "Dr Carol Physio" in account and "full record, earlier data included" in account
    alice_id = alice.get("/api/v1/me").json()["id"]
    scope = carol.get(f"/api/v1/clinician/patients/{alice_id}").json()["scope"]
    assert scope == {"full": True, "since": None}


def test_earlier_data_stays_hidden_unless_included_and_all_goes_at_unlink(app: FastAPI) -> None:
    carol, alice = signed_in(app, "carol@example.org"), signed_in(app, "alice@example.org")
    app.dependency_overrides[_now] = lambda: T0 - timedelta(days=3)
    assert alice.post("/api/v1/checkins", json={"pain": 7}).status_code == 201
    app.dependency_overrides[_now] = lambda: T0
    _link(alice, _invite(carol))
    alice_id = alice.get("/api/v1/me").json()["id"]
    history = carol.get(f"/api/v1/clinician/patients/{alice_id}").json()["history"]
    assert all(w["average_pain"] is None for w in history["weeks"])
    assert "Alice Example" in carol.get("/clinician").text
    clinician_id = carol.get("/api/v1/me").json()["id"]
    gone = _post(alice, "/account/unlink", {"clinician_id": str(clinician_id)})
    assert "Stopped" in gone.headers["location"]
    assert carol.get(f"/api/v1/clinician/patients/{alice_id}").status_code == 404
    assert "Alice Example" not in carol.get("/clinician").text
    _link(alice, _invite(carol), earlier=True)
    history = carol.get(f"/api/v1/clinician/patients/{alice_id}").json()["history"]
    assert 7.0 in [w["average_pain"] for w in history["weeks"]]


# -- invite codes -----------------------------------------------------------------------------


def test_invite_codes_are_unambiguous_and_read_in_any_case(app: FastAPI) -> None:
    carol, alice = signed_in(app, "carol@example.org"), signed_in(app, "alice@example.org")
    codes = [_invite(carol) for _ in range(20)]
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("".join(codes)) & set("0O1IL")
    typed = f" {codes[0][:4].lower()}-{codes[0][4:].lower()} "
    linked = alice.post("/api/v1/links", json={"code": typed})
    assert linked.status_code == 201, linked.text


def test_an_invite_is_named_listed_withdrawn_and_expires(app: FastAPI) -> None:
    carol, alice = signed_in(app, "carol@example.org"), signed_in(app, "alice@example.org")
    _post(carol, "/clinician/invite", {"patient_name": "Alice Example"})
    (listed,) = carol.get("/api/v1/clinician/invites").json()
    assert listed["patient_name"] == "Alice Example"
    page = carol.get("/clinician").text
    assert f"{listed['code'][:4]}-{listed['code'][4:]}" in page and "for Alice Example" in page
    withdrawn = _post(carol, "/clinician/invite/revoke", {"code": listed["code"]})
    assert "withdrawn" in withdrawn.headers["location"]
    assert carol.get("/api/v1/clinician/invites").json() == []
    refused = alice.post("/api/v1/links", json={"code": listed["code"]})
    assert refused.status_code == 409 and "withdrawn" in refused.text
    bob = signed_in(app, "bob@example.org")
    other = _invite(carol)
    assert bob.delete(f"/api/v1/clinician/invites/{other}").status_code == 403
    app.dependency_overrides[_now] = lambda: T0 + timedelta(days=8)
    assert alice.post("/api/v1/links", json={"code": other}).status_code == 409


# -- triage ------------------------------------------------------------------------------------


def test_the_triage_page_searches_sorts_pages_and_links_each_patient(app: FastAPI) -> None:
    carol = signed_in(app, "carol@example.org")
    accounts, auth = app.state.accounts, app.state.auth
    for n in range(30):
        person = accounts.create(f"p{n:02d}@example.org", "x", role=Role.PERSON, at=T0)
        code = accounts.new_invite(carol.get("/api/v1/me").json()["id"], T0,
                                   valid_for=timedelta(days=1))  # fmt: skip
        accounts.accept_invite(person.id, code.code, T0)
    del auth
    first = carol.get("/clinician?sort=name").text
    assert "page 1 of 2" in first and "p00@example.org" in first and "p25@example.org" not in first
    second = carol.get("/clinician?sort=name&page=2").text
    assert "p25@example.org" in second and 'href="/clinician/patients/' in second
    found = carol.get("/clinician?q=P07").text
    assert "p07@example.org" in found and "p08@example.org" not in found
    assert carol.get("/clinician?sort=nonsense").status_code == 422


# -- the programme builder -------------------------------------------------------------------


def _builder_setup(app: FastAPI) -> tuple[TestClient, TestClient, int]:
    carol, alice = signed_in(app, "carol@example.org"), signed_in(app, "alice@example.org")
    assert alice.post("/api/v1/screen", json=SCREEN).status_code == 200
    _link(alice, _invite(carol))
    return carol, alice, alice.get("/api/v1/me").json()["id"]


def test_the_builder_shows_and_refuses_what_the_patients_limits_rule_out(app: FastAPI) -> None:
    carol, _alice, alice_id = _builder_setup(app)
    page = carol.get(f"/clinician/patients/{alice_id}/programme")
    assert page.status_code == 200
    crunch = page.text.split(">Crunch</label>")[1].split("</tr>")[0]
    assert "Not for this patient" in crunch and "rule" in crunch
    refused = _post(carol, f"/clinician/patients/{alice_id}/programme",
                    [("pick", "crunch"), ("sets-crunch", "2"), ("reps-crunch", "15")])  # fmt: skip
    assert refused.status_code == 422
    assert "Crunch is ruled out for this person by the rule" in refused.text
    too_many = [("pick", "bridge"), ("reps-bridge", "40"), ("hold_s-bridge", "5")]
    out_of_range = _post(carol, f"/clinician/patients/{alice_id}/programme", too_many)
    assert out_of_range.status_code == 422
    assert "reps: 40 is outside the range 5-15" in out_of_range.text
    bob_id = signed_in(app, "bob@example.org").get("/api/v1/me").json()["id"]
    assert carol.get(f"/clinician/patients/{bob_id}/programme").status_code == 404


def test_a_programme_is_built_seen_printed_edited_and_ended(app: FastAPI) -> None:
    carol, alice, alice_id = _builder_setup(app)
    url = f"/clinician/patients/{alice_id}/programme"
    started = _post(carol, url, [
        ("title", "Back on track"), ("days_per_week", "3"),
        ("pick", "cat-cow"), ("reps-cat-cow", "10"), ("note-cat-cow", "Slow, within comfort"),
        ("order-cat-cow", "2"), ("pick", "bridge"), ("sets-bridge", "2"), ("reps-bridge", "8"),
        ("hold_s-bridge", "5"), ("order-bridge", "1"),
    ])  # fmt: skip
    assert started.status_code == 303, started.text
    mine = alice.get("/programme").text
    programme_id = re.search(r'href="/player\?programme=(\d+)"', mine)
    assert programme_id, mine
    assert "Slow, within comfort" in mine, mine[mine.find("<main") :][:1500]
    assert "Dr Carol Physio" in mine, mine[mine.find("<main") :][:1500]
    assert mine.index("Bridge") < mine.index("Cat-cow")  # the clinician's order
    handout = alice.get("/programme/handout").text
    assert "For Alice Example, from Dr Carol Physio, 01 Dec 2026." in handout
    assert "Slow, within comfort" in handout and "2 x 8 reps" in handout
    edited = _post(carol, url, [("programme_id", programme_id.group(1)), ("title", "Week 2"),
                                ("days_per_week", "4"), ("pick", "cat-cow"),
                                ("reps-cat-cow", "10")])  # fmt: skip
    assert edited.status_code == 303
    assert "Week 2" in alice.get("/programme").text
    builder = carol.get(url).text
    assert "edited" in builder and "started" in builder and "Edit the active programme" in builder
    ended = _post(carol, f"/clinician/programmes/{programme_id.group(1)}/end", {})
    assert ended.status_code == 303
    assert "has not built a programme" in alice.get("/programme").text
    assert "ended" in carol.get(url).text
    assert _post(alice, f"/clinician/programmes/{programme_id.group(1)}/end", {}).status_code == 403


def test_a_blocking_screen_is_shown_and_refuses_a_programme(app: FastAPI) -> None:
    carol, alice, alice_id = _builder_setup(app)
    doctor = {**SCREEN, "red_flags": ["night_pain"]}
    assert alice.post("/api/v1/screen", json=doctor).status_code == 200
    page = carol.get(f"/clinician/patients/{alice_id}/programme").text
    assert "The latest safety screen says doctor" in page
    refused = _post(carol, f"/clinician/patients/{alice_id}/programme",
                    [("pick", "cat-cow"), ("reps-cat-cow", "10")])  # fmt: skip
    assert refused.status_code == 409
    assert "says doctor" in refused.text


# -- the API and isolation --------------------------------------------------------------------

DRAFT = {"title": "Back on track", "days_per_week": 3, "items": [
    {"exercise_id": "cat-cow", "reps": 10, "note": "Slow, within comfort"},
    {"exercise_id": "bridge", "sets": 2, "reps": 8, "hold_s": 5},
]}  # fmt: skip


def test_the_api_builds_edits_plays_and_ends_a_programme(app: FastAPI) -> None:
    carol, alice, alice_id = _builder_setup(app)
    base = f"/api/v1/clinician/patients/{alice_id}/programmes"
    crunch = {"items": [{"exercise_id": "crunch", "sets": 2, "reps": 15}]}
    refused = carol.post(base, json=crunch)
    assert refused.status_code == 422 and "by the rule" in refused.text
    made = carol.post(base, json=DRAFT)
    assert made.status_code == 201, made.text
    programme_id = made.json()["id"]
    assert alice.get("/api/v1/programme").json()["id"] == programme_id
    plan = alice.get(f"/api/v1/programme/{programme_id}/plan").json()
    assert [(b["exercise_id"], b["note"]) for b in plan["blocks"]] == [
        ("cat-cow", "Slow, within comfort"), ("bridge", None)]  # fmt: skip
    edited = carol.put(f"/api/v1/clinician/programmes/{programme_id}",
                       json={**DRAFT, "days_per_week": 2})  # fmt: skip
    assert edited.status_code == 200 and edited.json()["version"] == 2
    assert carol.put(f"/api/v1/clinician/patients/{alice_id}/target",
                     json={"sessions": 2}).status_code == 204  # fmt: skip
    row = carol.get("/api/v1/clinician/triage").json()["rows"][0]
    assert (row["weekly_target"], row["target_is_default"]) == (2, False)
    ended = carol.post(f"/api/v1/clinician/programmes/{programme_id}/end")
    assert ended.status_code == 200 and ended.json()["active"] is False
    assert alice.get("/api/v1/programme").json() is None
    assert alice.get(f"/api/v1/programme/{programme_id}/plan").status_code == 404
    history = carol.get(base).json()
    assert [e["action"] for e in history[0]["events"]] == ["started", "edited", "ended"]


def test_no_workspace_route_reaches_another_clinicians_patient(app: FastAPI) -> None:
    carol, alice, alice_id = _builder_setup(app)
    programme_id = carol.post(f"/api/v1/clinician/patients/{alice_id}/programmes",
                              json=DRAFT).json()["id"]  # fmt: skip
    app.state.accounts.create("dave@example.org", app.state.auth.hash(PASSWORD),
                              role=Role.CLINICIAN, at=T0)  # fmt: skip
    dave, bob = signed_in(app, "dave@example.org"), signed_in(app, "bob@example.org")
    calls = [
        ("GET", f"/api/v1/clinician/patients/{alice_id}", None),
        ("GET", f"/api/v1/clinician/patients/{alice_id}/programmes", None),
        ("POST", f"/api/v1/clinician/patients/{alice_id}/programmes", DRAFT),
        ("PUT", f"/api/v1/clinician/programmes/{programme_id}", DRAFT),
        ("POST", f"/api/v1/clinician/programmes/{programme_id}/end", None),
        ("PUT", f"/api/v1/clinician/patients/{alice_id}/target", {"sessions": 3}),
        ("GET", f"/api/v1/programme/{programme_id}/plan", None),
        ("GET", f"/clinician/patients/{alice_id}/programme", None),
    ]
    for client in (dave, bob):
        for method, url, body in calls:
            answer = client.request(method, url, json=body)
            assert answer.status_code in (403, 404), (method, url, answer.status_code)
            assert "Alice" not in answer.text and "alice" not in answer.text
    assert "Alice" not in dave.get("/clinician").text
    assert dave.get("/api/v1/clinician/triage").json()["total"] == 0
    ended = _post(dave, f"/clinician/programmes/{programme_id}/end", {})
    assert ended.status_code == 404
    assert alice.get("/api/v1/programme").json()["version"] == 1


# -- outcome measures -------------------------------------------------------------------------


def test_outcome_measures_are_asked_at_the_start_and_at_two_weeks(app: FastAPI) -> None:
    from midback.services import workspace

    carol, alice, alice_id = _builder_setup(app)
    start = alice.get("/outcomes").text
    assert 'name="timepoint" value="start"' in start and 'name="groc"' not in start
    first = [("timepoint", "start"), ("activity-1", "Reaching up to a shelf"), ("score-1", "3"),
             ("activity-2", "Sitting through a film"), ("score-2", "5")]  # fmt: skip
    with_groc = _post(alice, "/outcomes", [*first, ("groc", "2")])
    assert with_groc.status_code == 422 and "no change to rate at the start" in with_groc.text
    half = _post(alice, "/outcomes", [*first, ("activity-3", "Gardening")])
    assert half.status_code == 422 and "activity 3: give both" in half.text
    assert _post(alice, "/outcomes", first).status_code == 303
    assert "Nothing is due now" in alice.get("/outcomes").text
    assert _post(alice, "/outcomes", first).status_code == 422  # the start is answered
    app.dependency_overrides[_now] = lambda: T0 + timedelta(days=15)
    later = alice.get("/outcomes").text
    assert 'value="week2"' in later and "Reaching up to a shelf" in later
    other = [("timepoint", "week2"), ("activity-1", "Running"), ("score-1", "6"), ("groc", "3")]
    assert _post(alice, "/outcomes", other).status_code == 422
    again = [("timepoint", "week2"), ("activity-1", "Reaching up to a shelf"), ("score-1", "6"),
             ("activity-2", "Sitting through a film"), ("score-2", "7"), ("groc", "4")]  # fmt: skip
    assert _post(alice, "/outcomes", again).status_code == 303
    clinician_id = carol.get("/api/v1/me").json()["id"]
    seen = workspace.patient_outcomes(app.state.repo, app.state.accounts, clinician_id, alice_id,
                                      now=T0 + timedelta(days=15))  # fmt: skip
    assert [a.timepoint.value for a in seen.answered] == ["start", "week2"]
    assert seen.change == 2.5 and seen.meaningful and seen.due is None
    partial = app.state.templates.get_template("_outcomes.html").render(outcomes=seen)
    assert "+4: moderately better" in partial and "<svg" in partial and "2 weeks" in partial


def test_an_emergency_screen_reaches_the_clinicians_page_at_once(app: FastAPI) -> None:
    carol, alice, _alice_id = _builder_setup(app)
    assert "Nothing needs attention" in carol.get("/clinician").text
    emergency = {**SCREEN, "red_flags": ["chest_pain", "breathless"]}
    assert alice.post("/api/v1/screen", json=emergency).status_code == 200
    page = carol.get("/clinician").text
    attention = page.split('id="alerts-title"')[1].split("</section>")[0]
    assert "Urgent:" in attention and "Alice Example" in attention
    row = page.split("Alice Example</a>")[1].split("</tr>")[0]
    assert '<strong class="badge danger">' in row


def test_the_patients_player_plays_the_programme_with_its_notes(app: FastAPI) -> None:
    carol, alice, alice_id = _builder_setup(app)
    made = carol.post(f"/api/v1/clinician/patients/{alice_id}/programmes", json=DRAFT)
    assert made.status_code == 201, made.text
    programme_id = made.json()["id"]
    player = alice.get(f"/player?programme={programme_id}")
    found = re.search(r'<script type="application/json" id="player-data">(.*?)</script>',
                      player.text, re.S)  # fmt: skip
    assert found
    start = json.loads(found.group(1))["start"]
    assert start["programme_id"] == programme_id
    started = alice.post("/api/v1/sessions", json={**start, "pain_before": 2})
    assert started.status_code == 201, started.text
    blocks = started.json()["plan"]["blocks"]
    assert [(b["exercise_id"], b["note"]) for b in blocks] == [
        ("cat-cow", "Slow, within comfort"), ("bridge", None)]  # fmt: skip
    cues = " ".join(c.get("text", "") + " " + c.get("say", "")
                    for c in started.json()["timeline"]["cues"])  # fmt: skip
    assert "Slow, within comfort" in cues  # the player shows and says the clinician's note
    # Someone else's programme id is not found; a day of pain 8 is refused as always.
    bob = signed_in(app, "bob@example.org")
    bob.post("/api/v1/screen", json=SCREEN)
    assert bob.post("/api/v1/sessions", json={"programme_id": programme_id}).status_code == 404
    severe = alice.post("/api/v1/sessions", json={**start, "pain_before": 8})
    assert severe.status_code == 403 and severe.json()["verdict"] == "pain_today"


def test_a_course_is_refused_while_a_programme_is_active(app: FastAPI) -> None:
    carol, alice, alice_id = _builder_setup(app)
    assert carol.post(f"/api/v1/clinician/patients/{alice_id}/programmes",
                      json=DRAFT).status_code == 201  # fmt: skip
    refused = alice.post("/api/v1/course", json={"minutes": 15, "place": "home"})
    assert refused.status_code == 409 and "one programme or course at a time" in refused.text
    assert alice.get("/api/v1/course").status_code == 404  # nothing was started
