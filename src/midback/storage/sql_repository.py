"""The repository on SQL: ``SqlRepository``, the ``Repository`` protocol on a SQLAlchemy
engine (SQLite or PostgreSQL). Rows become records in ``storage.rows``; an import's clashes
are found by ``storage.import_checks``."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer, sessionmaker

from midback.caches import Caches, LruCache
from midback.domain.records import (
    CheckIn,
    CourseRecord,
    ExerciseLog,
    LogOutcome,
    LogStatus,
    NewLog,
    PersonState,
    ProgressCheckpoint,
    ProgressionStep,
    ScreenRecord,
    SessionOutline,
    SessionRecord,
    SessionStatus,
)
from midback.errors import ImportFileError, NotFound
from midback.storage import checkpoints, rows
from midback.storage.engine import commit_watch, id_fits, retrying, writer_lock
from midback.storage.import_checks import refuse_clashes
from midback.storage.repository import SessionWithLogs
from midback.storage.tables import (
    LOCAL_PERSON_ID,
    CheckInRow,
    CourseRow,
    ExerciseLogRow,
    PersonRow,
    ProgressionRow,
    ScreenRow,
    SessionRow,
    table_of,
)

T = TypeVar("T")

_PEOPLE = table_of(PersonRow)
_PERSON_STATE = sa.select(
    _PEOPLE.c.revision, _PEOPLE.c.base_revision, _PEOPLE.c.created_at, _PEOPLE.c.timezone
).where(_PEOPLE.c.id == sa.bindparam("who"))
"""What every cached read asks first (``person_state``): built once, as it runs per request."""
STATES_KEPT = 4096
"""People whose state a SQLite repository keeps between commits (the least recently asked go
first past this)."""


class SqlRepository:
    """The repository on a SQLAlchemy engine (SQLite or PostgreSQL), migrated beforehand.

    A method whose transaction the database refused for a moment (SQLite still locked after its
    busy timeout, a PostgreSQL serialization failure or deadlock) runs again a few times
    (``engine.retrying``) before the error reaches the caller.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._writer = writer_lock(engine)
        self.caches = Caches()
        self._unit = threading.local()
        self._watch = commit_watch(engine)
        self._states: LruCache[int, tuple[tuple[int, int], PersonState]] = LruCache(STATES_KEPT)
        """Person -> the state last read and the watch's value before that read (SQLite)."""

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction; ``write``: it writes, so on SQLite it waits for this process's other
        writers first (see ``writer_lock``). Inside ``unit`` every call joins the unit's one."""
        joined: Session | None = getattr(self._unit, "session", None)
        if joined is not None:
            yield joined
            return
        writer = self._writer if write else nullcontext()
        with writer, self._sessions() as session, session.begin():
            yield session

    def _read(
        self, query: sa.Select[Any], values: Mapping[str, Any] | None = None
    ) -> Sequence[sa.Row[Any]]:
        """The rows of a read-only ``query`` on a plain connection (inside ``unit``, on the
        unit's transaction): no ORM objects built and dropped, so a record comes from the row's
        columns directly. A history page's reads (its recent sessions, the active course) took
        about half the CPU time this way, measured in-process."""
        joined = self._joined()
        if joined is None and getattr(self._unit, "reading", False):
            joined = self._unit.connection = self.engine.connect()
        if joined is not None:
            return joined.execute(query, values).all()
        with self.engine.connect() as connection:
            return connection.execute(query, values).all()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """The reads of this thread inside the block share one connection (inside ``unit``,
        the unit's transaction): a person's facts or history, read again after each of their
        writes, are some ten reads, and checking a pooled connection out and back in for each
        was a fifth of their time, measured in-process. The connection is checked out at the
        block's first read, so a block whose reads were all kept costs none."""
        if self._joined() is not None or getattr(self._unit, "reading", False):
            yield
            return
        self._unit.reading = True
        try:
            yield
        finally:
            self._unit.reading = False
            connection: sa.Connection | None = getattr(self._unit, "connection", None)
            self._unit.connection = None
            if connection is not None:
                connection.close()

    def _joined(self) -> Session | sa.Connection | None:
        """The unit's transaction or the ``reading`` connection this thread is inside, if any."""
        session: Session | None = getattr(self._unit, "session", None)
        if session is not None:
            return session
        connection: sa.Connection | None = getattr(self._unit, "connection", None)
        return connection

    def in_unit(self) -> bool:
        """Whether this thread is inside ``unit`` (its calls are not retried one by one)."""
        return getattr(self._unit, "session", None) is not None

    @retrying(on_clash=True)  # a key another writer stored first: the rerun finds it
    def unit(self, work: Callable[[], T]) -> T:
        """Run ``work`` (calls of this repository) as one transaction: all of it is stored or
        none; a transaction the database refused for a moment runs again as a whole."""
        if self.in_unit():
            return work()
        with self._writer, self._sessions() as session, session.begin():
            self._unit.session = session
            try:
                return work()
            finally:
                self._unit.session = None

    # people

    def person_zone(self, person_id: int) -> str | None:
        found = self._read(_PERSON_ZONE, {"who": person_id})
        return found[0].timezone if found else None

    @retrying()
    def set_person_zone(self, person_id: int, zone: str | None) -> None:
        with self._transaction(write=True) as db:
            row = db.get(PersonRow, person_id)
            if row is None:
                raise NotFound("person", person_id)
            row.timezone = zone
            row.revision += 1  # what was derived with the old "today" is stale
            row.base_revision += 1

    @retrying()
    def add_person(self, *, email: str | None = None, created_at: datetime) -> int:
        with self._transaction(write=True) as db:
            row = PersonRow(email=email, created_at=created_at)
            db.add(row)
            db.flush()
            return row.id

    @retrying(on_clash=True)  # processes starting together: one adds, the others find it
    def ensure_local_person(self, *, at: datetime | None = None) -> int:
        with self._transaction(write=True) as db:
            if db.get(PersonRow, LOCAL_PERSON_ID) is None:
                db.add(PersonRow(id=LOCAL_PERSON_ID, created_at=at or datetime.now(UTC)))
        return LOCAL_PERSON_ID

    # sessions

    @retrying(on_clash=True)  # two tries with one key at once: the second finds the first's
    def start_session(
        self,
        person_id: int,
        *,
        plan: Mapping[str, Any],
        program_id: str | None,
        started_at: datetime,
        pain_before: int | None = None,
        idempotency_key: str | None = None,
    ) -> SessionRecord:
        if idempotency_key is not None:
            with self._transaction() as db:
                query = sa.select(SessionRow).where(
                    SessionRow.person_id == person_id,
                    SessionRow.idempotency_key == idempotency_key,
                )
                started = db.scalars(query).first()
                if started is not None:
                    return rows.session_record(started)
        record = SessionRecord(
            id=0,
            person_id=person_id,
            plan=dict(plan),
            program_id=program_id,
            started_at=started_at,
            pain_before=pain_before,
        )
        with self._transaction(write=True) as db:
            _require_person(db, person_id)
            _bump(db, person_id)
            row = SessionRow(**rows.session_values(record), idempotency_key=idempotency_key)
            db.add(row)
            db.flush()
            return record.model_copy(update={"id": row.id})

    @retrying()
    def log_exercise(self, person_id: int, session_id: int, log: NewLog) -> ExerciseLog:
        try:
            with self._transaction(write=True) as db:
                zone = _bump(db, person_id)  # first: writers of one person queue on their row
                started_at = _session_start(db, person_id, session_id)
                stored = _logged_with_key(db, session_id, log.idempotency_key)
                if stored is not None:
                    return rows.log_record(stored)
                checkpoints.forget_session_day(db, person_id, started_at, timezone=zone)
                values = {"session_id": session_id, "person_id": person_id, **rows.log_values(log)}
                return rows.log_record(db.execute(_ADD_LOG, values).one())
        except IntegrityError:
            # Another writer stored the same key between our look and our insert.
            with self._transaction(write=True) as db:
                stored = _logged_with_key(db, session_id, log.idempotency_key)
            if stored is None:
                raise
            return rows.log_record(stored)

    @retrying()
    def finish_session(
        self,
        person_id: int,
        session_id: int,
        *,
        status: SessionStatus,
        ended_at: datetime,
        pain_after: int | None = None,
        effort: int | None = None,
        note: str | None = None,
    ) -> SessionRecord:
        if SessionStatus(status) is SessionStatus.RUNNING:
            raise ValueError("a session cannot be finished as 'running'")
        with self._transaction(write=True) as db:
            zone = _bump(db, person_id)
            row = _session_row(db, person_id, session_id)
            record = SessionRecord.model_validate(
                {
                    **rows.session_record(row).model_dump(),
                    "status": status,
                    "ended_at": ended_at,
                    "pain_after": pain_after,
                    "effort": effort,
                    "note": note,
                }
            )
            for name, value in rows.session_values(record).items():
                setattr(row, name, value)
            checkpoints.forget_session_day(db, person_id, row.started_at, timezone=zone)
            return record

    @retrying()
    def get_session(self, person_id: int, session_id: int) -> SessionRecord:
        if not id_fits(self.engine.dialect, session_id):
            raise NotFound("session", session_id)
        found = self._read(_SESSION, {"session_id": session_id, "who": person_id})
        if not found:
            raise NotFound("session", session_id)
        return rows.session_record(found[0])

    @retrying()
    def list_sessions(
        self,
        person_id: int,
        *,
        since: datetime | None = None,
        limit: int | None = None,
        plans: bool = True,
    ) -> list[SessionRecord]:
        query = _sessions_query(plans, since is not None, limit is not None)
        values = {"who": person_id, "since": since, "limit": limit}
        return [rows.session_record(row, plan=plans) for row in self._read(query, values)]

    @retrying()
    def session_logs(self, person_id: int, session_id: int) -> list[ExerciseLog]:
        with self._transaction() as db:
            _session_row(db, person_id, session_id)
            query = (
                sa.select(ExerciseLogRow)
                .where(ExerciseLogRow.session_id == session_id)
                .order_by(ExerciseLogRow.logged_at, ExerciseLogRow.id)
            )
            return [rows.log_record(row) for row in db.scalars(query)]

    @retrying()
    def logs_for_person(
        self, person_id: int, *, since: datetime | None = None
    ) -> list[ExerciseLog]:
        query = _logs_query(since is not None)
        return [
            rows.log_record(row) for row in self._read(query, {"who": person_id, "since": since})
        ]

    @retrying()
    def mark_interrupted(self, person_id: int, *, idle_before: datetime | None = None) -> int:
        last_log = (
            sa.select(sa.func.max(ExerciseLogRow.logged_at))
            .where(ExerciseLogRow.session_id == SessionRow.id)
            .scalar_subquery()
        )
        query = (
            sa.select(SessionRow, last_log)
            .where(
                SessionRow.person_id == person_id, SessionRow.status == SessionStatus.RUNNING.value
            )
            .options(defer(SessionRow.plan, raiseload=True))  # only times and status are needed
        )
        count = 0
        with self._transaction() as db:
            for row, last_logged in db.execute(query):
                last = max(row.started_at, last_logged or row.started_at)
                if idle_before is not None and last >= idle_before:
                    continue
                row.status = SessionStatus.INTERRUPTED.value
                row.ended_at = last
                count += 1
        return count

    # check-ins, screens, progression

    @retrying(on_clash=True)
    def add_checkin(
        self,
        person_id: int,
        day: date,
        morning_pain: int,
        stiffness: int | None,
        at: datetime,
        idempotency_key: str | None = None,
    ) -> CheckIn:
        record = CheckIn(
            id=0,
            person_id=person_id,
            day=day,
            morning_pain=morning_pain,
            stiffness=stiffness,
            at=at,
            idempotency_key=idempotency_key,
        )
        values = record.model_dump(exclude={"id"})
        with self._transaction(write=True) as db:
            if idempotency_key is not None:
                key = {"who": person_id, "key": idempotency_key}
                done = db.execute(_CHECKIN_WITH_KEY, key).first()
                if done is not None:
                    return rows.checkin_record(done)
            if db.execute(_BUMP_CHECKIN, {"who": person_id}).first() is None:
                raise NotFound("person", person_id)
            row_id = db.execute(_CHECKIN_OF_DAY, {"who": person_id, "day": day}).scalar()
            if row_id is None:
                row_id = db.execute(_ADD_CHECKIN, values).scalar_one()
            else:
                db.execute(_SET_CHECKIN, {"row_id": row_id, **_new(values)})
            if checkpoints.forget_checkin_day(db, person_id, record.day):
                db.execute(_BUMP_BASE, {"who": person_id})  # the replay's start changed
            return record.model_copy(update={"id": row_id})

    @retrying()
    def checkins(self, person_id: int, *, since: date | None = None) -> list[CheckIn]:
        query = _checkins_query(since is not None)
        found = self._read(query, {"who": person_id, "since": since})
        return [rows.checkin_record(row) for row in found]

    @retrying()
    def morning_pains(self, person_id: int) -> list[tuple[date, int]]:
        return [
            (row.day, row.morning_pain) for row in self._read(_MORNING_PAINS, {"who": person_id})
        ]

    @retrying()
    def session_outlines(self, person_id: int) -> list[SessionOutline]:
        return [
            SessionOutline(row.started_at, SessionStatus(row.status), row.pain_before)
            for row in self._read(_OUTLINES, {"who": person_id})
        ]

    @retrying()
    def log_outcomes(self, person_id: int, *, since: datetime) -> list[LogOutcome]:
        found = self._read(_LOG_OUTCOMES, {"who": person_id, "since": since})
        return [LogOutcome(row.session_id, row.position, LogStatus(row.status)) for row in found]

    @retrying()
    def last_checkin(self, person_id: int, *, on_or_before: date) -> CheckIn | None:
        found = self._read(_LAST_CHECKIN, {"who": person_id, "day": on_or_before})
        return rows.checkin_record(found[0]) if found else None

    @retrying()
    def save_screen(
        self,
        person_id: int,
        answers: Mapping[str, Any],
        verdict: str,
        result: Mapping[str, Any],
        at: datetime,
    ) -> ScreenRecord:
        record = ScreenRecord(
            id=0,
            person_id=person_id,
            at=at,
            answers=dict(answers),
            verdict=verdict,
            result=dict(result),
        )
        with self._transaction(write=True) as db:
            _require_person(db, person_id)
            _bump(db, person_id)
            row = ScreenRow(**record.model_dump(exclude={"id"}))
            db.add(row)
            db.flush()
            return record.model_copy(update={"id": row.id})

    @retrying()
    def screens(self, person_id: int) -> list[ScreenRecord]:
        query = (
            sa.select(ScreenRow)
            .where(ScreenRow.person_id == person_id)
            .order_by(ScreenRow.at, ScreenRow.id)
        )
        with self._transaction() as db:
            return [rows.screen_record(row) for row in db.scalars(query)]

    @retrying()
    def latest_screen(self, person_id: int) -> ScreenRecord | None:
        found = self._read(_LATEST_SCREEN, {"who": person_id})
        return rows.screen_record(found[0]) if found else None

    # courses

    @retrying()
    def start_course(
        self, person_id: int, state: Mapping[str, Any], *, at: datetime
    ) -> CourseRecord:
        with self._transaction(write=True) as db:
            _require_person(db, person_id)
            _bump(db, person_id)
            db.execute(
                sa.update(CourseRow)
                .where(CourseRow.person_id == person_id, CourseRow.active)
                .values(active=False, updated_at=at)
            )
            row = CourseRow(person_id=person_id, started_at=at, updated_at=at, active=True,
                            state=dict(state))  # fmt: skip
            db.add(row)
            db.flush()
            return rows.course_record(row)

    @retrying()
    def save_course(
        self, person_id: int, course_id: int, state: Mapping[str, Any], *, active: bool,
        at: datetime,
    ) -> CourseRecord:  # fmt: skip
        with self._transaction(write=True) as db:
            row = db.get(CourseRow, course_id)
            if row is None or row.person_id != person_id:
                raise NotFound("course", course_id)
            _bump(db, person_id)
            row.state = dict(state)
            row.active = active
            row.updated_at = at
            db.flush()
            return rows.course_record(row)

    @retrying()
    def active_course(self, person_id: int) -> CourseRecord | None:
        table = CourseRow.__table__
        query = (
            sa.select(table)
            .where(table.c.person_id == person_id, table.c.active)
            .order_by(table.c.id.desc())
            .limit(1)
        )
        found = self._read(query)
        return rows.course_record(found[0]) if found else None

    @retrying()
    def courses(self, person_id: int) -> list[CourseRecord]:
        query = sa.select(CourseRow).where(CourseRow.person_id == person_id).order_by(CourseRow.id)
        with self._transaction() as db:
            return [rows.course_record(row) for row in db.scalars(query)]

    @retrying()
    def progression(self, person_id: int) -> dict[str, ProgressionStep]:
        query = (
            sa.select(ProgressionRow)
            .where(ProgressionRow.person_id == person_id)
            .order_by(ProgressionRow.exercise_id)
        )
        with self._transaction() as db:
            return {row.exercise_id: rows.step_record(row) for row in db.scalars(query)}

    @retrying(on_clash=True)
    def set_progression(self, person_id: int, step: ProgressionStep) -> None:
        _check_owner(person_id, step.person_id)
        with self._transaction(write=True) as db:
            _require_person(db, person_id)
            row = db.get(ProgressionRow, (person_id, step.exercise_id))
            if row is None:
                db.add(ProgressionRow(**step.model_dump()))
            else:
                row.step, row.reason, row.updated_at = step.step, step.reason, step.updated_at

    def revision(self, person_id: int) -> str | None:
        return self.person_state(person_id)[0]  # retried there

    @retrying()
    def person_state(self, person_id: int) -> PersonState:
        """Read, or on SQLite kept from the last read while nothing was committed since (the
        watch is asked before the read, so a commit during the read makes the next call read
        again). Inside ``unit`` always read: the unit's own writes are not committed yet."""
        seen = None if self._watch is None or self.in_unit() else self._watch.version()
        if seen is not None:
            kept = self._states.get(person_id)
            if kept is not None and kept[0] == seen:
                return kept[1]
        found = self._read(_PERSON_STATE, {"who": person_id})
        if not found:
            state = PersonState(None, None, None)
        else:
            row = found[0]
            # The creation time tells a person from a later one given the same id (SQLite
            # reuses ids).
            born = row.created_at.isoformat()
            state = PersonState(
                f"{row.revision}@{born}", f"{row.base_revision}@{born}", row.timezone
            )
        if seen is not None:
            self._states.put(person_id, (seen, state))
        return state

    @retrying()
    def progress_checkpoint(self, person_id: int) -> ProgressCheckpoint | None:
        found = self._read(checkpoints.LOAD, {"who": person_id})
        return checkpoints.checkpoint(found[0]) if found else None

    @retrying(on_clash=True)  # two replays saving at once: the second replaces the first
    def save_progress_checkpoint(self, checkpoint: ProgressCheckpoint) -> None:
        with self._transaction(write=True) as db:
            _require_person(db, checkpoint.person_id)
            checkpoints.save(db, checkpoint)

    @retrying()
    def recent_exercise_ids(self, person_id: int, sessions: int) -> list[str]:
        found = self._read(_RECENT_EXERCISES, {"who": person_id, "sessions": max(sessions, 0)})
        return list(dict.fromkeys(row.exercise_id for row in found))

    # import

    @retrying()
    def import_records(
        self,
        person_id: int,
        *,
        sessions: Sequence[SessionWithLogs],
        checkins: Sequence[CheckIn],
        screens: Sequence[ScreenRecord],
        progression: Sequence[ProgressionStep],
        courses: Sequence[CourseRecord] = (),
    ) -> None:
        records: list[Any] = [*checkins, *screens, *progression, *courses]
        for session, logs in sessions:
            records.append(session)
            for log in logs:
                _check_owner(session.id, log.session_id, what="session")
        for record in records:
            _check_owner(person_id, record.person_id)
        with self._transaction(write=True) as db:
            _require_person(db, person_id)
            _bump(db, person_id)
            refuse_clashes(db, person_id, sessions, checkins, screens, progression)
            checkpoints.forget(db, person_id)
            # New ids, never the file's: a file's id of 2**31 - 1 would otherwise use up a
            # PostgreSQL sequence for everybody.
            for session, logs in sessions:
                row = SessionRow(**rows.session_values(session))
                db.add(row)
                db.flush()
                for log in logs:
                    db.add(ExerciseLogRow(**rows.log_values(log), session_id=row.id,
                                          person_id=person_id))  # fmt: skip
            for checkin in checkins:
                db.add(CheckInRow(**checkin.model_dump(exclude={"id"})))
            for screen in screens:
                db.add(ScreenRow(**screen.model_dump(exclude={"id"})))
            for step in progression:
                db.add(ProgressionRow(**step.model_dump()))
            for i, course in enumerate(courses):
                if course.active and self._has_active_course(db, person_id):
                    raise ImportFileError(f"courses[{i}].active", "you already follow a course")
                db.add(CourseRow(**course.model_dump(exclude={"id"})))
                db.flush()
            db.flush()

    @staticmethod
    def _has_active_course(db: Session, person_id: int) -> bool:
        query = sa.select(CourseRow.id).where(CourseRow.person_id == person_id, CourseRow.active)
        return db.scalars(query).first() is not None


