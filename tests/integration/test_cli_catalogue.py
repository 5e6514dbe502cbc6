"""The catalogue commands, through Typer's CliRunner: tables for people, JSON for scripts."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from midback.cli.app import app

runner = CliRunner()


def test_programs_json_lists_the_eight_programs() -> None:
    result = runner.invoke(app, ["programs", "--json"])
    assert result.exit_code == 0, result.output
    ids = {p["id"] for p in json.loads(result.stdout)}
    assert ids == {
        "four-directions",
        "three-for-relief",
        "top-mobility",
        "upper-back-loosen",
        "mid-back-gym",
        "mid-back-pain-strength",
        "quick-stretches",
        "core-foundation",
    }


def test_show_cat_cow_shows_steps_dose_and_source() -> None:
    result = runner.invoke(app, ["show", "cat-cow"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "Steps" in result.stdout
    assert "1. Come onto hands and knees" in result.stdout
    assert "10 reps" in result.stdout
    assert "3 Exercises that Provide Complete Relief from Mid Back Pain" in result.stdout


def test_show_json_uses_the_model_field_names() -> None:
    result = runner.invoke(app, ["show", "side-reach", "--json"])
    data = json.loads(result.stdout)
    assert data["id"] == "side-reach"
    assert set(data["dose"]) >= {"sets", "reps", "hold_s", "breaths", "per_side", "rest_s"}
    assert data["dose"]["breaths"] == {"min": 8, "max": 10}


def test_an_unknown_exercise_suggests_close_ids_and_exits_2() -> None:
    result = runner.invoke(app, ["show", "cat-cwo"])
    assert result.exit_code == 2
    assert "did you mean cat-cow" in result.stderr
    assert "Traceback" not in result.output


def test_exercises_filter_by_place_and_kind() -> None:
    result = runner.invoke(app, ["exercises", "--place", "desk", "--json"])
    found = {e["id"] for e in json.loads(result.stdout)}
    assert "seated-rotation" in found
    assert "crunch" not in found
    result = runner.invoke(app, ["exercises", "--kind", "strength", "--json"])
    kinds = {e["kind"] for e in json.loads(result.stdout)}
    assert kinds == {"strength"}


def test_exercises_filter_by_equipment_includes_variants() -> None:
    result = runner.invoke(app, ["exercises", "--equipment", "chair", "--json"])
    found = {e["id"] for e in json.loads(result.stdout)}
    assert "cat-cow" in found  # through its seated variant


def test_exercises_table_lists_every_exercise() -> None:
    result = runner.invoke(app, ["exercises"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "29 exercises" in result.stdout


def test_an_unknown_place_is_refused_by_the_parser() -> None:
    result = runner.invoke(app, ["exercises", "--place", "beach"])
    assert result.exit_code == 2


def test_program_shows_doses_and_source() -> None:
    result = runner.invoke(app, ["program", "three-for-relief"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "Doorway" in result.stdout
    assert "3 Exercises that Provide Complete Relief" in result.stdout


def test_an_unknown_program_exits_2_with_suggestions() -> None:
    result = runner.invoke(app, ["program", "three-for-relif"])
    assert result.exit_code == 2
    assert "three-for-relief" in result.stderr


def test_guide_lists_topics_and_reads_one() -> None:
    listing = runner.invoke(app, ["guide"], env={"COLUMNS": "120"})
    assert "when-to-see-a-doctor" in listing.stdout
    page = runner.invoke(app, ["guide", "how-to-stretch"], env={"COLUMNS": "120"})
    assert page.exit_code == 0
    assert "bounc" in page.stdout.lower()
