"""``midback plan`` and ``midback week`` through Typer's CliRunner: options in, plan out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from typer.testing import CliRunner, Result

from midback.cli.app import app
from tests.integration.helpers import screen_via_cli

runner = CliRunner()

pytestmark = pytest.mark.usefixtures("home")  # a local store of the test's own, never the user's

PLAN_KEYS = {"minutes", "total_seconds", "blocks", "directions", "swaps", "notes"}
BLOCK_KEYS = {
    "phase",
    "exercise_id",
    "name",
    "variant",
    "positions",
    "equipment",
    "dose",
    "seconds",
    "why",
}
EXIT_USAGE = 2
EXIT_BLOCKED = 3


def midback(*args: str) -> Result:
    """Run ``midback ARGS`` and check it never shows a traceback."""
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    return result


def write_answers(tmp_path: Path, **answers: Any) -> Path:
    """A screening answers file: a 42-year-old with moderate, 10-day-old pain, plus ``answers``."""
    data: dict[str, Any] = {"age": 42, "pain_now": 4, "pain_duration_days": 10, "improving": True}
    data.update(answers)
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data))
    return path


def plan_json(*args: str) -> dict[str, Any]:
    result = midback("plan", *args, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# --- plan ----------------------------------------------------------------------------------


def test_plan_json_keeps_its_contract(tmp_path: Path) -> None:
    screen_via_cli(tmp_path)
    data = plan_json("--minutes", "10", "--place", "home")
    assert data.keys() >= PLAN_KEYS
    assert data["minutes"] == 10
    assert data["total_seconds"] <= 600
    assert data["blocks"]
    for block in data["blocks"]:
        assert block.keys() >= BLOCK_KEYS
        assert block["dose"]["sets"] >= 1
    assert data["total_seconds"] == 5 + sum(b["seconds"] for b in data["blocks"])


_LOADED = """
import sys
from midback.cli.app import main
sys.argv = ["midback", *sys.argv[1:]]
try:
    main()
finally:
    sys.stderr.write(" ".join(sorted(sys.modules)))