def _require_person(db: Session, person_id: int) -> None:
    if db.get(PersonRow, person_id) is None:
        raise NotFound("person", person_id)


_BUMP = (
    sa.update(_PEOPLE)
    .where(_PEOPLE.c.id == sa.bindparam("who"))
    .values(revision=_PEOPLE.c.revision + 1, base_revision=_PEOPLE.c.base_revision + 1)
    .returning(_PEOPLE.c.timezone)
)
_BUMP_CHECKIN = (
    sa.update(_PEOPLE)
    .where(_PEOPLE.c.id == sa.bindparam("who"))
    .values(revision=_PEOPLE.c.revision + 1)
    .returning(_PEOPLE.c.id)
)
"""A check-in raises the revision only (see ``PersonRow.base_revision``)..."""
_BUMP_BASE = (
    sa.update(_PEOPLE)
    .where(_PEOPLE.c.id == sa.bindparam("who"))
    .values(base_revision=_PEOPLE.c.base_revision + 1)
)
"""... unless it dropped the person's progress checkpoint, which a replay starts from."""


def _bump(db: Session, person_id: int) -> str | None:
    """Raise the person's revisions (see ``PersonRow``); their time zone's name, read
    in the same statement (None: none stored, or no such person)."""
    zone: str | None = db.execute(_BUMP, {"who": person_id}).scalar_one_or_none()
    return zone


