"""One safety gate for every face (issue 12): no plan and no session without a stored screen of
the last 30 days, none on a verdict that refuses, and the pain before a session shaping it.

The CLI runs in-process on a local store of the test's own; the API and the pages run the app in
local mode. Both store on SQLite and on PostgreSQL (``database_url``, see conftest.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from midback.cli.app import app
from midback.domain.answers import parse_answers
from midback.domain.loader import catalogue
from midback.services import LOCAL_PERSON
from midback.services.screening import take_screen
from midback.services.store import open_store
from midback.settings import Settings
from midback.storage import Repository
from midback.web.app import create_app
from tests.integration.helpers import screen_answers, screen_via_api, screen_via_cli

runner = CliRunner()

EXIT_BLOCKED = 3
TAKE_IT_FIRST = "Take the safety screen first"
LOADED = {"dumbbells", "barbell", "cable-machine", "resistance-band", "bench", "pull-up-bar"}
"""Kit that makes a block loaded strength work: never in a gentle session."""
GENTLE_KINDS = {"mobility", "stretch", "breathing", "cardio"}
NOT_IN_PREGNANCY = {"pull-up", "bent-over-row", "reverse-fly", "renegade-row"}
"""Gym exercises a pregnancy screen rules out (hanging, barbell, breath-hold, belly pressure)."""


def days_ago(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def store_screen(repo: Repository, *, at: datetime, **changes: Any) -> None:
    """Write a screen (the all-clear answers with ``changes``) straight through ``repo``."""
    take_screen(repo, LOCAL_PERSON, parse_answers(screen_answers(**changes)), at=at)


# -- the CLI --------------------------------------------------------------------------------


@pytest.fixture
def store_url(home: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The CLI's local store on the test's database (SQLite or PostgreSQL); returns its URL."""
    monkeypatch.setenv("MIDBACK_DATABASE_URL", database_url)
    return database_url


def midback(*args: str) -> Result:
    """Run ``midback ARGS`` (stdin is not a terminal) and check it shows no traceback."""
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    return result


def plan_refusal(*args: str) -> dict[str, Any]:
    """``midback plan --minutes 10 --place home ARGS --json``, which must exit 3: its JSON."""
    result = midback("plan", "--minutes", "10", "--place", "home", *args, "--json")
    assert result.exit_code == EXIT_BLOCKED, result.output
    refusal: dict[str, Any] = json.loads(result.stdout)
    assert refusal.keys() == {"error", "verdict", "reasons"}
    assert refusal["error"] == "screen"
    return refusal


@pytest.mark.parametrize(
    "command",
    [
        ["plan", "--minutes", "10", "--place", "home"],
        ["week", "--minutes", "10", "--place", "home"],
        ["start", "--no-input", "--program", "three-for-relief"],
    ],
)
def test_without_a_stored_screen_and_no_terminal_a_command_exits_3_saying_to_take_it(
    store_url: str, command: list[str]
) -> None:
    result = midback(*command)
    assert result.exit_code == EXIT_BLOCKED
    assert TAKE_IT_FIRST in result.stderr
    assert "Run `midback screen`." in result.stderr
    assert result.stdout == ""


def test_plan_json_without_a_stored_screen_prints_the_unscreened_refusal(store_url: str) -> None:
    refusal = plan_refusal()
    assert refusal["verdict"] == "unscreened"
    assert [r["id"] for r in refusal["reasons"]] == ["screen_required"]
    assert refusal["reasons"][0]["message"].startswith(TAKE_IT_FIRST)


