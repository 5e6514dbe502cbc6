"""Courses in the browser and over the API: start, the course page, today's session played
through ``POST /api/v1/sessions``, swap and stop; the same use cases as ``midback course``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from midback.settings import Settings
from midback.web.app import create_app

ALL_CLEAR = {"age": 42, "pain_now": 3, "pain_duration_days": 10, "improving": True}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/t.db")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def screened(client: TestClient) -> None:
    assert client.post("/api/v1/screen", json=ALL_CLEAR).status_code == 200


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf_token in the page"
    return found.group(1)


def test_the_api_starts_shows_plays_swaps_and_stops_a_course(client: TestClient) -> None:
    assert client.get("/api/v1/course").status_code == 404
    refused = client.post("/api/v1/course", json={"minutes": 15, "place": "home"})
    assert refused.status_code == 403 and refused.json()["verdict"] == "unscreened"
    screened(client)
    started = client.post("/api/v1/course", json={"minutes": 15, "place": "home"})
    assert started.status_code == 201, started.text
    core = [c["exercise_id"] for c in started.json()["core"]]
    view = client.get("/api/v1/course").json()
    assert [b["exercise_id"] for b in view["session"]["blocks"]] == core
    session = client.post("/api/v1/sessions", json={"course": True, "pain_before": 3})
    assert session.status_code == 201, session.text
    assert [b["exercise_id"] for b in session.json()["plan"]["blocks"]] == core
    session_id = session.json()["session"]["id"]
    first = session.json()["plan"]["blocks"][0]["name"]
    logged = client.post(f"/api/v1/sessions/{session_id}/logs",
                         json={"position": 0, "status": "completed",
                               "idempotency_key": f"s{session_id}-b0-a1"})  # fmt: skip
    assert logged.status_code == 201, logged.text
    history = client.get("/history").text
    assert (
        "Your course&#39;s exercises over time" in history or "Your course's exercises" in history
    )
    assert 'class="sparkline"' in history
    assert f'aria-label="{first}: from ' in history
    gentle = client.post("/api/v1/sessions", json={"course": True, "pain_before": 6})
    assert gentle.status_code == 201 and gentle.json()["gentle_note"]
    too_much = client.post("/api/v1/sessions", json={"course": True, "pain_before": 9})
    assert too_much.status_code == 403 and too_much.json()["verdict"] == "pain_today"
    swapped = client.post("/api/v1/course/swap", json={"exercise_id": core[0]})
    assert swapped.status_code == 200
    assert core[0] not in [c["exercise_id"] for c in swapped.json()["core"]]
    wrong = client.post("/api/v1/course/swap", json={"exercise_id": "no-such-move"})
    assert wrong.status_code == 404
    assert client.post("/api/v1/course/stop").json()["active"] is False
    assert client.get("/api/v1/course").status_code == 404
    assert client.post("/api/v1/course/stop").status_code == 404


def test_the_course_page_starts_a_course_and_plays_it(client: TestClient) -> None:
    page = client.get("/course")
    assert page.status_code == 200 and "Start a course" in page.text
    token = form_token(page.text)
    fields = {"csrf_token": token, "minutes": "15", "place": "home"}
    first = client.post("/course/start", data=fields, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/screen?")
    screened(client)
    done = client.post("/course/start", data=fields, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/course"
    shown = client.get("/course")
    assert "Your course" in shown.text and "Start today's session" in shown.text
    assert 'href="/player?course=1"' in shown.text
    player = client.get("/player?course=1")
    assert player.status_code == 200
    data: Any = re.search(r'id="player-data">(.*?)</script>', player.text)
    assert data and '"course": true' in data.group(1)
    stop = client.post("/course/stop", data={"csrf_token": form_token(shown.text)},
                       follow_redirects=False)  # fmt: skip
    assert stop.status_code == 303
    assert "Start a course" in client.get("/course").text


def test_the_plan_page_offers_to_start_a_course_with_its_options(client: TestClient) -> None:
    screened(client)
    page = client.get("/plan?minutes=20&place=home&focus=mobility")
    assert page.status_code == 200
    offer = re.search(r'<form class="course-offer".*?</form>', page.text, re.S)
    assert offer, "the plan page offers a course"
    assert 'name="minutes" value="20"' in offer.group(0)
    assert 'name="place" value="home"' in offer.group(0)


def test_a_retried_session_start_answers_the_session_and_plan_it_made(client: TestClient) -> None:
    screened(client)
    body = {"minutes": 10, "place": "home", "idempotency_key": "start-key-0001"}
    first = client.post("/api/v1/sessions", json=body)
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/sessions", json={**body, "minutes": 20, "focus": "strength"})
    assert again.status_code == 201, again.text
    assert again.json()["session"]["id"] == first.json()["session"]["id"]
    assert again.json()["plan"] == first.json()["plan"]
    assert again.json()["timeline"] == first.json()["timeline"]
    assert len(client.get("/api/v1/sessions").json()) == 1