def _check_owner(expected: int, given: int, *, what: str = "person") -> None:
    if expected != given:
        raise ValueError(f"record belongs to {what} {given}, not {expected}")


def _session_row(db: Session, person_id: int, session_id: int) -> SessionRow:
    if not id_fits(db.get_bind().dialect, session_id):
        raise NotFound("session", session_id)
    row = db.get(SessionRow, session_id)
    if row is None or row.person_id != person_id:
        raise NotFound("session", session_id)
    return row


_SESSIONS = table_of(SessionRow)
_SESSION_START = sa.select(_SESSIONS.c.person_id, _SESSIONS.c.started_at).where(
    _SESSIONS.c.id == sa.bindparam("session_id")
)


_SESSION = sa.select(_SESSIONS).where(
    _SESSIONS.c.id == sa.bindparam("session_id"), _SESSIONS.c.person_id == sa.bindparam("who")
)


def _session_start(db: Session, person_id: int, session_id: int) -> datetime:
    """When the person's session started (NotFound for another's or none), without reading
    its plan."""
    if not id_fits(db.get_bind().dialect, session_id):
        raise NotFound("session", session_id)
    row = db.execute(_SESSION_START, {"session_id": session_id}).first()
    if row is None or row.person_id != person_id:
        raise NotFound("session", session_id)
    started_at: datetime = row.started_at
    return started_at


