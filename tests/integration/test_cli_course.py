"""``midback course`` end to end in the terminal: start, a session a day for two weeks with the
clock moved a day at a time, show, swap, stop."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from midback.cli import app as cli
from midback.cli import store

runner = CliRunner()
START = datetime(2026, 12, 7, 18, tzinfo=UTC)
ALL_CLEAR = {"age": 42, "pain_now": 3, "pain_duration_days": 10, "improving": True}


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MIDBACK_HOME", str(tmp_path))
    monkeypatch.delenv("MIDBACK_DATABASE_URL", raising=False)
    return tmp_path


def on(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    """Move the commands' clock (``midback.cli.store.now``) to ``when``."""
    monkeypatch.setattr(store, "now", lambda: when)


def run(*args: str) -> dict[str, Any]:
    result = runner.invoke(cli.app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_a_course_followed_daily_for_two_weeks_keeps_its_core_and_climbs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on(monkeypatch, START)
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(ALL_CLEAR), encoding="utf-8")
    assert runner.invoke(cli.app, ["screen", "--answers", str(answers)]).exit_code == 0
    course = run("course", "start", "--minutes", "15", "--place", "home")
    core = [c["exercise_id"] for c in course["core"]]
    assert 3 <= len(core) <= 6
    first: dict[str, str] = {}
    for n in range(14):
        on(monkeypatch, START + timedelta(days=n))
        checkin = runner.invoke(cli.app, ["checkin", "--pain", "3"])
        assert checkin.exit_code == 0, checkin.output
        shown = run("course")
        session = shown["session"]
        assert isinstance(session, dict)
        assert [b["exercise_id"] for b in session["blocks"]] == core, f"day {n + 1}"
        if n == 0:
            first = {b["exercise_id"]: b["dose"] for b in session["blocks"]}
        played = runner.invoke(
            cli.app,
            ["start", "--no-input", "--speed", "1000", "--pain-before", "3", "--pain-after", "2"],
        )
        assert played.exit_code == 0, played.output
    on(monkeypatch, START + timedelta(days=13, hours=2))
    shown = run("course")
    session = shown["session"]
    assert isinstance(session, dict)
    climbed = [b["exercise_id"] for b in session["blocks"] if b["dose"] != first[b["exercise_id"]]]
    assert climbed, "two weeks of good sessions move some doses up their ladders"
    steps = shown["steps"]
    assert isinstance(steps, dict) and any(s["step"] > 0 for s in steps.values())


def test_swap_stop_and_a_missing_course_in_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on(monkeypatch, START)
    missing = runner.invoke(cli.app, ["course"])
    assert missing.exit_code == 2
    assert "course start" in missing.output
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(ALL_CLEAR), encoding="utf-8")
    course = run("course", "start", "--minutes", "15", "--place", "home",
                 "--answers", str(answers))  # fmt: skip
    first = course["core"][0]["exercise_id"]
    swapped = run("course", "swap", str(first))
    assert first not in [c["exercise_id"] for c in swapped["core"]]
    wrong = runner.invoke(cli.app, ["course", "swap", "crunch"])
    assert wrong.exit_code == 2 and "not in your course's core" in wrong.output
    stopped = run("course", "stop")
    assert stopped["active"] is False
    assert runner.invoke(cli.app, ["course"]).exit_code == 2


def test_a_course_needs_the_safety_screen_first(monkeypatch: pytest.MonkeyPatch) -> None:
    on(monkeypatch, START)
    result = runner.invoke(cli.app, ["course", "start", "--minutes", "15", "--place", "home"])
    assert result.exit_code == 3
    assert "safety screen" in result.output


def test_history_in_the_terminal_charts_the_course_doses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on(monkeypatch, START)
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(ALL_CLEAR), encoding="utf-8")
    course = run("course", "start", "--minutes", "15", "--place", "home",
                 "--answers", str(answers))  # fmt: skip
    core = [c["exercise_id"] for c in course["core"]]
    for n in range(3):
        on(monkeypatch, START + timedelta(days=n))
        played = runner.invoke(cli.app, ["start", "--no-input", "--speed", "1000",
                                         "--pain-before", "3", "--pain-after", "2"])  # fmt: skip
        assert played.exit_code == 0, played.output
    data = run("history")
    assert set(data["course_doses"]) == set(core)
    assert all(len(points) == 3 for points in data["course_doses"].values())
    shown = runner.invoke(cli.app, ["history"])
    assert "Your course's exercises over time" in shown.output


def test_a_sparkline_rises_with_the_dose() -> None:
    from midback.cli.course_views import sparkline

    assert sparkline([10, 20, 30]) == "▁▅█"
    assert sparkline([5, 5]) == "▁▁"
    assert sparkline([]) == ""
