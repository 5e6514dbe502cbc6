"""``midback screen`` through Typer's CliRunner: file or prompts in, verdict out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from midback.cli import app as app_module
from midback.cli import screen_cmds
from midback.domain.safety import DISCLAIMER

runner = CliRunner()

WIDE = {"COLUMNS": "200"}

pytestmark = pytest.mark.usefixtures("home")  # the screen is stored: never in the user's store


@pytest.fixture
def cli() -> typer.Typer:
    """A fresh app holding only ``screen``, with midback's error handling."""
    test_app = typer.Typer(cls=app_module._Group, pretty_exceptions_enable=False)

    @test_app.callback()
    def _root() -> None:
        """Keeps ``screen`` a subcommand."""

    screen_cmds.register(test_app)
    return test_app


def write_answers(tmp_path: Path, **answers: Any) -> Path:
    data: dict[str, Any] = {"age": 42, "pain_now": 4, "pain_duration_days": 10}
    data.update(answers)
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data))
    return path


# --- from a file -------------------------------------------------------------------------


def test_screen_json_prints_verdict_reasons_conditions_and_advice(
    cli: typer.Typer, tmp_path: Path
) -> None:
    path = write_answers(tmp_path, improving=True, red_flags=["fever"], conditions=["knee_pain"])
    result = runner.invoke(cli, ["screen", "--answers", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"verdict", "reasons", "conditions", "advice", "gentle", "pregnancy_weeks"}
    assert data["verdict"] == "doctor"
    assert data["reasons"][0]["id"] == "fever"
    assert data["conditions"] == ["knee_pain"]
    assert data["advice"][-1] == DISCLAIMER
    assert (data["gentle"], data["pregnancy_weeks"]) == (False, None)


@pytest.mark.parametrize(
    ("answers", "verdict"),
    [
        ({"red_flags": ["chest_pain"]}, "emergency"),
        ({"pain_now": 9}, "doctor"),
        ({"conditions": ["pregnancy"], "improving": True}, "caution"),
        ({"improving": True}, "ok"),
    ],
)
def test_screen_exits_0_for_every_verdict(
    cli: typer.Typer, tmp_path: Path, answers: dict[str, Any], verdict: str
) -> None:
    path = write_answers(tmp_path, **answers)
    result = runner.invoke(cli, ["screen", "--answers", str(path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["verdict"] == verdict


def test_an_emergency_panel_says_call_emergency_services_now(
    cli: typer.Typer, tmp_path: Path
) -> None:
    path = write_answers(tmp_path, red_flags=["tearing_pain"])
    result = runner.invoke(cli, ["screen", "--answers", str(path)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "CALL EMERGENCY SERVICES NOW" in result.stdout
    assert "aorta" in result.stdout
    assert "not medical advice" in result.stdout


def test_an_ok_panel_shows_the_reason_and_advice(cli: typer.Typer, tmp_path: Path) -> None:
    path = write_answers(tmp_path, improving=True, pain_duration_days=2)
    result = runner.invoke(cli, ["screen", "--answers", str(path)], env=WIDE)
    assert "YOU CAN START GENTLY" in result.stdout
    assert "No warning signs" in result.stdout
    assert "stop any exercise that hurts" in result.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "answers.json: no such file"),
        ("{not json", "answers.json: invalid JSON at line 1, column 2"),
        ('{"age": 42, "pain_now": 11, "pain_duration_days": 1}', "answers.json: pain_now: 11"),
        (
            '{"age": 42, "pain_now": 1, "pain_duration_days": 1, "red_flags": ["feverr"]}',
            "answers.json: red_flags[0]: unknown red flag 'feverr' (did you mean fever?)",
        ),
    ],
)
def test_a_bad_answers_file_is_one_line_on_stderr_and_exit_2(
    cli: typer.Typer, tmp_path: Path, content: str | None, expected: str
) -> None:
    path = tmp_path / "answers.json"
    if content is not None:
        path.write_text(content)
    result = runner.invoke(cli, ["screen", "--answers", str(path), "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("midback: error: ")
    assert expected in lines[0]


# --- interactive -------------------------------------------------------------------------

# age, pain now, days, improving?, assessed?, any emergency sign?, any other sign?, conditions
CALM = ["35", "3", "2", "y", "n", "n", "n", ""]


def test_the_interactive_screen_asks_every_question_and_shows_the_verdict(
    cli: typer.Typer,
) -> None:
    result = runner.invoke(cli, ["screen"], input="\n".join(CALM) + "\n", env=WIDE)
    assert result.exit_code == 0, result.output
    for words in ("How old are you?", "pain right now", "How many days", "getting better"):
        assert words in result.stdout
    assert "Any of these right now?" in result.stdout
    assert "tearing pain" in result.stdout
    assert "Have you ever injected drugs?" in result.stdout
    assert "knee_pain" in result.stdout
    assert "YOU CAN START GENTLY" in result.stdout


def test_the_interactive_screen_re_asks_invalid_answers(cli: typer.Typer) -> None:
    lines = ["forty", "200", "35", "11", "3", "-1", "2", "y", "n", "n", "n", "knee, 9", "10", "3"]
    result = runner.invoke(cli, ["screen", "--json"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    assert "Please enter a number from 1 to 120" in result.stderr
    assert "Please enter a number from 0 to 10" in result.stderr
    assert "Please enter a number of 0 or more" in result.stderr
    assert "did you mean knee_pain?" in result.stderr
    assert "'10' is not one of the numbers 1-9" in result.stderr
    data = json.loads(result.stdout)
    assert data["verdict"] == "caution"
    assert data["conditions"] == ["knee_pain"]


def test_each_red_flag_can_be_answered_on_its_own(cli: typer.Typer) -> None:
    # Yes to "any emergency sign?", then no to all but the sixth (both legs) of the twelve.
    emergency = ["y", "n", "n", "n", "n", "n", "y", "n", "n", "n", "n", "n", "n"]
    lines = ["35", "3", "2", "y", "n", *emergency, "n", ""]
    result = runner.invoke(cli, ["screen", "--json"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["verdict"] == "emergency"
    assert [r["id"] for r in data["reasons"]] == ["both_legs_neuro"]


def test_conditions_can_be_given_by_number_or_id(cli: typer.Typer) -> None:
    # Pregnancy asks its weeks and its own warning signs next.
    lines = [*CALM[:-1], "1, wrist_pain", "24", "n"]
    result = runner.invoke(cli, ["screen", "--json"], input="\n".join(lines) + "\n")
    assert "How many weeks pregnant are you?" in result.stderr
    data = json.loads(result.stdout)
    assert data["conditions"] == ["pregnancy", "wrist_pain"]
    assert data["pregnancy_weeks"] == 24


def test_high_blood_pressure_asks_whether_it_is_under_control(cli: typer.Typer) -> None:
    lines = [*CALM[:-1], "high_blood_pressure", "n"]
    result = runner.invoke(cli, ["screen", "--json"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    assert "Is your blood pressure under control" in result.stderr
    assert json.loads(result.stdout)["verdict"] == "doctor"