_LOGS = table_of(ExerciseLogRow)
_LOGGED_WITH_KEY = sa.select(_LOGS).where(
    _LOGS.c.session_id == sa.bindparam("session_id"), _LOGS.c.idempotency_key == sa.bindparam("key")
)
_ADD_LOG = sa.insert(_LOGS).returning(*_LOGS.c)
"""The log write's statements, built once (it runs for every exercise of every session)."""


_CHECKINS = table_of(CheckInRow)
_WHO: sa.BindParameter[int] = sa.bindparam("who")
_MORNING_PAINS = (
    sa.select(_CHECKINS.c.day, _CHECKINS.c.morning_pain)
    .where(_CHECKINS.c.person_id == _WHO)
    .order_by(_CHECKINS.c.day)
)
_OUTLINES = (
    sa.select(_SESSIONS.c.started_at, _SESSIONS.c.status, _SESSIONS.c.pain_before)
    .where(_SESSIONS.c.person_id == _WHO)
    .order_by(_SESSIONS.c.started_at, _SESSIONS.c.id)
)
_LOG_OUTCOMES = (
    sa.select(_LOGS.c.session_id, _LOGS.c.position, _LOGS.c.status)
    .where(_LOGS.c.person_id == _WHO, _LOGS.c.logged_at >= sa.bindparam("since"))
    .order_by(_LOGS.c.logged_at, _LOGS.c.id)
)
"""A history's reads after a write, built once: only the columns its summary and marks use
(whole records cost about three times as much to read and build, measured in-process)."""
_CHECKIN_WITH_KEY = sa.select(_CHECKINS).where(
    _CHECKINS.c.person_id == _WHO, _CHECKINS.c.idempotency_key == sa.bindparam("key")
)
_CHECKIN_OF_DAY = sa.select(_CHECKINS.c.id).where(
    _CHECKINS.c.person_id == _WHO, _CHECKINS.c.day == sa.bindparam("day")
)
_ADD_CHECKIN = sa.insert(_CHECKINS).returning(_CHECKINS.c.id)
_CHECKIN_CHANGES = ("morning_pain", "stiffness", "at", "idempotency_key")
_SET_CHECKIN = (
    sa.update(_CHECKINS)
    .where(_CHECKINS.c.id == sa.bindparam("row_id"))
    .values({name: sa.bindparam(f"new_{name}") for name in _CHECKIN_CHANGES})
)
"""The check-in write's statements, built once (a check-in a day per person)."""


