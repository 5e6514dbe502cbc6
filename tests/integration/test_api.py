"""The JSON API through FastAPI's TestClient: contracts, errors named by field, idempotency."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from midback.settings import Settings
from midback.web.app import create_app
from tests.integration.helpers import screen_via_api


@pytest.fixture
def client(tmp_path: Path, database_url: str) -> Iterator[TestClient]:
    """The app in local mode on an empty store: SQLite or PostgreSQL (see conftest.py)."""
    settings = Settings(home=tmp_path, database_url=database_url)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _start(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/sessions", json=body or {"program_id": "three-for-relief"})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def test_healthz_answers(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_openapi_lists_the_resources(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/exercises",
        "/api/v1/exercises/{exercise_id}",
        "/api/v1/programs",
        "/api/v1/screen",
        "/api/v1/plan",
        "/api/v1/week",
        "/api/v1/week.ics",
        "/api/v1/timeline",
        "/api/v1/sessions",
        "/api/v1/sessions/{session_id}/logs",
        "/api/v1/sessions/{session_id}/finish",
        "/api/v1/checkins",
        "/api/v1/progress",
        "/api/v1/export",
    ):
        assert path in paths, path


def test_exercises_filter_and_unknown_id_is_404_with_suggestions(client: TestClient) -> None:
    desk = {e["id"] for e in client.get("/api/v1/exercises", params={"place": "desk"}).json()}
    assert "seated-rotation" in desk and "crunch" not in desk
    missing = client.get("/api/v1/exercises/cat-cwo")
    assert missing.status_code == 404
    assert "cat-cow" in missing.json()["detail"]
    assert client.get("/api/v1/programs/nope").status_code == 404


def test_plan_contract_and_budget(client: TestClient) -> None:
    screen_via_api(client)
    plan = client.post("/api/v1/plan", json={"minutes": 10, "place": "home"}).json()
    assert plan["total_seconds"] <= 600
    assert {"phase", "exercise_id", "name", "variant", "dose", "seconds", "why"} <= set(
        plan["blocks"][0]
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"minutes": 10, "place": "beach"}, "place"),
        ({"minutes": 0, "place": "home"}, "minutes"),
        ({"minutes": 10, "place": "home", "conditions": ["knee"]}, "conditions"),
        ({"minutes": 10, "place": "home", "colour": "red"}, "colour"),
        ({"minutes": 10, "place": "home", "answers": {"age": 200}}, "answers"),
    ],
)
def test_invalid_plan_input_is_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v1/plan", json=body)
    assert response.status_code == 422
    locations = [".".join(str(p) for p in d["loc"]) for d in response.json()["detail"]]
    assert any(field in loc for loc in locations), locations


def test_a_red_flag_screen_refuses_plans_until_a_new_screen(client: TestClient) -> None:
    answers = {"age": 45, "pain_now": 4, "pain_duration_days": 3, "red_flags": ["chest_pain"]}
    result = client.post("/api/v1/screen", json=answers).json()
    assert result["verdict"] == "emergency"
    refused = client.post("/api/v1/plan", json={"minutes": 10, "place": "home"})
    assert refused.status_code == 403
    assert refused.json()["error"] == "screen"
    assert refused.json()["verdict"] == "emergency"
    assert (
        client.post("/api/v1/sessions", json={"program_id": "three-for-relief"}).status_code == 403
    )
    fine = {"age": 45, "pain_now": 4, "pain_duration_days": 3}
    assert client.post("/api/v1/screen", json=fine).json()["verdict"] == "ok"
    assert client.post("/api/v1/plan", json={"minutes": 10, "place": "home"}).status_code == 200


def test_a_doctor_verdict_is_lifted_by_cleared(client: TestClient) -> None:
    answers = {"age": 45, "pain_now": 4, "pain_duration_days": 3, "red_flags": ["fever"]}
    client.post("/api/v1/screen", json=answers)
    body = {"minutes": 10, "place": "home"}
    assert client.post("/api/v1/plan", json=body).status_code == 403
    assert client.post("/api/v1/plan", json={**body, "cleared": True}).status_code == 200


def test_a_session_logs_each_exercise_once_per_key(client: TestClient) -> None:
    screen_via_api(client)
    started = _start(client, program_id="three-for-relief", pain_before=4)
    session_id = started["session"]["id"]
    assert started["timeline"]["version"] == 1
    assert started["timeline"]["total_s"] == started["plan"]["total_seconds"]
    for position in range(3):
        key = f"s-{position}-retry-key"
        body = {"position": position, "status": "completed", "idempotency_key": key}
        for _ in range(2):  # a retried request
            response = client.post(f"/api/v1/sessions/{session_id}/logs", json=body)
            assert response.status_code == 201
    finished = client.post(
        f"/api/v1/sessions/{session_id}/finish", json={"pain_after": 2, "effort": 4}
    ).json()
    assert finished["status"] == "completed"
    logs = client.get(f"/api/v1/sessions/{session_id}").json()["logs"]
    assert len(logs) == 3
    assert all(log["actual"] == log["target"] for log in logs)


def test_log_errors_name_the_field(client: TestClient) -> None:
    screen_via_api(client)
    session_id = _start(client)["session"]["id"]
    url = f"/api/v1/sessions/{session_id}/logs"
    bad_status = client.post(
        url, json={"position": 0, "status": "done", "idempotency_key": "k" * 8}
    )
    assert bad_status.status_code == 422
    assert bad_status.json()["detail"][0]["loc"][-1] == "status"
    past_end = client.post(
        url, json={"position": 9, "status": "completed", "idempotency_key": "k" * 8}
    )
    assert past_end.status_code == 422
    assert "position" in str(past_end.json())
    assert client.post("/api/v1/sessions/999/logs", json={
        "position": 0, "status": "completed", "idempotency_key": "k" * 8
    }).status_code == 404  # fmt: skip


def test_checkins_progress_and_export(client: TestClient) -> None:
    screen_via_api(client)
    assert client.post("/api/v1/checkins", json={"pain": 5, "stiffness": 3}).status_code == 201
    assert client.post("/api/v1/checkins", json={"pain": 11}).status_code == 422
    session_id = _start(client)["session"]["id"]
    client.post(f"/api/v1/sessions/{session_id}/finish", json={"pain_after": 3})
    progress = client.get("/api/v1/progress").json()
    assert progress["history"]["total_sessions"] == 1
    exported = client.get("/api/v1/export").json()
    assert exported["format"] == "midback-export"
    assert len(exported["checkins"]) == 1
    csv = client.get("/api/v1/export", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert client.get("/api/v1/export", params={"format": "xml"}).status_code == 422


def test_week_and_its_ics(client: TestClient) -> None:
    screen_via_api(client)
    body = {"minutes": 10, "place": "home", "start": "2026-11-23"}
    week = client.post("/api/v1/week", json=body).json()
    assert week["walk_minutes"] == 150
    ics = client.get(
        "/api/v1/week.ics", params={"minutes": 10, "place": "home", "start": "2026-11-23"}
    )
    assert ics.headers["content-type"].startswith("text/calendar")
    from icalendar import Calendar

    events = Calendar.from_ical(ics.content).walk("VEVENT")
    assert len(events) == len(week["sessions"])


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/api/v1/programs", "/healthz"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


def test_a_persons_time_zone_is_kept_and_checked(client: TestClient) -> None:
    assert client.get("/api/v1/me/timezone").json() == {"timezone": None}
    bad = client.put("/api/v1/me/timezone", json={"timezone": "Mars/Olympus"})
    assert bad.status_code == 422 and "Mars/Olympus" in bad.text
    assert client.get("/api/v1/me/timezone").json() == {"timezone": None}  # nothing stored
    for outside_the_schema in ("", " Europe/London"):  # null clears; these are not zone names
        refused = client.put("/api/v1/me/timezone", json={"timezone": outside_the_schema})
        assert refused.status_code == 422, refused.text
    ok = client.put("/api/v1/me/timezone", json={"timezone": "Pacific/Auckland"})
    assert ok.status_code == 200 and ok.json() == {"timezone": "Pacific/Auckland"}
    assert client.get("/api/v1/me/timezone").json() == {"timezone": "Pacific/Auckland"}


def test_every_operation_documents_the_errors_it_may_answer(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            missing = {"401", "403", "404", "409", "503"} - documented
            assert not missing, f"{method.upper()} {path} does not document {sorted(missing)}"
