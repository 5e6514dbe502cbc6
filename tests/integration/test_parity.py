"""The two faces are one: for the same person and the same sessions, the terminal and the web
give the same plan, the same refusal, and the same stored progression (export included)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from midback.cli import app as cli
from midback.cli import store
from midback.settings import Settings
from midback.web.app import create_app
from tests.integration.helpers import Clock

runner = CliRunner()
START = datetime(2026, 12, 7, 18, tzinfo=UTC)
ANSWERS = {"age": 45, "pain_now": 3, "pain_duration_days": 20, "improving": True,
           "conditions": ["knee_pain"]}  # fmt: skip


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """One clock for both faces: the CLI's (``midback.cli.store.now``) and the app's."""
    moved = Clock(START)
    monkeypatch.setattr(store, "now", moved)
    return moved


@pytest.fixture
def terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "terminal"
    home.mkdir()
    monkeypatch.setenv("MIDBACK_HOME", str(home))
    monkeypatch.delenv("MIDBACK_DATABASE_URL", raising=False)
    return home


@pytest.fixture
def web(tmp_path: Path, clock: Clock) -> Iterator[TestClient]:
    home = tmp_path / "web"
    home.mkdir()
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'midback.db'}")
    with TestClient(create_app(settings, clock=clock)) as client:
        yield client


def cli_json(*args: str, code: int = 0) -> Any:
    result = runner.invoke(cli.app, [*args, "--json"])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def screen_both(terminal: Path, web: TestClient, answers: dict[str, Any]) -> None:
    path = terminal / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    cli_json("screen", "--answers", str(path))
    assert web.post("/api/v1/screen", json=answers).status_code == 200


def test_the_same_person_gets_the_same_plan_and_the_same_refusal(
    terminal: Path, web: TestClient, clock: Clock
) -> None:
    screen_both(terminal, web, ANSWERS)
    requests: list[dict[str, Any]] = [
        {"minutes": 20, "place": "home", "focus": "strength"},
        {"minutes": 10, "place": "desk"},
        {"program_id": "three-for-relief"},
    ]
    for options in requests:
        args = [a for k, v in options.items() for a in (f"--{k}", str(v))]
        if "program_id" in options:
            args = ["--program", str(options["program_id"])]
        from_cli = cli_json("plan", *args)
        from_web = web.post("/api/v1/plan", json=options).json()
        assert from_cli == from_web, options
    screen_both(terminal, web, {**ANSWERS, "red_flags": ["cancer_history"]})
    refused = cli_json("plan", "--minutes", "10", "--place", "home", code=3)
    answer = web.post("/api/v1/plan", json={"minutes": 10, "place": "home"})
    assert answer.status_code == 403
    assert refused == answer.json()
    assert refused["verdict"] == "urgent"


def test_the_same_sessions_store_the_same_progression(
    terminal: Path, web: TestClient, clock: Clock
) -> None:
    screen_both(terminal, web, ANSWERS)
    for day in range(4):
        clock.now = START + timedelta(days=day)
        assert runner.invoke(cli.app, ["checkin", "--pain", "3"]).exit_code == 0
        assert web.post("/api/v1/checkins", json={"pain": 3}).status_code in (200, 201)
        played = runner.invoke(cli.app, ["start", "--minutes", "10", "--place", "home",
                                         "--no-input", "--speed", "1000", "--pain-before", "3",
                                         "--pain-after", "2", "--effort", "4"])  # fmt: skip
        assert played.exit_code == 0, played.output
        started = web.post("/api/v1/sessions",
                           json={"minutes": 10, "place": "home", "pain_before": 3})  # fmt: skip
        assert started.status_code == 201, started.text
        session_id = started.json()["session"]["id"]
        for position, _ in enumerate(started.json()["plan"]["blocks"]):
            key = f"s{session_id}-b{position}-a1"
            body = {"position": position, "status": "completed", "idempotency_key": key}
            logged = web.post(f"/api/v1/sessions/{session_id}/logs", json=body)
            assert logged.status_code == 201, logged.text
        finished = web.post(f"/api/v1/sessions/{session_id}/finish",
                            json={"status": "completed", "pain_after": 2, "effort": 4})  # fmt: skip
        assert finished.status_code == 200, finished.text
    clock.now = START + timedelta(days=4)
    from_cli = cli_json("progress")
    from_web = web.get("/api/v1/progress").json()
    assert from_cli == from_web["progression"]
    assert any(step["change"] == "up" for step in from_cli)
    exported_cli = terminal / "export.json"
    assert runner.invoke(cli.app, ["export", str(exported_cli)]).exit_code == 0
    cli_table = json.loads(exported_cli.read_text(encoding="utf-8"))["progression"]
    web_table = web.get("/api/v1/export").json()["progression"]
    assert cli_table and _steps(cli_table) == _steps(web_table)


def _steps(table: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    return sorted((s["exercise_id"], s["step"], s["reason"]) for s in table)
