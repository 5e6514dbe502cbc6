"""The one tap after an exercise (too easy / about right / too hard) is stored with its log,
carried by export and import, refused when it is not one of the three, and read by progress."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from midback.settings import Settings
from midback.web.app import create_app
from tests.integration.helpers import screen_via_api


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/t.db"))
    with TestClient(app) as test_client:
        yield test_client


def _start(client: TestClient) -> int:
    screen_via_api(client)
    started = client.post("/api/v1/sessions", json={"program_id": "three-for-relief"})
    assert started.status_code == 201, started.text
    session_id: int = started.json()["session"]["id"]
    return session_id


def _log(client: TestClient, session_id: int, position: int, **extra: object) -> dict[str, object]:
    body = {"position": position, "status": "completed",
            "idempotency_key": f"s{session_id}-b{position}-a1", **extra}  # fmt: skip
    response = client.post(f"/api/v1/sessions/{session_id}/logs", json=body)
    assert response.status_code == 201, response.text
    logged: dict[str, object] = response.json()
    return logged


def test_each_log_keeps_its_tap_and_an_untapped_log_none(client: TestClient) -> None:
    session_id = _start(client)
    assert _log(client, session_id, 0, effort="easy")["effort"] == "easy"
    assert _log(client, session_id, 1)["effort"] is None
    assert _log(client, session_id, 2, effort="hard")["effort"] == "hard"

    logs = client.get(f"/api/v1/sessions/{session_id}").json()["logs"]
    assert [log["effort"] for log in logs] == ["easy", None, "hard"]


def test_a_tap_that_is_not_one_of_the_three_is_refused_by_name(client: TestClient) -> None:
    session_id = _start(client)
    body = {"position": 0, "status": "completed", "idempotency_key": f"s{session_id}-b0-a1",
            "effort": "meh"}  # fmt: skip
    response = client.post(f"/api/v1/sessions/{session_id}/logs", json=body)
    assert response.status_code == 422
    assert "effort" in response.text
    assert client.get(f"/api/v1/sessions/{session_id}").json()["logs"] == []


def test_export_and_csv_carry_the_tap(client: TestClient) -> None:
    session_id = _start(client)
    _log(client, session_id, 0, effort="right")
    document = client.get("/api/v1/export").json()
    logs = [log for s in document["sessions"] for log in s["logs"]]
    assert [log["effort"] for log in logs] == ["right"]
    text = client.get("/api/v1/export?format=csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["exercise_effort"] for row in rows] == ["right"]


def test_too_easy_moves_an_exercise_up_after_one_session(client: TestClient) -> None:
    session_id = _start(client)
    logs = client.get(f"/api/v1/sessions/{session_id}").json()
    blocks = len(logs["plan"]["blocks"]) if "plan" in logs else 3
    for position in range(blocks):
        _log(client, session_id, position, effort="easy")
    finished = client.post(f"/api/v1/sessions/{session_id}/finish",
                           json={"status": "completed", "pain_after": 1})  # fmt: skip
    assert finished.status_code == 200, finished.text
    progress = client.get("/api/v1/progress").json()["progression"]
    climbing = [item for item in progress if item["steps"] > 1]
    assert climbing, "the program has an exercise with a ladder"
    for entry in climbing:  # one session said "too easy": one step up at once
        assert entry["change"] == "up" and "too easy" in entry["reason"], entry
        assert entry["step"] == 1
