"""Export and import: a person's records leave as JSON or CSV and come back exactly as they were."""

from __future__ import annotations

import copy
import csv
import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from midback.domain.prescription import Prescription
from midback.domain.records import LogStatus, NewLog, ProgressionStep, SessionStatus
from midback.errors import ImportFileError
from midback.storage import LOCAL_PERSON_ID, Repository, SqlRepository, make_engine
from midback.storage.exchange import CSV_COLUMNS, export_csv, export_json, import_json
from tests.fakes import FakeRepository
from tests.pg import BACKENDS, migrated_database

T0 = datetime(2025, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)
ME = LOCAL_PERSON_ID


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


@pytest.fixture(params=[*BACKENDS, "fake"])
def new_repo(request: pytest.FixtureRequest) -> Iterator[Callable[[], Repository]]:
    """Makes empty stores: SQLite files in tmp_path, fresh PostgreSQL databases, or fakes."""
    engines: list[sa.Engine] = []

    def make() -> Repository:
        if request.param == "fake":
            return FakeRepository()
        engine = make_engine(migrated_database(request, request.param))
        engines.append(engine)
        return SqlRepository(engine)

    yield make
    for engine in engines:
        engine.dispose()


def fill(repo: Repository) -> None:
    """Two sessions with logs (one finished, one interrupted), check-ins, screens, progression."""
    plan = {"blocks": [{"exercise_id": "cat-cow", "seconds": 60}], "budget_s": 600}
    one = repo.start_session(
        ME, plan=plan, program_id="three-for-relief", started_at=T0, pain_before=5
    )
    repo.log_exercise(
        ME,
        one.id,
        NewLog(
            position=0,
            exercise_id="cat-cow",
            target=Prescription(sets=2, reps=10, rest_s=10, tempo_s=4),
            actual=Prescription(sets=2, reps=8, rest_s=10, tempo_s=4),
            status=LogStatus.COMPLETED,
            pain=2,
            logged_at=minutes(2),
            idempotency_key="one-0",
        ),
    )
    repo.log_exercise(
        ME,
        one.id,
        NewLog(
            position=1,
            exercise_id="doorway-stretch",
            variant="one-arm",
            target=Prescription(hold_s=30, per_side=True),
            status=LogStatus.STOPPED_FOR_PAIN,
            pain=6,
            logged_at=minutes(4),
        ),
    )
    repo.finish_session(
        ME,
        one.id,
        status=SessionStatus.QUIT,
        ended_at=minutes(5),
        pain_after=4,
        effort=5,
        note="stopped: ✋ sharp pain",
    )
    two = repo.start_session(ME, plan=plan, program_id=None, started_at=minutes(60 * 24))
    repo.log_exercise(
        ME,
        two.id,
        NewLog(
            position=0,
            exercise_id="cat-cow",
            target=Prescription(breaths=6),
            status=LogStatus.SKIPPED,
            logged_at=minutes(60 * 24 + 1),
        ),
    )
    repo.mark_interrupted(ME)
    repo.add_checkin(ME, date(2025, 3, 1), 5, 4, T0)
    repo.add_checkin(ME, date(2025, 3, 2), 3, None, minutes(60 * 24))
    repo.save_screen(ME, {"red_flags": [], "age": 40}, "go", {"reasons": [], "ok": True}, T0)
    repo.set_progression(
        ME,
        ProgressionStep(
            person_id=ME, exercise_id="cat-cow", step=1, reason="easy twice", updated_at=T0
        ),
    )


def test_an_export_names_its_format_and_holds_everything(
    new_repo: Callable[[], Repository],
) -> None:
    repo = new_repo()
    fill(repo)
    document = export_json(repo, ME)
    assert (document["format"], document["version"]) == ("midback-export", 1)
    assert [len(s["logs"]) for s in document["sessions"]] == [2, 1]
    assert [len(document[k]) for k in ("checkins", "screens", "progression")] == [2, 1, 1]
    assert document["sessions"][1]["status"] == "interrupted"
    assert "person_id" not in document["sessions"][0]
    assert json.loads(json.dumps(document)) == document