def _new(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` of a check-in as ``_SET_CHECKIN`` takes them."""
    return {f"new_{name}": values[name] for name in _CHECKIN_CHANGES}


_LAST_CHECKIN = (
    sa.select(_CHECKINS)
    .where(_CHECKINS.c.person_id == _WHO, _CHECKINS.c.day <= sa.bindparam("day"))
    .order_by(_CHECKINS.c.day.desc())
    .limit(1)
)
_PERSON_ZONE = sa.select(_PEOPLE.c.timezone).where(_PEOPLE.c.id == _WHO)
_DONE = _LOGS.c.status != LogStatus.SKIPPED.value
_RECENT_SESSIONS = (
    sa.select(_SESSIONS.c.id)
    .where(
        _SESSIONS.c.person_id == _WHO,
        sa.exists().where(_LOGS.c.session_id == _SESSIONS.c.id, _DONE),
    )
    .order_by(_SESSIONS.c.started_at.desc(), _SESSIONS.c.id.desc())
    .limit(sa.bindparam("sessions", type_=sa.Integer))
)
_RECENT_EXERCISES = (
    sa.select(_LOGS.c.exercise_id)
    .where(_LOGS.c.session_id.in_(_RECENT_SESSIONS.scalar_subquery()), _DONE)
    .order_by(_LOGS.c.logged_at.desc(), _LOGS.c.id.desc())
)
_SCREENS = table_of(ScreenRow)
_LATEST_SCREEN = (
    sa.select(_SCREENS)
    .where(_SCREENS.c.person_id == _WHO)
    .order_by(_SCREENS.c.at.desc(), _SCREENS.c.id.desc())
    .limit(1)
)
"""What planning reads of a person after each of their writes, built once."""


@functools.cache
def _sessions_query(plans: bool, since: bool, limit: bool) -> sa.Select[Any]:
    """A person's sessions, newest first; ``plans``: with each plan (parsing each plan's JSON
    is most of the cost of a long history, so it is left out unless asked); ``since``: from
    the ``since`` parameter on; ``limit``: at most ``limit``. Built once per shape, like the
    other reads after a write (building a statement cost as much as running it)."""
    columns = [c for c in _SESSIONS.c if plans or c.name != "plan"]
    query = sa.select(*columns).where(_SESSIONS.c.person_id == _WHO)
    if since:
        query = query.where(_SESSIONS.c.started_at >= sa.bindparam("since"))
    query = query.order_by(_SESSIONS.c.started_at.desc(), _SESSIONS.c.id.desc())
    return query.limit(sa.bindparam("limit", type_=sa.Integer)) if limit else query


@functools.cache
def _logs_query(since: bool) -> sa.Select[Any]:
    """A person's logs in the order they were logged (from ``since`` on); built once."""
    query = sa.select(_LOGS).where(_LOGS.c.person_id == _WHO)
    if since:
        query = query.where(_LOGS.c.logged_at >= sa.bindparam("since"))
    return query.order_by(_LOGS.c.logged_at, _LOGS.c.id)


@functools.cache
def _checkins_query(since: bool) -> sa.Select[Any]:
    """A person's check-ins by day (from the day ``since`` on); built once."""
    query = sa.select(_CHECKINS).where(_CHECKINS.c.person_id == _WHO)
    if since:
        query = query.where(_CHECKINS.c.day >= sa.bindparam("since"))
    return query.order_by(_CHECKINS.c.day)


def _logged_with_key(db: Session, session_id: int, key: str | None) -> sa.Row[Any] | None:
    if key is None:
        return None
    return db.execute(_LOGGED_WITH_KEY, {"session_id": session_id, "key": key}).first()
