"""Guided sessions end to end through the CLI, on a SQLite store in a temporary MIDBACK_HOME
(the ``home`` fixture of conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from midback.cli.app import app
from tests.integration.helpers import screen_via_cli

runner = CliRunner()


def _start(*extra: str) -> str:
    args = ["start", "--no-input", "--speed", "1000", "--pain-before", "4", "--pain-after", "3"]
    result = runner.invoke(app, [*args, *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_an_unattended_session_of_a_program_shows_in_history(home: Path) -> None:
    screen_via_cli(home.parent)
    out = _start("--program", "three-for-relief")
    assert "Next: Cat-cow" in out
    history = json.loads(runner.invoke(app, ["history", "--json"]).stdout)
    assert history["total_sessions"] == 1
    session = history["sessions"][0]
    assert session["program_id"] == "three-for-relief"
    assert session["status"] == "completed"
    assert (session["pain_before"], session["pain_after"]) == (4, 3)
    assert (home / "midback.db").exists()


def test_a_planned_session_logs_every_exercise(home: Path) -> None:
    screen_via_cli(home.parent)
    _start("--minutes", "5", "--place", "desk")
    exported = home.parent / "out.json"
    assert runner.invoke(app, ["export", str(exported)]).exit_code == 0
    data = json.loads(exported.read_text())
    logs = data["sessions"][0]["logs"]
    assert logs and all(log["status"] == "completed" for log in logs)
    assert all(log["actual"] == log["target"] for log in logs)


def test_a_red_flag_answer_refuses_the_session(home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps({"age": 40, "pain_now": 3, "pain_duration_days": 5, "red_flags": ["fever"]})
    )
    result = runner.invoke(
        app, ["start", "--program", "three-for-relief", "--no-input", "--answers", str(answers)]
    )
    assert result.exit_code == 3
    assert "fever" in result.stderr.lower()
    history = json.loads(runner.invoke(app, ["history", "--json"]).stdout)
    assert history["total_sessions"] == 0


def test_checkin_and_progress_after_two_good_sessions(home: Path) -> None:
    screen_via_cli(home.parent)
    assert runner.invoke(app, ["checkin", "--pain", "4", "--stiffness", "6"]).exit_code == 0
    _start("--program", "core-foundation")
    _start("--program", "core-foundation")
    result = runner.invoke(app, ["progress", "--json"])
    standings = {s["exercise_id"]: s for s in json.loads(result.stdout)}
    assert standings["core-breath"]["streak"] in (0, 2)
    bridge = standings["bridge"]
    assert bridge["reason"]


def test_export_import_round_trip_is_lossless(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen_via_cli(home.parent)
    runner.invoke(app, ["checkin", "--pain", "5"])
    _start("--program", "quick-stretches")
    first = tmp_path / "first.json"
    assert runner.invoke(app, ["export", str(first)]).exit_code == 0
    monkeypatch.setenv("MIDBACK_HOME", str(tmp_path / "other"))
    result = runner.invoke(app, ["import", str(first)])
    assert result.exit_code == 0, result.output
    second = tmp_path / "second.json"
    assert runner.invoke(app, ["export", str(second)]).exit_code == 0
    assert json.loads(first.read_text()) == json.loads(second.read_text())


def test_a_corrupted_import_names_its_first_bad_record_and_stores_nothing(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen_via_cli(home.parent)
    _start("--program", "quick-stretches")
    good = tmp_path / "good.json"
    runner.invoke(app, ["export", str(good)])
    data = json.loads(good.read_text())
    data["sessions"][0]["logs"][1]["status"] = "dnoe"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    monkeypatch.setenv("MIDBACK_HOME", str(tmp_path / "empty"))
    result = runner.invoke(app, ["import", str(bad)])
    assert result.exit_code == 2
    assert "sessions[0].logs[1].status" in result.stderr
    history = json.loads(runner.invoke(app, ["history", "--json"]).stdout)
    assert history["total_sessions"] == 0


def test_export_csv_has_a_header_and_a_row_per_log(home: Path, tmp_path: Path) -> None:
    screen_via_cli(home.parent)
    _start("--program", "three-for-relief")
    target = tmp_path / "logs.csv"
    assert runner.invoke(app, ["export", "--format", "csv", str(target)]).exit_code == 0
    lines = target.read_text().strip().splitlines()
    assert len(lines) == 1 + 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "--format", "xml", "x.json"], "--format"),
        (["export", "/no/such/folder/x.json"], "does not exist"),
        (["import", "/no/such/file.json"], "no such file"),
    ],
)
def test_bad_export_and_import_requests_exit_2(home: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_an_invalid_json_import_names_the_line(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "midback-export",\n oops}')
    result = runner.invoke(app, ["import", str(bad)])
    assert result.exit_code == 2
    assert "line 2" in result.stderr
