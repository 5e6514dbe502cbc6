"""Synthetic but realistic records, bulk-loaded into a store built by the project's migrations.

Sessions carry real plans (made by the planner), logs follow their plans' blocks with real
doses, and every person checks in each morning. Rows go straight to the driver, the fastest
way each database has: ``executemany`` on SQLite, ``COPY`` on PostgreSQL. Values are written
in the forms SQLAlchemy writes them (on SQLite: UTC datetimes as ``YYYY-MM-DD HH:MM:SS.ffffff``
text; JSON as text), and ``check`` reads a sample back through the repository to prove it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from midback.domain.catalogue import Catalogue
from midback.domain.planner import plan
from midback.domain.plans import PlanRequest
from midback.domain.vocab import Focus, Place
from midback.storage.sql_repository import SqlRepository

CHUNK = 20_000
"""Rows per write."""
FIRST_DAY = date(2016, 1, 4)
SESSION_COLUMNS = (
    "id",
    "person_id",
    "plan",
    "program_id",
    "started_at",
    "ended_at",
    "status",
    "pain_before",
    "pain_after",
    "effort",
    "note",
)
LOG_COLUMNS = (
    "id",
    "session_id",
    "person_id",
    "position",
    "exercise_id",
    "variant",
    "target",
    "actual",
    "status",
    "pain",
    "logged_at",
    "idempotency_key",
)
CHECKIN_COLUMNS = ("id", "person_id", "day", "morning_pain", "stiffness", "at")
PEOPLE_COLUMNS = ("id", "email", "created_at")


@dataclass(frozen=True)
class Shape:
    """How much history to make: ``people`` people with ``sessions`` daily sessions each."""

    people: int
    sessions: int
    blocks: int | None = None
    """Blocks kept of each plan (None: all); a one-block plan stands for a short desk break."""
    first_day: date = FIRST_DAY

    def last_day(self) -> date:
        """The day of the last session."""
        return self.first_day + timedelta(days=self.sessions - 1)


@dataclass(frozen=True)
class Counts:
    """How many rows were inserted."""

    people: int
    sessions: int
    logs: int
    checkins: int


@dataclass(frozen=True)
class _Plan:
    data: dict[str, Any]
    text: str
    blocks: list[tuple[str, str | None, str, int]]
    """(exercise_id, variant, dose as JSON text, seconds) of each block."""


def plan_pool(cat: Catalogue, *, blocks: int | None, size: int = 24) -> list[dict[str, Any]]:
    """Real plans as JSON: 8-12 minutes at home with every focus, or desk breaks cut short."""
    pool = []
    rng = random.Random(1)
    for i in range(size):
        if blocks is None:
            request = PlanRequest(
                minutes=rng.choice([8, 10, 10, 12]),
                place=Place.HOME,
                focus=list(Focus)[i % 4],
                seed=i,
            )
        else:
            request = PlanRequest(minutes=3, place=Place.DESK, focus=list(Focus)[i % 4], seed=i)
        data = plan(cat, request).to_json()
        if blocks is not None:
            data["blocks"] = data["blocks"][:blocks]
            data["total_seconds"] = 10 + sum(b["seconds"] for b in data["blocks"])
        pool.append(data)
    return pool


def fill(engine: sa.Engine, cat: Catalogue, shape: Shape, *, seed: int = 0) -> Counts:
    """Add ``shape``'s people (from id 1, the local person, on), their sessions, logs and
    check-ins to a migrated, otherwise empty store; returns the counts."""
    pool = [
        _Plan(
            data,
            json.dumps(data),
            [
                (b["exercise_id"], b["variant"], json.dumps(b["dose"]), b["seconds"])
                for b in data["blocks"]
            ],
        )
        for data in plan_pool(cat, blocks=shape.blocks)
    ]
    rng = random.Random(seed)
    writer = _writer(engine)
    counts = {"people": 0, "sessions": 0, "logs": 0, "checkins": 0}
    people = [(i, None, _at(shape.first_day, 0)) for i in range(2, shape.people + 1)]
    writer("people", PEOPLE_COLUMNS, people)
    counts["people"] = len(people)
    sessions: list[tuple[Any, ...]] = []
    logs: list[tuple[Any, ...]] = []
    checkins: list[tuple[Any, ...]] = []
    session_id = log_id = checkin_id = 1

    def flush() -> None:
        # Sessions first: logs refer to them.
        for table, columns, rows in (
            ("sessions", SESSION_COLUMNS, sessions),
            ("exercise_logs", LOG_COLUMNS, logs),
            ("checkins", CHECKIN_COLUMNS, checkins),
        ):
            if rows:
                writer(table, columns, rows)
                counts["logs" if table == "exercise_logs" else table] += len(rows)
                rows.clear()

    for person in range(1, shape.people + 1):
        for day_no in range(shape.sessions):
            day = shape.first_day + timedelta(days=day_no)
            trend = max(0, 6 - day_no * 4 // max(shape.sessions, 1))
            morning = min(10, max(0, trend + rng.randint(-1, 2)))
            checkins.append(
                (
                    checkin_id,
                    person,
                    day,
                    morning,
                    rng.randint(0, 6),
                    _at(day, 6 * 3600 + rng.randint(0, 3600)),
                )
            )
            checkin_id += 1
            chosen = pool[rng.randrange(len(pool))]
            started = _at(day, 7 * 3600 + rng.randint(0, 4 * 3600))
            status = rng.choices(["completed", "quit", "interrupted"], [90, 5, 5])[0]
            count = len(chosen.blocks)
            done = count if status == "completed" else rng.randint(1, count)
            clock = started + timedelta(seconds=10)
            for position, (exercise_id, variant, dose, seconds) in enumerate(chosen.blocks[:done]):
                clock += timedelta(seconds=seconds)
                log_status = rng.choices(["completed", "skipped", "stopped_for_pain"], [92, 6, 2])[
                    0
                ]
                pain = rng.randint(0, 6) if rng.random() < 0.3 else None
                logs.append(
                    (
                        log_id,
                        session_id,
                        person,
                        position,
                        exercise_id,
                        variant,
                        dose,
                        dose if log_status == "completed" else None,
                        log_status,
                        pain,
                        clock,
                        f"{session_id}:{position}:1",
                    )
                )
                log_id += 1
            sessions.append(
                (
                    session_id,
                    person,
                    chosen.text,
                    None,
                    started,
                    clock,
                    status,
                    min(10, morning + rng.randint(0, 1)),
                    max(0, morning - rng.randint(0, 2)),
                    rng.randint(2, 7),
                    None,
                )
            )
            session_id += 1
            if len(logs) >= CHUNK or len(sessions) >= CHUNK:
                flush()
    flush()
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in ("people", "sessions", "exercise_logs", "checkins"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )
        connection.exec_driver_sql("ANALYZE")
    return Counts(**counts)


def check(engine: sa.Engine) -> None:
    """Read person 1's newest session and its logs back through the repository: the stored
    forms must be the ones the repository reads (else AssertionError)."""
    repo = SqlRepository(engine)
    newest = repo.list_sessions(1, limit=1)
    assert newest and newest[0].started_at.tzinfo is not None, "sessions did not read back"
    assert newest[0].plan.get("blocks"), "the plan did not read back as JSON"
    logs = repo.session_logs(1, newest[0].id)
    assert logs and logs[0].target.sets >= 1, "logs did not read back"
    assert repo.checkins(1), "check-ins did not read back"


def _at(day: date, second: int) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=second)


def _writer(engine: sa.Engine) -> Any:
    """``write(table, columns, rows)`` for the engine's database."""
    if engine.dialect.name == "postgresql":
        return lambda table, columns, rows: _copy(engine, table, columns, rows)
    return lambda table, columns, rows: _executemany(engine, table, columns, rows)


def _copy(engine: sa.Engine, table: str, columns: Sequence[str], rows: list[Any]) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def _executemany(engine: sa.Engine, table: str, columns: Sequence[str], rows: list[Any]) -> None:
    timed = [i for i, name in enumerate(columns) if name in _TIME_COLUMNS]
    values = []
    for row in rows:
        row = list(row)
        for i in timed:
            row[i] = _sqlite(row[i])
        values.append(row)
    marks = ", ".join("?" for _ in columns)
    raw = engine.raw_connection()
    try:
        raw.cursor().executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values
        )
        raw.commit()
    finally:
        raw.close()


_TIME_COLUMNS = frozenset({"created_at", "started_at", "ended_at", "logged_at", "day", "at"})


def _sqlite(value: datetime | date | None) -> str | None:
    """The value as SQLAlchemy stores it on SQLite: naive UTC datetimes and dates as text."""
    if isinstance(value, datetime):
        v = value.astimezone(UTC)
        return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031 (several times faster)
            v.year,
            v.month,
            v.day,
            v.hour,
            v.minute,
            v.second,
            v.microsecond,
        )
    if isinstance(value, date):
        return value.isoformat()
    return value