def test_export_import_export_gives_the_same_document(
    new_repo: Callable[[], Repository],
) -> None:
    source = new_repo()
    fill(source)
    exported = json.loads(json.dumps(export_json(source, ME)))

    target = new_repo()
    counts = import_json(target, ME, exported)

    assert counts == {
        "sessions": 2,
        "logs": 3,
        "checkins": 2,
        "screens": 1,
        "progression": 1,
        "courses": 0,
    }
    assert export_json(target, ME) == exported
    assert target.list_sessions(ME) == source.list_sessions(ME)
    assert target.logs_for_person(ME) == source.logs_for_person(ME)


def test_an_imported_store_goes_on_numbering_after_the_imported_ids(
    new_repo: Callable[[], Repository],
) -> None:
    source = new_repo()
    fill(source)
    target = new_repo()
    import_json(target, ME, export_json(source, ME))
    session = target.start_session(ME, plan={}, program_id=None, started_at=minutes(9999))
    assert session.id > max(s.id for s in source.list_sessions(ME))


def test_records_are_imported_for_whoever_imports_them(
    new_repo: Callable[[], Repository],
) -> None:
    source = new_repo()
    fill(source)
    target = new_repo()
    other = target.add_person(email="b@example.org", created_at=T0)
    import_json(target, other, export_json(source, ME))
    assert len(target.list_sessions(other)) == 2
    assert target.list_sessions(ME) == []


def corrupted(
    document: dict[str, Any], change: Callable[[dict[str, Any]], object]
) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    change(broken)
    return broken


def test_a_corrupted_import_names_its_first_bad_record_and_writes_nothing(
    new_repo: Callable[[], Repository],
) -> None:
    source = new_repo()
    fill(source)

    def break_it(doc: dict[str, Any]) -> None:
        doc["sessions"][0]["logs"][1]["status"] = "dnoe"
        doc["checkins"][1]["morning_pain"] = 99  # also bad, but later

    broken = corrupted(export_json(source, ME), break_it)
    target = new_repo()
    with pytest.raises(ImportFileError) as caught:
        import_json(target, ME, broken)

    assert str(caught.value) == (
        "sessions[0].logs[1].status: 'dnoe' is not one of "
        "'completed', 'skipped' or 'stopped_for_pain'"
    )
    assert caught.value.where == "sessions[0].logs[1].status"
    assert export_json(target, ME) == export_json(new_repo(), ME)


def first_log(doc: dict[str, Any], session: int = 0) -> dict[str, Any]:
    log: dict[str, Any] = doc["sessions"][session]["logs"][0]
    return log


BAD_RECORDS: list[tuple[Callable[[dict[str, Any]], object], str]] = [
    (lambda d: d.update(format="something-else"), "format"),
    (lambda d: d.update(version=2), "version"),
    (lambda d: d.update(extra=[]), "extra"),
    (lambda d: d.update(sessions={}), "sessions"),
    (lambda d: d["sessions"][1].update(started_at="2025-03-01T08:00"), "sessions[1].started_at"),
    (lambda d: d["sessions"][0].update(person_id=7), "sessions[0].person_id"),
    (lambda d: d["sessions"][1].update(id=d["sessions"][0]["id"]), "sessions[1].id"),
    (lambda d: first_log(d)["target"].update(sets=0), "sessions[0].logs[0].target.sets"),
    (lambda d: first_log(d).pop("exercise_id"), "sessions[0].logs[0].exercise_id"),
    (lambda d: first_log(d, 1).update(id=first_log(d)["id"]), "sessions[1].logs[0].id"),
    (lambda d: d["checkins"][1].update(day=d["checkins"][0]["day"]), "checkins[1].day"),
    (lambda d: d["screens"][0].update(answers="yes"), "screens[0].answers"),
    (lambda d: d["progression"].append(d["progression"][0]), "progression[1].exercise_id"),
]
"""Ways to spoil an export, each with the path its error must name."""


@pytest.mark.parametrize(("change", "where"), BAD_RECORDS)
def test_each_kind_of_bad_record_is_named(
    new_repo: Callable[[], Repository], change: Callable[[dict[str, Any]], object], where: str
) -> None:
    source = new_repo()
    fill(source)
    target = new_repo()
    with pytest.raises(ImportFileError) as caught:
        import_json(target, ME, corrupted(export_json(source, ME), change))
    assert caught.value.where == where
    assert target.list_sessions(ME) == []


def test_importing_into_a_store_that_holds_the_same_records_is_refused(
    new_repo: Callable[[], Repository],
) -> None:
    repo = new_repo()
    fill(repo)
    before = export_json(repo, ME)
    with pytest.raises(
        ImportFileError, match=r"sessions\[0\]\.started_at: a session started at .* already exists"
    ):
        import_json(repo, ME, before)
    assert export_json(repo, ME) == before


