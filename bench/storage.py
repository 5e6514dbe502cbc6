"""storage: one person's history and progress queries on large stores, with and without indexes.

Two stores, each built by the project's migrations (``midback.storage.engine.upgrade``) and
bulk-loaded (``bench.dataset``):

- *decade*: ten years of daily sessions for one person (3,650 sessions of 8-12 minute plans,
  ~27,000 logs, 3,650 check-ins);
- *crowd*: 10,000 people x 100 sessions (1,000,000 sessions; each a short desk break with one
  exercise, so ~1,000,000 logs; 1,000,000 check-ins), measured for people picked at random.

On SQLite, and on PostgreSQL where its binaries are installed, each query runs through the
project's own functions (``read_history``, ``progress``, ``recent_exercise_ids``) and as a
raw indexed query (Core ``select`` of a few columns), first with the schema's indexes, then
after ``DROP INDEX`` of each non-unique index (and on PostgreSQL the check-ins' unique
constraint): the same query without its index is the baseline.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path

import sqlalchemy as sa

from bench import postgres
from bench.dataset import Counts, Shape, check, fill
from bench.result import Result, Row, at_most, ratio, stats
from midback.domain.loader import catalogue
from midback.services.progress import progress, refresh
from midback.services.records import read_history
from midback.storage.engine import make_engine, upgrade
from midback.storage.sql_repository import SqlRepository
from midback.storage.tables import ExerciseLogRow, SessionRow

PROGRESS_LIMIT_MS = 20.0
PEOPLE_SAMPLED = 20


@dataclass(frozen=True)
class Timing:
    """Samples (ms) of one query in one state."""

    samples: list[float]

    @property
    def p99(self) -> float:
        """The 99th percentile."""
        return stats(self.samples).p99

    @property
    def median(self) -> float:
        """The median."""
        return stats(self.samples).median


def measure(
    call: Callable[[int], object], people: list[int], *, samples: int, budget_s: float
) -> Timing:
    """Time ``call(person)`` over ``people`` in turn until ``samples`` or ``budget_s`` is spent.

    At least one sample; the first (cold) one is dropped when more than three were taken.
    """
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < samples and (not times or time.perf_counter() - started < budget_s):
        person = people[len(times) % len(people)]
        start = time.perf_counter()
        call(person)
        times.append((time.perf_counter() - start) * 1000)
    return Timing(times[1:] if len(times) > 3 else times)


def _queries(engine: sa.Engine, today_after: Shape) -> dict[str, Callable[[int], object]]:
    repo = SqlRepository(engine)
    cat = catalogue()
    today = today_after.last_day() + timedelta(days=1)
    now = datetime.combine(today, dt_time(12), tzinfo=UTC)
    sessions, logs = SessionRow.__table__, ExerciseLogRow.__table__

    def raw_sessions(person: int) -> object:
        query = (
            sa.select(
                sessions.c.id, sessions.c.started_at, sessions.c.status, sessions.c.pain_before
            )
            .where(sessions.c.person_id == person)
            .order_by(sessions.c.started_at.desc())
        )
        with engine.connect() as connection:
            return connection.execute(query).all()

    def raw_logs(person: int) -> object:
        query = (
            sa.select(
                logs.c.session_id, logs.c.exercise_id, logs.c.status, logs.c.pain, logs.c.logged_at
            )
            .where(logs.c.person_id == person)
            .order_by(logs.c.logged_at, logs.c.id)
        )
        with engine.connect() as connection:
            return connection.execute(query).all()

    return {
        "progress (services.progress)": lambda p: progress(repo, cat, p, now=now),
        "history (services.read_history)": lambda p: read_history(repo, p, today),
        "recent exercises (repo.recent_exercise_ids)": lambda p: repo.recent_exercise_ids(p, 3),
        "sessions, raw query (person_id, started_at)": raw_sessions,
        "logs, raw query (person_id, logged_at)": raw_logs,
    }


def _first_progress(
    result: Result, engine: sa.Engine, label: str, people: list[int], today: date
) -> Timing:
    """Time each person's first ``progress`` (no checkpoint yet: the whole history) as a row,
    then move their checkpoint on (``refresh``, as a finished session does)."""
    repo, cat = SqlRepository(engine), catalogue()
    now = datetime.combine(today, dt_time(12), tzinfo=UTC)
    times = []
    for person in people:
        start = time.perf_counter()
        progress(repo, cat, person, now=now)
        times.append((time.perf_counter() - start) * 1000)
        refresh(repo, cat, person, now=now)
    first = Timing(times)
    result.rows.append(
        Row(
            f"{label}: progress, first call (whole history, before the checkpoint)",
            first.median,
            stat="median",
            samples=len(times),
            note=f"max {max(times):,.0f} ms; once per person, then once a day at most",
        )
    )
    return first


def drop_indexes(engine: sa.Engine) -> list[str]:
    """Drop every non-unique index of sessions, exercise_logs and checkins (and on PostgreSQL
    the check-ins' unique constraint); the names dropped."""
    inspector = sa.inspect(engine)
    dropped = []
    with engine.begin() as connection:
        for table in ("sessions", "exercise_logs", "checkins"):
            for index in inspector.get_indexes(table):
                if not index.get("unique") and index["name"]:
                    connection.exec_driver_sql(f'DROP INDEX "{index["name"]}"')
                    dropped.append(index["name"])
            if engine.dialect.name == "postgresql":
                for constraint in inspector.get_unique_constraints(table):
                    if table == "checkins" and constraint["name"]:
                        connection.exec_driver_sql(
                            f'ALTER TABLE checkins DROP CONSTRAINT "{constraint["name"]}"'
                        )
                        dropped.append(constraint["name"])
        connection.exec_driver_sql("ANALYZE")
    return dropped


def _bench_store(
    result: Result, engine: sa.Engine, label: str, shape: Shape, people: list[int], *, quick: bool
) -> None:
    started = time.perf_counter()
    upgrade(engine)
    counts: Counts = fill(engine, catalogue(), shape)
    check(engine)
    loaded_s = time.perf_counter() - started
    samples, budget = (3, 0.5) if quick else (30, 6.0)
    queries = _queries(engine, shape)
    first = _first_progress(result, engine, label, people, shape.last_day() + timedelta(days=1))
    indexed = {
        name: measure(q, people, samples=samples, budget_s=budget) for name, q in queries.items()
    }
    dropped = drop_indexes(engine)
    bare = {
        name: measure(q, people, samples=samples, budget_s=budget) for name, q in queries.items()
    }
    for name in queries:
        with_index, without = indexed[name], bare[name]
        target, met = "", None
        if name.startswith("progress"):
            target = f"<= {PROGRESS_LIMIT_MS:g} ms"
            met = at_most(with_index.p99, PROGRESS_LIMIT_MS)
        result.rows.append(
            Row(
                f"{label}: {name}",
                with_index.p99,
                stat="p99",
                baseline=without.p99,
                ratio=ratio(with_index.p99, without.p99),
                target=target,
                met=met,
                samples=len(with_index.samples),
                note=f"median {with_index.median:.1f} ms; without index: median"
                f" {without.median:.1f} ms, {len(without.samples)} samples",
            )
        )
    result.notes.append(
        f"{label}: the first progress call per person replays the whole history and saves a"
        f" checkpoint (median {first.median:,.0f} ms, max {max(first.samples):,.0f} ms over"
        f" {len(first.samples)} people); the rows time the calls after it, which replay only"
        " the sessions since the checkpoint's day."
    )
    result.notes.append(
        f"{label}: {counts.people + 1:,} people, {counts.sessions:,} sessions, {counts.logs:,}"
        f" logs, {counts.checkins:,} check-ins, loaded in {loaded_s:.0f} s; dropped"
        f" {', '.join(dropped)}."
    )


def _shapes(quick: bool) -> dict[str, tuple[Shape, list[int]]]:
    decade = Shape(people=1, sessions=365 if quick else 3650)
    crowd = Shape(people=200, sessions=20, blocks=1) if quick else Shape(10_000, 100, blocks=1)
    picked = random.Random(3).sample(range(1, crowd.people + 1), min(PEOPLE_SAMPLED, crowd.people))
    return {"decade": (decade, [1]), "crowd": (crowd, picked)}


def run(quick: bool) -> Result:
    """p99 of each query with its indexes, beside the same query without them."""
    result = Result(
        "storage", "History and progress queries on large stores, with and without indexes"
    )
    shapes = _shapes(quick)
    with tempfile.TemporaryDirectory(prefix="midback-bench-") as tmp:
        for size, (shape, people) in shapes.items():
            engine = make_engine(f"sqlite:///{Path(tmp) / size}.db")
            try:
                _bench_store(
                    result,
                    engine,
                    f"SQLite {_sqlite_version()}, {size}",
                    shape,
                    people,
                    quick=quick,
                )
            finally:
                engine.dispose()
            (Path(tmp) / f"{size}.db").unlink()
    if postgres.bin_dir() is None:
        result.notes.append("PostgreSQL: not run (no initdb and pg_ctl here).")
        return result
    with postgres.cluster() as pg:
        for size, (shape, people) in shapes.items():
            engine = make_engine(pg.create_database(size))
            try:
                _bench_store(
                    result,
                    engine,
                    f"PostgreSQL {pg.version.split()[0]}, {size}",
                    shape,
                    people,
                    quick=quick,
                )
            finally:
                engine.dispose()
    return result


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version
