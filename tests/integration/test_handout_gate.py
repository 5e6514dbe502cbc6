"""A plan file printed with ``midback handout`` passes the same safety gate as a plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from midback.cli import app as cli

runner = CliRunner()

ALL_CLEAR = {"age": 42, "pain_now": 3, "pain_duration_days": 10, "improving": True,
             "assessed_by_clinician": False, "red_flags": [], "conditions": []}  # fmt: skip


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MIDBACK_HOME", str(tmp_path))
    monkeypatch.delenv("MIDBACK_DATABASE_URL", raising=False)
    return tmp_path


def screen(tmp_path: Path, **changes: object) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({**ALL_CLEAR, **changes}), encoding="utf-8")
    result = runner.invoke(cli.app, ["screen", "--answers", str(answers), "--json"])
    assert result.exit_code == 0, result.output


def plan_file(tmp_path: Path) -> Path:
    planned = runner.invoke(
        cli.app, ["plan", "--minutes", "30", "--place", "home", "--focus", "strength", "--json"]
    )
    assert planned.exit_code == 0, planned.output
    path = tmp_path / "plan.json"
    path.write_text(planned.stdout, encoding="utf-8")
    return path


def handout(plan: Path, tmp_path: Path) -> tuple[int, str]:
    result = runner.invoke(cli.app, ["handout", str(plan), "--pdf", str(tmp_path / "h.pdf")])
    return result.exit_code, result.output


def test_a_plan_file_prints_while_the_screen_allows_it(tmp_path: Path) -> None:
    screen(tmp_path)
    code, output = handout(plan_file(tmp_path), tmp_path)
    assert code == 0, output
    assert (tmp_path / "h.pdf").stat().st_size > 0


def test_a_plan_file_is_refused_after_an_emergency_screen(tmp_path: Path) -> None:
    screen(tmp_path)
    plan = plan_file(tmp_path)
    screen(tmp_path, red_flags=["chest_pain"])
    code, output = handout(plan, tmp_path)
    assert code == 3
    assert "emergency" in output
    assert not (tmp_path / "h.pdf").exists()


def test_a_plan_file_with_an_exercise_a_new_condition_rules_out_names_it(tmp_path: Path) -> None:
    screen(tmp_path)
    plan = plan_file(tmp_path)
    names = [b["name"] for b in json.loads(plan.read_text(encoding="utf-8"))["blocks"]]
    assert "Bridge" in names, "the plan should hold a supine exercise for this test"
    screen(tmp_path, conditions=["pregnancy"])
    code, output = handout(plan, tmp_path)
    assert code == 2
    assert "is ruled out by your safety screen" in output
    assert not (tmp_path / "h.pdf").exists()


def test_program_handouts_need_no_screen(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["handout", "top-mobility", "--pdf", str(tmp_path / "p.pdf")])
    assert result.exit_code == 0, result.output


def test_an_unknown_program_is_named_before_the_screen_is_asked() -> None:
    result = runner.invoke(cli.app, ["plan", "--program", "three-for-relef"])
    assert result.exit_code == 2
    assert "three-for-relief" in result.output


def test_a_plan_file_with_a_variant_the_catalogue_lacks_is_named(tmp_path: Path) -> None:
    screen(tmp_path)
    plan = plan_file(tmp_path)
    data = json.loads(plan.read_text(encoding="utf-8"))
    data["blocks"][0]["variant"] = "no-such-variant"
    plan.write_text(json.dumps(data), encoding="utf-8")
    code, output = handout(plan, tmp_path)
    assert code == 2
    assert "exercise 1" in output and "ruled out" in output