def test_after_midback_screen_plan_uses_the_stored_screen(store_url: str, tmp_path: Path) -> None:
    assert screen_via_cli(tmp_path)["verdict"] == "ok"
    result = midback("plan", "--minutes", "10", "--place", "home", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["blocks"]


def test_a_stored_emergency_screen_refuses_plans_even_when_cleared(
    store_url: str, tmp_path: Path
) -> None:
    assert screen_via_cli(tmp_path, red_flags=["chest_pain"])["verdict"] == "emergency"
    refused = midback("plan", "--minutes", "10", "--place", "home")
    assert refused.exit_code == EXIT_BLOCKED
    assert "screen verdict emergency" in refused.stderr
    assert refused.stdout == ""
    assert [r["id"] for r in plan_refusal()["reasons"]] == ["chest_pain"]
    assert plan_refusal("--cleared")["verdict"] == "emergency"


def test_a_stored_urgent_screen_refuses_plans_until_cleared(store_url: str, tmp_path: Path) -> None:
    assert screen_via_cli(tmp_path, red_flags=["cancer_history"])["verdict"] == "urgent"
    assert plan_refusal()["verdict"] == "urgent"
    cleared = midback("plan", "--minutes", "10", "--place", "home", "--cleared", "--json")
    assert cleared.exit_code == 0, cleared.output


def test_a_stored_screen_older_than_30_days_has_expired(store_url: str) -> None:
    repo = open_store(store_url)
    try:
        store_screen(repo, at=days_ago(31))
        refusal = plan_refusal()
        assert refusal["verdict"] == "expired"
        assert [r["id"] for r in refusal["reasons"]] == ["screen_required"]
        assert "more than 30 days old" in refusal["reasons"][0]["message"]
        store_screen(repo, at=days_ago(29))  # still counts
        assert midback("plan", "--minutes", "10", "--place", "home").exit_code == 0
    finally:
        repo.engine.dispose()


def test_answers_given_to_plan_screen_instead_of_the_stored_screen(
    store_url: str, tmp_path: Path
) -> None:
    screen_via_cli(tmp_path, red_flags=["chest_pain"])
    fine = tmp_path / "fine.json"
    fine.write_text(json.dumps(screen_answers()))
    result = midback("plan", "--minutes", "10", "--place", "home", "--answers", str(fine))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("focus", ["relief", "strength"])
def test_a_stored_pregnancy_screen_limits_a_later_gym_plan(
    store_url: str, tmp_path: Path, focus: str
) -> None:
    assert screen_via_cli(tmp_path, conditions=["pregnancy"])["conditions"] == ["pregnancy"]
    result = midback("plan", "--minutes", "30", "--place", "gym", "--focus", focus, "--json")
    assert result.exit_code == 0, result.output
    blocks = json.loads(result.stdout)["blocks"]
    assert blocks
    assert not NOT_IN_PREGNANCY & {b["exercise_id"] for b in blocks}
    for block in blocks:
        assert not {"barbell", "pull-up-bar"} & set(block["equipment"]), block["exercise_id"]
        assert not {"supine", "prone"} & set(block["positions"]), block["exercise_id"]
        if block["exercise_id"] == "barbell-shrug-behind-back":  # its light-dumbbell form only
            assert block["variant"] == "light-dumbbells"


# -- the API --------------------------------------------------------------------------------


@pytest.fixture
def client(tmp_path: Path, database_url: str) -> Iterator[TestClient]:
    """The app in local mode on an empty store: SQLite or PostgreSQL (see conftest.py)."""
    settings = Settings(home=tmp_path, database_url=database_url)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def web_repo(client: TestClient) -> Repository:
    """The store the app behind ``client`` writes to."""
    repo: Repository = client.app.state.repo  # type: ignore[attr-defined]
    return repo


TEN_AT_HOME = {"minutes": 10, "place": "home"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/plan", TEN_AT_HOME),
        ("POST", "/api/v1/timeline", TEN_AT_HOME),
        ("POST", "/api/v1/week", TEN_AT_HOME),
        ("POST", "/api/v1/sessions", {"program_id": "three-for-relief"}),
        ("GET", "/api/v1/week.ics", None),
    ],
)
def test_every_planning_route_refuses_a_person_without_a_screen(
    client: TestClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    if method == "GET":
        response = client.get(path, params=TEN_AT_HOME)
    else:
        response = client.post(path, json=body)
    assert response.status_code == 403
    refusal = response.json()
    assert (refusal["error"], refusal["verdict"]) == ("screen", "unscreened")
    assert [r["id"] for r in refusal["reasons"]] == ["screen_required"]
    assert client.get("/api/v1/sessions").json() == []


def test_the_api_plans_after_an_all_clear_screen(client: TestClient) -> None:
    screen_via_api(client)
    response = client.post("/api/v1/plan", json=TEN_AT_HOME)
    assert response.status_code == 200, response.text
    assert response.json()["blocks"]


def test_the_api_refuses_after_a_stored_emergency_screen_even_when_cleared(
    client: TestClient,
) -> None:
    screen_via_api(client, red_flags=["chest_pain"])
    for body in (TEN_AT_HOME, {**TEN_AT_HOME, "cleared": True}):
        response = client.post("/api/v1/plan", json=body)
        assert response.status_code == 403
        assert (response.json()["error"], response.json()["verdict"]) == ("screen", "emergency")


def test_the_api_refuses_a_screen_older_than_30_days_as_expired(client: TestClient) -> None:
    store_screen(web_repo(client), at=days_ago(31))
    response = client.post("/api/v1/plan", json=TEN_AT_HOME)
    assert response.status_code == 403
    assert response.json()["verdict"] == "expired"
    assert [r["id"] for r in response.json()["reasons"]] == ["screen_required"]


def test_answers_in_the_body_screen_instead_of_the_stored_screen(client: TestClient) -> None:
    fine = client.post("/api/v1/plan", json={**TEN_AT_HOME, "answers": screen_answers()})
    assert fine.status_code == 200, fine.text
    emergency = screen_answers(red_flags=["chest_pain"])
    refused = client.post("/api/v1/plan", json={**TEN_AT_HOME, "answers": emergency})
    assert (refused.status_code, refused.json()["verdict"]) == (403, "emergency")


GYM_STRENGTH = {"minutes": 30, "place": "gym", "focus": "strength"}


def test_a_pain_of_8_before_a_session_refuses_it_and_stores_none(client: TestClient) -> None:
    screen_via_api(client)
    response = client.post("/api/v1/sessions", json={**GYM_STRENGTH, "pain_before": 8})
    assert response.status_code == 403
    refusal = response.json()
    assert (refusal["error"], refusal["verdict"]) == ("screen", "pain_today")
    assert "8/10" in refusal["reasons"][0]["message"]
    assert client.get("/api/v1/sessions").json() == []


def test_a_pain_of_6_before_a_session_makes_it_gentle(client: TestClient) -> None:
    cat = catalogue()
    screen_via_api(client)
    usual = client.post("/api/v1/sessions", json={**GYM_STRENGTH, "pain_before": 4}).json()
    assert usual["gentle_note"] is None
    assert any(LOADED & set(b["equipment"]) for b in usual["plan"]["blocks"])  # so it can tell

    response = client.post("/api/v1/sessions", json={**GYM_STRENGTH, "pain_before": 6})
    assert response.status_code == 201, response.text
    started = response.json()
    assert "6/10" in started["gentle_note"]
    blocks = started["plan"]["blocks"]
    assert blocks
    for block in blocks:
        assert cat.exercise(block["exercise_id"]).kind in GENTLE_KINDS, block["exercise_id"]
        assert not LOADED & set(block["equipment"]), block["exercise_id"]
    assert started["session"]["pain_before"] == 6


# -- the pages ------------------------------------------------------------------------------

PAGES_THAT_PLAN = [
    "/plan?minutes=10&place=home",
    "/player?minutes=10&place=home",
    "/week?minutes=10&place=home",
]


def sent_to_the_screen(client: TestClient, page: str) -> dict[str, list[str]]:
    """GET ``page``, which must redirect (303) to the safety screen: the screen URL's query."""
    response = client.get(page, follow_redirects=False)
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    assert location.path == "/screen"
    return parse_qs(location.query)


@pytest.mark.parametrize("page", PAGES_THAT_PLAN)
def test_a_page_that_plans_sends_a_new_person_to_the_screen_first(
    client: TestClient, page: str
) -> None:
    assert sent_to_the_screen(client, page) == {"next": [page], "why": ["unscreened"]}


@pytest.mark.parametrize("page", PAGES_THAT_PLAN)
def test_a_page_that_plans_asks_again_after_30_days(client: TestClient, page: str) -> None:
    store_screen(web_repo(client), at=days_ago(31))
    assert sent_to_the_screen(client, page) == {"next": [page], "why": ["expired"]}


def test_the_screen_form_leads_back_to_the_page_that_asked_for_it(client: TestClient) -> None:
    page = "/plan?minutes=10&place=home"
    query = sent_to_the_screen(client, page)
    form = client.get("/screen", params=query)
    assert form.status_code == 200
    assert 'name="next" value="/plan?minutes=10&amp;place=home"' in form.text
    token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answers = {"age": "42", "pain_now": "3", "pain_duration_days": "10", "improving": "yes",
               "assessed_by_clinician": "no"}  # fmt: skip
    result = client.post("/screen", data={"csrf_token": token, "next": page, **answers})
    assert result.status_code == 200
    assert 'href="/plan?minutes=10&amp;place=home"' in result.text  # Continue
    planned = client.get(page, follow_redirects=False)
    assert planned.status_code == 200
    assert 'class="plan-table' in planned.text


def test_after_an_emergency_screen_the_player_shows_the_refusal_on_the_plan_page(
    client: TestClient,
) -> None:
    screen_via_api(client, red_flags=["chest_pain"])
    player = client.get("/player?minutes=10&place=home", follow_redirects=False)
    assert player.status_code == 303
    assert player.headers["location"] == "/plan?minutes=10&place=home"
    plan = client.get("/plan?minutes=10&place=home", follow_redirects=False)
    assert plan.status_code == 403
    assert "No plan: call emergency services now" in plan.text


def test_a_week_calendar_start_out_of_range_is_refused_not_a_500(tmp_path: Path) -> None:
    from midback.settings import Settings
    from midback.web.app import create_app

    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'w.db'}")
    with TestClient(create_app(settings)) as client:
        for start in ("1969-01-01", "9999-12-31"):
            answer = client.get(f"/api/v1/week.ics?minutes=10&place=home&start={start}")
            assert answer.status_code == 422, (start, answer.status_code)