def test_a_clash_late_in_the_file_writes_nothing_either(
    new_repo: Callable[[], Repository],
) -> None:
    source = new_repo()
    fill(source)
    target = new_repo()
    step = ProgressionStep(person_id=ME, exercise_id="cat-cow", step=3, reason="x", updated_at=T0)
    target.set_progression(ME, step)
    with pytest.raises(
        ImportFileError, match=r"progression\[0\]\.exercise_id: 'cat-cow' already has progression"
    ):
        import_json(target, ME, export_json(source, ME))
    assert target.list_sessions(ME) == []
    assert target.checkins(ME) == []
    assert target.progression(ME) == {"cat-cow": step}


def test_the_csv_has_a_header_and_one_row_per_log_with_its_session(
    new_repo: Callable[[], Repository], tmp_path: Path
) -> None:
    repo = new_repo()
    fill(repo)
    path = tmp_path / "logs.csv"
    assert export_csv(repo, ME, path) == 3
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [row["exercise_id"] for row in rows] == ["cat-cow", "doorway-stretch", "cat-cow"]
    first, second, third = rows
    assert (first["session_status"], first["program_id"], first["pain_before"]) == (
        "quit",
        "three-for-relief",
        "5",
    )
    assert (first["target"], first["actual"], first["actual_reps"]) == (
        "2 x 10 reps, 10 s rest",
        "2 x 8 reps, 10 s rest",
        "8",
    )
    assert (second["status"], second["variant"], second["target_hold_s"]) == (
        "stopped_for_pain",
        "one-arm",
        "30",
    )
    assert (second["actual"], second["target_reps"]) == ("", "")
    assert third["session_status"] == "interrupted"
    assert first["logged_at"] == "2025-03-01T08:02:00.123456+00:00"


def test_every_csv_column_is_described() -> None:
    assert all(description.strip() for description in CSV_COLUMNS.values())


# -- issue 15, item 9: import trusts neither ids nor dates ----------------------------------


def test_import_renumbers_rows_so_a_huge_id_uses_up_no_sequence(
    new_repo: Callable[[], Repository],
) -> None:
    source = new_repo()
    fill(source)
    document = export_json(source, ME)
    document["sessions"][0]["id"] = 2**31 - 1
    document["sessions"][0]["logs"][0]["id"] = 2**31 - 2
    document["checkins"][0]["id"] = 2**31 - 1
    target = new_repo()
    import_json(target, ME, document)
    assert max(s.id for s in target.list_sessions(ME)) < 100
    assert max(c.id for c in target.checkins(ME)) < 100
    later = target.start_session(ME, plan={}, program_id=None, started_at=minutes(9999))
    assert later.id < 100


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["sessions"][0].update(started_at="9999-12-31T00:00:00+00:00"),
         r"sessions\[0\]\.started_at: 9999-12-31 is in the future"),
        (lambda d: d["checkins"][1].update(day="9999-01-01"),
         r"checkins\[1\]\.day: 9999-01-01 is in the future"),
        (lambda d: d["sessions"][0]["logs"][0].update(logged_at="1900-01-01T00:00:00+00:00"),
         r"sessions\[0\]\.logs\[0\]\.logged_at: 1900-01-01 is before 1970-01-01"),
        (lambda d: d["sessions"][1]["plan"]["blocks"][0].update(seconds=float("nan")),
         r"sessions\[1\]\.plan\.blocks\[0\]\.seconds: nan is not a number"),
        (lambda d: d["screens"][0]["answers"].update(age=float("inf")),
         r"screens\[0\]\.answers\.age: inf is not a number"),
        (lambda d: d["sessions"][0].update(note="a\x00b"),
         r"sessions\[0\]\.note: text with NUL"),
    ],
)  # fmt: skip
def test_import_refuses_far_dates_and_non_numbers_naming_the_first(
    new_repo: Callable[[], Repository], change: Callable[[dict[str, Any]], object], where: str
) -> None:
    source = new_repo()
    fill(source)
    target = new_repo()
    broken = corrupted(export_json(source, ME), change)
    with pytest.raises(ImportFileError, match=where):
        import_json(target, ME, broken, now=T0 + timedelta(days=30))
    assert target.list_sessions(ME) == []
