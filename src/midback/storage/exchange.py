"""Export and import: a person's records as one JSON document, or their exercise logs as CSV.

The JSON document (``format`` ``midback-export``, ``version`` 1)::

    {"format": "midback-export", "version": 1,
     "sessions": [{<SessionRecord fields but person_id>, "logs": [<ExerciseLog but session_id>]}],
     "checkins": [<CheckIn but person_id>],
     "screens": [<ScreenRecord but person_id>],
     "progression": [<ProgressionStep but person_id>]}

Datetimes are ISO 8601 in UTC, days ``YYYY-MM-DD``; lists are oldest first. Import gives the
records new ids (so export -> import into an empty store -> export gives the same document), is
all or nothing, and refuses records that clash with stored ones (a session or screen at the same
time, a day already checked in, an exercise that already has progression): there is no merge.
The person is not in the file: records are imported for whoever imports them.
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from midback.domain.records import (
    CheckIn,
    CourseRecord,
    ExerciseLog,
    ProgressionStep,
    ScreenRecord,
    SessionRecord,
)
from midback.errors import ImportFileError
from midback.storage.repository import Repository, SessionWithLogs

EARLIEST = date(1970, 1, 1)
FUTURE_SLACK = timedelta(days=1)
"""How far past the clock an imported date may be (time zones, a clock a little fast)."""
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
FORMAT = "midback-export"
VERSION = 1
_SECTIONS = ("sessions", "checkins", "screens", "progression", "courses")

CSV_COLUMNS: dict[str, str] = {
    "session_id": "Id of the session the exercise belongs to.",
    "session_started_at": "When the session started (ISO 8601, UTC).",
    "session_ended_at": "When it ended; empty while running.",
    "session_status": "running, completed, quit or interrupted.",
    "program_id": "The program the session's plan came from; empty if none.",
    "pain_before": "Pain before the session, 0-10; empty if not given.",
    "pain_after": "Pain after the session, 0-10; empty if not given.",
    "effort": "How hard the session felt, 0-10; empty if not given.",
    "log_id": "Id of this exercise log.",
    "position": "Index of the exercise in the session's plan (0 = first).",
    "exercise_id": "The exercise done.",
    "variant": "The variant done; empty for the main one.",
    "status": "completed, skipped or stopped_for_pain.",
    "pain": "Pain during the exercise, 0-10; empty if not given.",
    "logged_at": "When the exercise ended (ISO 8601, UTC).",
    "target": "The dose asked for, in words (e.g. '3 x 10 reps, 45 s rest').",
    "target_sets": "Sets asked for.",
    "target_reps": "Reps per set asked for; empty for holds and breath counts.",
    "target_hold_s": "Seconds of hold asked for; empty if none.",
    "actual": "The dose done, in words; empty when not reported.",
    "actual_sets": "Sets done; empty when not reported.",
    "actual_reps": "Reps per set done; empty when not reported.",
    "actual_hold_s": "Seconds of hold done; empty when not reported.",
    "exercise_effort": "The tap after the exercise: easy (too easy), right (about right) or"
    " hard (too hard); empty if not given.",
}
"""The CSV export's columns, in order, with what each holds. One row per exercise log, oldest
first; sessions with no logs do not appear."""

_Record = TypeVar("_Record", bound=BaseModel)


def export_json(repo: Repository, person_id: int) -> dict[str, Any]:
    """Everything stored for ``person_id`` as a versioned, JSON-ready document."""
    logs: dict[int, list[ExerciseLog]] = defaultdict(list)
    for log in repo.logs_for_person(person_id):
        logs[log.session_id].append(log)
    sessions = sorted(repo.list_sessions(person_id), key=lambda s: (s.started_at, s.id))
    return {
        "format": FORMAT,
        "version": VERSION,
        "sessions": [
            {
                **_dump(session, "person_id"),
                "logs": [_dump(log, "session_id") for log in logs[session.id]],
            }
            for session in sessions
        ],
        "checkins": [_dump(checkin, "person_id") for checkin in repo.checkins(person_id)],
        "screens": [_dump(screen, "person_id") for screen in repo.screens(person_id)],
        "progression": [_dump(step, "person_id") for step in repo.progression(person_id).values()],
        "courses": [_dump(course, "person_id") for course in repo.courses(person_id)],
    }


def export_csv(repo: Repository, person_id: int, path: Path | str) -> int:
    """Write the person's exercise logs, each joined with its session, as CSV (columns:
    ``CSV_COLUMNS``, with a header row) to ``path``; returns how many rows."""
    sessions = {s.id: s for s in repo.list_sessions(person_id)}
    logs = repo.logs_for_person(person_id)
    with Path(path).open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(CSV_COLUMNS))
        writer.writeheader()
        for log in logs:
            writer.writerow(_csv_row(sessions[log.session_id], log))
    return len(logs)


def import_json(
    repo: Repository, person_id: int, data: Mapping[str, Any], *, now: datetime | None = None
) -> dict[str, int]:
    """Store an exported document's records for ``person_id`` under new ids, all or nothing.

    Raises ``ImportFileError`` naming the first bad or clashing record by its path in the
    document (e.g. ``sessions[3].logs[1].status``): a number that is not finite (NaN), text with
    NUL or a lone surrogate, a date before ``EARLIEST`` or more than ``FUTURE_SLACK`` after
    ``now`` (default: the clock). Returns how many records of each kind were imported
    (``sessions``, ``logs``, ``checkins``, ``screens``, ``progression``).
    """
    _check_values(data, "")
    sessions, checkins, screens, progression = _parse(data, person_id)
    courses = _courses(data, person_id)
    latest = (now or datetime.now(UTC)) + FUTURE_SLACK
    for where, record in _all_records(sessions, checkins, screens, progression):
        _check_dates(record, where, latest)
    for i, course in enumerate(courses):
        _check_dates(course, f"courses[{i}]", latest)
    repo.import_records(
        person_id,
        sessions=sessions,
        checkins=checkins,
        screens=screens,
        progression=progression,
        courses=courses,
    )
    return {
        "sessions": len(sessions),
        "logs": sum(len(logs) for _, logs in sessions),
        "checkins": len(checkins),
        "screens": len(screens),
        "progression": len(progression),
        "courses": len(courses),
    }


def _all_records(
    sessions: list[SessionWithLogs],
    checkins: list[CheckIn],
    screens: list[ScreenRecord],
    progression: list[ProgressionStep],
) -> Iterator[tuple[str, BaseModel]]:
    for i, (session, logs) in enumerate(sessions):
        yield f"sessions[{i}]", session
        for j, log in enumerate(logs):
            yield f"sessions[{i}].logs[{j}]", log
    for key, records in (("checkins", checkins), ("screens", screens),
                         ("progression", progression)):  # fmt: skip
        for i, record in enumerate(records):
            yield f"{key}[{i}]", record


def _check_dates(record: BaseModel, where: str, latest: datetime) -> None:
    """Every date of ``record`` from ``EARLIEST`` to ``latest`` (a year-9999 date would break
    history and progress for good)."""
    for name, value in record:
        if isinstance(value, datetime):
            day = value.astimezone(UTC).date()
        elif isinstance(value, date):
            day = value
        else:
            continue
        if day < EARLIEST:
            raise ImportFileError(f"{where}.{name}", f"{day} is before {EARLIEST}")
        if day > latest.date():
            raise ImportFileError(f"{where}.{name}", f"{day} is in the future")


def _check_values(value: Any, where: str) -> None:
    """No number that is not finite, no text the databases cannot store, anywhere."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ImportFileError(where or "document", f"{value} is not a number midback keeps")
    if isinstance(value, str) and _UNSTORABLE.search(value):
        raise ImportFileError(where or "document", "text with NUL or a lone surrogate")
    if isinstance(value, Mapping):
        for key, item in value.items():
            _check_values(str(key), where)
            _check_values(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_values(item, f"{where}[{i}]")


def _parse(
    data: Mapping[str, Any], person_id: int
) -> tuple[list[SessionWithLogs], list[CheckIn], list[ScreenRecord], list[ProgressionStep]]:
    if not isinstance(data, Mapping):
        raise ImportFileError("document", "expected a JSON object")
    if data.get("format") != FORMAT:
        raise ImportFileError("format", f"expected {FORMAT!r}, got {data.get('format')!r}")
    if data.get("version") != VERSION:
        raise ImportFileError("version", f"{data.get('version')!r} is not supported (only 1)")
    for key in data:
        if key not in {"format", "version", *_SECTIONS}:
            raise ImportFileError(str(key), "unknown field")

    sessions: list[SessionWithLogs] = []
    session_ids: set[int] = set()
    log_ids: set[int] = set()
    for i, item in enumerate(_items(data, "sessions")):
        where = f"sessions[{i}]"
        fields = {key: value for key, value in item.items() if key != "logs"}
        session = _record(SessionRecord, fields, where, person_id=person_id)
        _unique(session.id, session_ids, f"{where}.id")
        logs: list[ExerciseLog] = []
        keys: set[str] = set()
        for j, log_item in enumerate(_items(item, "logs", where)):
            log_where = f"{where}.logs[{j}]"
            log = _record(ExerciseLog, log_item, log_where, session_id=session.id)
            _unique(log.id, log_ids, f"{log_where}.id")
            if log.idempotency_key is not None:
                _unique(log.idempotency_key, keys, f"{log_where}.idempotency_key")
            logs.append(log)
        sessions.append((session, logs))
    checkins = _section(data, "checkins", CheckIn, person_id, unique=("id", "day"))
    screens = _section(data, "screens", ScreenRecord, person_id, unique=("id",))
    progression = _section(data, "progression", ProgressionStep, person_id, unique=("exercise_id",))
    return sessions, checkins, screens, progression


def _courses(data: Mapping[str, Any], person_id: int) -> list[CourseRecord]:
    """The document's courses, each state a valid course, at most one of them active."""
    from midback.domain.course import Course

    courses: list[CourseRecord] = _section(data, "courses", CourseRecord, person_id,
                                           unique=("id",))  # fmt: skip
    for i, course in enumerate(courses):
        try:
            Course.model_validate(course.state)
        except ValidationError as error:
            problem = error.errors()[0]
            raise ImportFileError(
                f"courses[{i}].state{_loc(problem['loc'])}", _message(problem)
            ) from None
    active = [i for i, course in enumerate(courses) if course.active]
    if len(active) > 1:
        raise ImportFileError(f"courses[{active[1]}].active", "only one course can be active")
    return courses


def _section(
    data: Mapping[str, Any],
    key: str,
    model: type[_Record],
    person_id: int,
    *,
    unique: tuple[str, ...],
) -> list[_Record]:
    seen: dict[str, set[Any]] = {field: set() for field in unique}
    records = []
    for i, item in enumerate(_items(data, key)):
        record = _record(model, item, f"{key}[{i}]", person_id=person_id)
        for field in unique:
            _unique(getattr(record, field), seen[field], f"{key}[{i}].{field}")
        records.append(record)
    return records


def _items(data: Mapping[str, Any], key: str, where: str = "") -> list[Mapping[str, Any]]:
    path = f"{where}.{key}" if where else key
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ImportFileError(path, f"expected a list, got {type(value).__name__}")
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise ImportFileError(f"{path}[{i}]", f"expected an object, got {type(item).__name__}")
    return value


def _record(model: type[_Record], item: Mapping[str, Any], where: str, **implied: int) -> _Record:
    for key in implied:
        if key in item:
            raise ImportFileError(f"{where}.{key}", "unknown field (implied by where it is)")
    try:
        return model.model_validate({**item, **implied})
    except ValidationError as error:
        first = error.errors()[0]
        raise ImportFileError(where + _loc(first["loc"]), _message(first)) from None


def _loc(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)


def _message(error: Any) -> str:
    given = repr(error.get("input"))
    if len(given) > 60:
        given = given[:57] + "..."
    kind = error["type"]
    if kind == "enum":
        return f"{given} is not one of {error['ctx']['expected']}"
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "unknown field"
    text: str = error["msg"]
    return f"{text[0].lower()}{text[1:]} (got {given})"


def _unique(value: object, seen: set[Any], where: str) -> None:
    if value in seen:
        raise ImportFileError(where, f"{value!r} appears twice")
    seen.add(value)


def _dump(record: BaseModel, *hidden: str) -> dict[str, Any]:
    dumped = record.model_dump(mode="json", exclude=set(hidden))
    return {"id": dumped.pop("id"), **dumped} if "id" in dumped else dumped


def _csv_row(session: SessionRecord, log: ExerciseLog) -> dict[str, object]:
    actual = log.actual
    return {
        "session_id": session.id,
        "session_started_at": session.started_at.isoformat(),
        "session_ended_at": session.ended_at.isoformat() if session.ended_at else "",
        "session_status": session.status.value,
        "program_id": session.program_id or "",
        "pain_before": _blank(session.pain_before),
        "pain_after": _blank(session.pain_after),
        "effort": _blank(session.effort),
        "log_id": log.id,
        "position": log.position,
        "exercise_id": log.exercise_id,
        "variant": log.variant or "",
        "status": log.status.value,
        "pain": _blank(log.pain),
        "logged_at": log.logged_at.isoformat(),
        "target": log.target.describe(),
        "target_sets": log.target.sets,
        "target_reps": _blank(log.target.reps),
        "target_hold_s": _blank(log.target.hold_s),
        "actual": actual.describe() if actual else "",
        "actual_sets": actual.sets if actual else "",
        "actual_reps": _blank(actual.reps) if actual else "",
        "actual_hold_s": _blank(actual.hold_s) if actual else "",
        "exercise_effort": log.effort.value if log.effort else "",
    }


def _blank(value: int | None) -> object:
    return "" if value is None else value