"""


def modules_loaded_by(*args: str) -> set[str]:
    """The modules a fresh ``midback ARGS`` process has imported by the time it exits."""
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, *args], capture_output=True, text=True, check=True
    )
    return set(done.stderr.split())


def test_plan_json_loads_no_rich_and_no_yaml(tmp_path: Path) -> None:
    """Start-up time: no tables to draw, and the catalogue comes from its JSON snapshot."""
    screen_via_cli(tmp_path)
    loaded = modules_loaded_by("plan", "--minutes", "10", "--place", "home", "--json")
    assert "midback.domain.planner" in loaded
    assert not {m for m in loaded if m.split(".")[0] in {"rich", "yaml"}}


def test_same_seed_gives_the_same_output(tmp_path: Path) -> None:
    screen_via_cli(tmp_path)
    args = ("--minutes", "15", "--place", "gym", "--seed", "42", "--focus", "strength")
    assert plan_json(*args) == plan_json(*args)


def test_plan_without_json_shows_a_table(tmp_path: Path) -> None:
    screen_via_cli(tmp_path)
    result = midback("plan", "--minutes", "10", "--place", "desk")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()


def test_conditions_may_be_comma_separated(tmp_path: Path) -> None:
    screen_via_cli(tmp_path)
    data = plan_json("--minutes", "20", "--place", "home", "--condition", "knee_pain,wrist_pain")
    for block in data["blocks"]:
        assert not {"kneeling", "all-fours"} & set(block["positions"])
    assert all("knee pain" in s["reason"] or "wrist pain" in s["reason"] for s in data["swaps"])


def test_an_unknown_condition_exits_2_naming_it() -> None:
    result = midback("plan", "--minutes", "10", "--place", "home", "--condition", "kneee")
    assert result.exit_code == EXIT_USAGE
    assert "'kneee'" in result.stderr
    assert "knee_pain" in result.stderr
    assert result.stdout == ""


def test_an_unknown_equipment_exits_2_naming_it() -> None:
    result = midback("plan", "--minutes", "10", "--place", "home", "--equipment", "kettlebell")
    assert result.exit_code == EXIT_USAGE
    assert "--equipment: unknown value 'kettlebell'" in result.stderr


def test_missing_place_exits_2_with_a_clear_message() -> None:
    result = midback("plan", "--minutes", "10")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.strip() == "midback: error: --place needed (or --program ID)"


def test_an_emergency_red_flag_refuses_to_plan(tmp_path: Path) -> None:
    answers = write_answers(tmp_path, red_flags=["chest_pain"])
    result = midback("plan", "--minutes", "10", "--place", "home", "--answers", str(answers))
    assert result.exit_code == EXIT_BLOCKED
    assert "screen verdict emergency" in result.stderr
    assert "heart" in result.stderr
    assert result.stdout == ""


def test_an_emergency_with_json_prints_the_screen_error(tmp_path: Path) -> None:
    answers = write_answers(tmp_path, red_flags=["chest_pain"])
    result = midback(
        "plan", "--minutes", "10", "--place", "home", "--answers", str(answers), "--json"
    )
    assert result.exit_code == EXIT_BLOCKED
    data = json.loads(result.stdout)
    assert data.keys() == {"error", "verdict", "reasons"}
    assert (data["error"], data["verdict"]) == ("screen", "emergency")
    assert [r["id"] for r in data["reasons"]] == ["chest_pain"]
    assert all(r["message"] for r in data["reasons"])
    assert "emergency" in result.stderr


def test_an_emergency_is_refused_even_when_cleared(tmp_path: Path) -> None:
    answers = write_answers(tmp_path, red_flags=["chest_pain"])
    result = midback(
        "plan", "--minutes", "10", "--place", "home", "--answers", str(answers), "--cleared"
    )
    assert result.exit_code == EXIT_BLOCKED


def test_a_doctor_verdict_refuses_until_cleared(tmp_path: Path) -> None:
    answers = write_answers(tmp_path, red_flags=["fever"])
    args = ("plan", "--minutes", "10", "--place", "home", "--answers", str(answers), "--json")
    blocked = midback(*args)
    assert blocked.exit_code == EXIT_BLOCKED
    assert json.loads(blocked.stdout)["verdict"] == "doctor"
    cleared = midback(*args, "--cleared")
    assert cleared.exit_code == 0, cleared.output
    assert json.loads(cleared.stdout)["blocks"]


def test_conditions_in_the_answers_shape_the_plan(tmp_path: Path) -> None:
    answers = write_answers(tmp_path, conditions=["pregnancy"])
    data = plan_json("--minutes", "30", "--place", "home", "--answers", str(answers))
    for block in data["blocks"]:
        assert not {"prone", "supine"} & set(block["positions"])


def test_a_bad_answers_file_exits_2(tmp_path: Path) -> None:
    answers = write_answers(tmp_path, red_flags=["chest_pian"])
    result = midback("plan", "--minutes", "10", "--place", "home", "--answers", str(answers))
    assert result.exit_code == EXIT_USAGE
    assert "red_flags[0]" in result.stderr


def test_plan_a_program_as_written(tmp_path: Path) -> None:
    screen_via_cli(tmp_path)
    data = plan_json("--program", "three-for-relief")
    assert data["program_id"] == "three-for-relief"
    assert [b["exercise_id"] for b in data["blocks"]] == [
        "cat-cow",
        "seated-rotation",
        "doorway-stretch",
    ]


def test_plan_a_program_with_knee_pain_swaps_cat_cow(tmp_path: Path) -> None:
    screen_via_cli(tmp_path)
    data = plan_json("--program", "three-for-relief", "--condition", "knee_pain")
    assert data["blocks"][0]["variant"] == "seated"
    assert [s["exercise_id"] for s in data["swaps"]] == ["cat-cow"]


def test_an_unknown_program_exits_2_with_a_suggestion(tmp_path: Path) -> None:
    screen_via_cli(tmp_path)
    result = midback("plan", "--program", "three-for-relef")
    assert result.exit_code == EXIT_USAGE
    assert "three-for-relief" in result.stderr


def test_a_program_ruled_out_entirely_exits_2(tmp_path: Path) -> None:
    screen_via_cli(tmp_path)
    result = midback("plan", "--program", "three-for-relief", "--condition", "recent_spine_surgery")
    assert result.exit_code == EXIT_USAGE
    assert "ruled out" in result.stderr


@pytest.mark.parametrize("minutes", ["0", "241", "ten"])
def test_minutes_out_of_range_exit_2(minutes: str) -> None:
    result = midback("plan", "--minutes", minutes, "--place", "home")
    assert result.exit_code == EXIT_USAGE


# --- week ----------------------------------------------------------------------------------


def test_week_writes_a_calendar_and_json(tmp_path: Path) -> None:
    screen_via_cli(tmp_path)
    ics = tmp_path / "week.ics"
    result = midback(
        "week",
        "--minutes", "10",
        "--place", "home",
        "--start", "2026-11-23",
        "--ics", str(ics),
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["start"] == "2026-11-23"
    assert data["walk_minutes"] == 150
    calendar = Calendar.from_ical(ics.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(data["sessions"])
    assert [str(e["summary"]) for e in events] == [s["title"] for s in data["sessions"]]
    assert not (tmp_path / "week.ics.part").exists()


def test_week_with_a_bad_start_exits_2() -> None:
    result = midback("week", "--minutes", "10", "--place", "home", "--start", "notadate")
    assert result.exit_code == EXIT_USAGE
    assert "'notadate' is not a date" in result.stderr


def test_week_with_a_missing_ics_folder_exits_2(tmp_path: Path) -> None:
    screen_via_cli(tmp_path)
    ics = tmp_path / "nowhere" / "week.ics"
    result = midback(
        "week", "--minutes", "5", "--place", "desk", "--start", "2026-11-23", "--ics", str(ics)
    )
    assert result.exit_code == EXIT_USAGE
    assert "does not exist" in result.stderr


def test_week_refuses_an_emergency(tmp_path: Path) -> None:
    answers = write_answers(tmp_path, red_flags=["tearing_pain"])
    result = midback(
        "week", "--minutes", "10", "--place", "home", "--answers", str(answers), "--json"
    )
    assert result.exit_code == EXIT_BLOCKED
    assert json.loads(result.stdout)["verdict"] == "emergency"
