"""The repository: what the use cases ask of storage, and its SQL implementation.

Every method takes the ``person_id`` it acts for and sees only that person's records: another
person's session is ``NotFound``, exactly like one that does not exist. Every method is one
transaction: bad values (``pydantic.ValidationError``) or a missing record (``NotFound``) write
nothing. Lists come back oldest first unless a method says otherwise.

Interrupted sessions: a process killed mid-session (SIGKILL, power loss) leaves its session
``running`` with the exercises logged so far. ``mark_interrupted`` turns such sessions into
``interrupted``; the app calls it with no cutoff when a local command starts (one person, one
terminal: any session still running belongs to a dead process), and a long-lived server passes
``idle_before`` (``services.sessions.STALE_AFTER``, six hours). A live session wrongly marked
simply ends with its real status when ``finish_session`` is called.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer, sessionmaker

from midback.caches import Caches
from midback.domain.prescription import Prescription
from midback.domain.records import (
    CheckIn,
    CourseRecord,
    Effort,
    ExerciseLog,
    LogStatus,
    NewLog,
    ProgressCheckpoint,
    ProgressionStep,
    ScreenRecord,
    SessionRecord,
    SessionStatus,
)
from midback.errors import ImportFileError, NotFound
from midback.storage import checkpoints
from midback.storage.engine import id_fits, retrying, writer_lock
from midback.storage.tables import (
    LOCAL_PERSON_ID,
    CheckInRow,
    CourseRow,
    ExerciseLogRow,
    PersonRow,
    ProgressionRow,
    ScreenRow,
    SessionRow,
)

SessionWithLogs = tuple[SessionRecord, Sequence[ExerciseLog]]
"""A session and its exercise logs, as ``import_records`` takes them."""


class Repository(Protocol):
    """Storage as the use cases see it. ``SqlRepository`` is the real one; tests have a fake."""

    caches: Caches
    """Read caches that live as long as this store (never module-level)."""

    def person_zone(self, person_id: int) -> str | None:
        """The person's IANA time zone, None when they set none (or do not exist)."""
        ...

    def set_person_zone(self, person_id: int, zone: str | None) -> None:
        """Set (None: clear) the person's time zone; NotFound for an unknown person."""
        ...

    def add_person(self, *, email: str | None = None, created_at: datetime) -> int:
        """A new person; returns their id."""
        ...

    def ensure_local_person(self, *, at: datetime | None = None) -> int:
        """Make sure the local person (id 1) exists; returns its id."""
        ...

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
        """A new ``running`` session. ``NotFound`` for an unknown person.

        Idempotent: when the person already started a session with ``idempotency_key``,
        returns that one and stores nothing new.
        """
        ...

    def log_exercise(self, person_id: int, session_id: int, log: NewLog) -> ExerciseLog:
        """Store one finished exercise, committed at once.

        Idempotent: when ``log.idempotency_key`` was already used in this session, returns the
        stored log and stores nothing new. Logging to a finished session is allowed.
        """
        ...

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
        """End a session with ``status`` (not ``running``); finishing again overwrites."""
        ...

    def get_session(self, person_id: int, session_id: int) -> SessionRecord:
        """One session; ``NotFound`` if missing or another person's."""
        ...

    def list_sessions(
        self,
        person_id: int,
        *,
        since: datetime | None = None,
        limit: int | None = None,
        plans: bool = True,
    ) -> list[SessionRecord]:
        """Sessions started at or after ``since``, newest first, at most ``limit``; with
        ``plans=False`` each record's plan is left empty (``{}``), unread."""
        ...

    def session_logs(self, person_id: int, session_id: int) -> list[ExerciseLog]:
        """A session's logs in the order they were logged; ``NotFound`` for the session."""
        ...

    def logs_for_person(
        self, person_id: int, *, since: datetime | None = None
    ) -> list[ExerciseLog]:
        """Every log of the person logged at or after ``since``, in the order they were logged."""
        ...

    def mark_interrupted(self, person_id: int, *, idle_before: datetime | None = None) -> int:
        """Turn ``running`` sessions into ``interrupted``; returns how many.

        With ``idle_before``, only sessions whose last activity (start or latest log) is older.
        ``ended_at`` becomes that last activity.
        """
        ...

    def add_checkin(
        self,
        person_id: int,
        day: date,
        morning_pain: int,
        stiffness: int | None,
        at: datetime,
        idempotency_key: str | None = None,
    ) -> CheckIn:
        """Record a check-in; a second one for the same day replaces the first (same id).

        Idempotent: a check-in whose ``idempotency_key`` the person already used returns the
        stored one and changes nothing."""
        ...

    def checkins(self, person_id: int, *, since: date | None = None) -> list[CheckIn]:
        """Check-ins from day ``since`` on, by day."""
        ...

    def save_screen(
        self,
        person_id: int,
        answers: Mapping[str, Any],
        verdict: str,
        result: Mapping[str, Any],
        at: datetime,
    ) -> ScreenRecord:
        """Store a safety screen and its result."""
        ...

    def screens(self, person_id: int) -> list[ScreenRecord]:
        """Every screen the person took, oldest first."""
        ...

    def latest_screen(self, person_id: int) -> ScreenRecord | None:
        """The most recent screen, if any."""
        ...

    def start_course(
        self, person_id: int, state: Mapping[str, Any], *, at: datetime
    ) -> CourseRecord:
        """Store a new active course; the person's active course, if any, ends."""
        ...

    def save_course(
        self, person_id: int, course_id: int, state: Mapping[str, Any], *, active: bool,
        at: datetime,
    ) -> CourseRecord:  # fmt: skip
        """Replace a course's state (NotFound for another person's or a missing course)."""
        ...

    def active_course(self, person_id: int) -> CourseRecord | None:
        """The person's active course, if any."""
        ...

    def courses(self, person_id: int) -> list[CourseRecord]:
        """Every course the person followed, oldest first."""
        ...

    def progression(self, person_id: int) -> dict[str, ProgressionStep]:
        """The person's progression steps by exercise id."""
        ...

    def set_progression(self, person_id: int, step: ProgressionStep) -> None:
        """Create or replace the step for ``step.exercise_id`` (``step.person_id`` must match)."""
        ...

    def last_checkin(self, person_id: int, *, on_or_before: date) -> CheckIn | None:
        """The person's latest check-in of ``on_or_before`` or an earlier day."""
        ...

    def revision(self, person_id: int) -> str | None:
        """A token that changes whenever the person's sessions, logs, check-ins or screens do
        (also in another process); None when the person does not exist."""
        ...

    def progress_checkpoint(self, person_id: int) -> ProgressCheckpoint | None:
        """The person's progress checkpoint, if any (dropped by every write that reaches into the
        days it covers: see ``storage.checkpoints``)."""
        ...

    def save_progress_checkpoint(self, checkpoint: ProgressCheckpoint) -> None:
        """Create or replace the checkpoint of ``checkpoint.person_id``."""
        ...

    def recent_exercise_ids(self, person_id: int, sessions: int) -> list[str]:
        """Exercises done (not skipped) in the last ``sessions`` sessions where anything was done;
        most recently logged first, each once."""
        ...

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
        """Store records under new ids (the store numbers them; a log follows its session), all
        or nothing. An active course in ``courses`` is refused while the person follows one.

        Refuses (``ImportFileError`` naming the first clash as ``sessions[i].started_at`` etc.,
        indexes following the arguments) a session or screen of the person at a time already
        stored, a check-in for a day already checked in, or progression for an exercise that
        already has some.
        """
        ...


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

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction; ``write``: it writes, so on SQLite it waits for this process's other
        writers first (see ``writer_lock``)."""
        writer = self._writer if write else nullcontext()
        with writer, self._sessions() as session, session.begin():
            yield session

    # people

    def person_zone(self, person_id: int) -> str | None:
        query = sa.select(PersonRow.timezone).where(PersonRow.id == person_id)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none()

    @retrying()
    def set_person_zone(self, person_id: int, zone: str | None) -> None:
        with self._transaction(write=True) as db:
            row = db.get(PersonRow, person_id)
            if row is None:
                raise NotFound("person", person_id)
            row.timezone = zone
            row.revision += 1  # what was derived with the old "today" is stale

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
                    return _session(started)
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
            row = SessionRow(**_session_values(record), idempotency_key=idempotency_key)
            db.add(row)
            db.flush()
            return record.model_copy(update={"id": row.id})

    @retrying()
    def log_exercise(self, person_id: int, session_id: int, log: NewLog) -> ExerciseLog:
        try:
            with self._transaction(write=True) as db:
                _bump(db, person_id)  # first: writers of one person queue on their row
                session = _session_row(db, person_id, session_id)
                stored = _logged_with_key(db, session_id, log.idempotency_key)
                if stored is not None:
                    return _log(stored)
                checkpoints.forget_session_day(db, person_id, session.started_at)
                row = ExerciseLogRow(session_id=session_id, person_id=person_id, **_log_values(log))
                db.add(row)
                db.flush()
                return _log(row)
        except IntegrityError:
            # Another writer stored the same key between our look and our insert.
            with self._transaction(write=True) as db:
                stored = _logged_with_key(db, session_id, log.idempotency_key)
            if stored is None:
                raise
            return _log(stored)

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
            _bump(db, person_id)
            row = _session_row(db, person_id, session_id)
            record = SessionRecord.model_validate(
                {
                    **_session(row).model_dump(),
                    "status": status,
                    "ended_at": ended_at,
                    "pain_after": pain_after,
                    "effort": effort,
                    "note": note,
                }
            )
            for name, value in _session_values(record).items():
                setattr(row, name, value)
            checkpoints.forget_session_day(db, person_id, row.started_at)
            return record

    @retrying()
    def get_session(self, person_id: int, session_id: int) -> SessionRecord:
        with self._transaction() as db:
            return _session(_session_row(db, person_id, session_id))

    @retrying()
    def list_sessions(
        self,
        person_id: int,
        *,
        since: datetime | None = None,
        limit: int | None = None,
        plans: bool = True,
    ) -> list[SessionRecord]:
        query = sa.select(SessionRow).where(SessionRow.person_id == person_id)
        if since is not None:
            query = query.where(SessionRow.started_at >= since)
        if not plans:  # parsing each plan's JSON is most of the cost of a long history
            query = query.options(defer(SessionRow.plan, raiseload=True))
        query = query.order_by(SessionRow.started_at.desc(), SessionRow.id.desc()).limit(limit)
        with self._transaction() as db:
            return [_session(row, plan=plans) for row in db.scalars(query)]

    @retrying()
    def session_logs(self, person_id: int, session_id: int) -> list[ExerciseLog]:
        with self._transaction() as db:
            _session_row(db, person_id, session_id)
            query = (
                sa.select(ExerciseLogRow)
                .where(ExerciseLogRow.session_id == session_id)
                .order_by(ExerciseLogRow.logged_at, ExerciseLogRow.id)
            )
            return [_log(row) for row in db.scalars(query)]

    @retrying()
    def logs_for_person(
        self, person_id: int, *, since: datetime | None = None
    ) -> list[ExerciseLog]:
        query = sa.select(ExerciseLogRow).where(ExerciseLogRow.person_id == person_id)
        if since is not None:
            query = query.where(ExerciseLogRow.logged_at >= since)
        query = query.order_by(ExerciseLogRow.logged_at, ExerciseLogRow.id)
        with self._transaction() as db:
            return [_log(row) for row in db.scalars(query)]

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
            _require_person(db, person_id)
            if idempotency_key is not None:
                done = db.scalars(
                    sa.select(CheckInRow).where(
                        CheckInRow.person_id == person_id,
                        CheckInRow.idempotency_key == idempotency_key,
                    )
                ).first()
                if done is not None:
                    return _checkin(done)
            _bump(db, person_id)
            row = db.scalars(
                sa.select(CheckInRow).where(
                    CheckInRow.person_id == person_id, CheckInRow.day == record.day
                )
            ).one_or_none()
            if row is None:
                row = CheckInRow(**values)
                db.add(row)
            else:
                for name, value in values.items():
                    setattr(row, name, value)
            checkpoints.forget_checkin_day(db, person_id, record.day)
            db.flush()
            return record.model_copy(update={"id": row.id})

    @retrying()
    def checkins(self, person_id: int, *, since: date | None = None) -> list[CheckIn]:
        query = sa.select(CheckInRow).where(CheckInRow.person_id == person_id)
        if since is not None:
            query = query.where(CheckInRow.day >= since)
        with self._transaction() as db:
            return [_checkin(row) for row in db.scalars(query.order_by(CheckInRow.day))]

    @retrying()
    def last_checkin(self, person_id: int, *, on_or_before: date) -> CheckIn | None:
        query = (
            sa.select(CheckInRow)
            .where(CheckInRow.person_id == person_id, CheckInRow.day <= on_or_before)
            .order_by(CheckInRow.day.desc())
            .limit(1)
        )
        with self._transaction() as db:
            row = db.scalars(query).first()
            return None if row is None else _checkin(row)

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
            return [_screen(row) for row in db.scalars(query)]

    @retrying()
    def latest_screen(self, person_id: int) -> ScreenRecord | None:
        query = (
            sa.select(ScreenRow)
            .where(ScreenRow.person_id == person_id)
            .order_by(ScreenRow.at.desc(), ScreenRow.id.desc())
            .limit(1)
        )
        with self._transaction() as db:
            row = db.scalars(query).first()
            return None if row is None else _screen(row)

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
            return _course(row)

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
            return _course(row)

    @retrying()
    def active_course(self, person_id: int) -> CourseRecord | None:
        query = (
            sa.select(CourseRow)
            .where(CourseRow.person_id == person_id, CourseRow.active)
            .order_by(CourseRow.id.desc())
            .limit(1)
        )
        with self._transaction() as db:
            row = db.scalars(query).first()
            return None if row is None else _course(row)

    @retrying()
    def courses(self, person_id: int) -> list[CourseRecord]:
        query = sa.select(CourseRow).where(CourseRow.person_id == person_id).order_by(CourseRow.id)
        with self._transaction() as db:
            return [_course(row) for row in db.scalars(query)]

    @retrying()
    def progression(self, person_id: int) -> dict[str, ProgressionStep]:
        query = (
            sa.select(ProgressionRow)
            .where(ProgressionRow.person_id == person_id)
            .order_by(ProgressionRow.exercise_id)
        )
        with self._transaction() as db:
            return {row.exercise_id: _step(row) for row in db.scalars(query)}

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

    @retrying()
    def revision(self, person_id: int) -> str | None:
        people = PersonRow.__table__
        query = sa.select(people.c.revision, people.c.created_at).where(people.c.id == person_id)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        # The creation time tells a person from a later one given the same id (SQLite reuses ids).
        return None if row is None else f"{row.revision}@{row.created_at.isoformat()}"

    @retrying()
    def progress_checkpoint(self, person_id: int) -> ProgressCheckpoint | None:
        with self._transaction() as db:
            return checkpoints.load(db, person_id)

    @retrying(on_clash=True)  # two replays saving at once: the second replaces the first
    def save_progress_checkpoint(self, checkpoint: ProgressCheckpoint) -> None:
        with self._transaction(write=True) as db:
            _require_person(db, checkpoint.person_id)
            checkpoints.save(db, checkpoint)

    @retrying()
    def recent_exercise_ids(self, person_id: int, sessions: int) -> list[str]:
        done = ExerciseLogRow.status != LogStatus.SKIPPED.value
        recent = (
            sa.select(SessionRow.id)
            .where(
                SessionRow.person_id == person_id,
                sa.exists().where(ExerciseLogRow.session_id == SessionRow.id, done),
            )
            .order_by(SessionRow.started_at.desc(), SessionRow.id.desc())
            .limit(max(sessions, 0))
        )
        query = (
            sa.select(ExerciseLogRow.exercise_id)
            .where(ExerciseLogRow.session_id.in_(recent.scalar_subquery()), done)
            .order_by(ExerciseLogRow.logged_at.desc(), ExerciseLogRow.id.desc())
        )
        with self._transaction() as db:
            return list(dict.fromkeys(db.scalars(query)))

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
            _refuse_clashes(db, person_id, sessions, checkins, screens, progression)
            checkpoints.forget(db, person_id)
            # New ids, never the file's: a file's id of 2**31 - 1 would otherwise use up a
            # PostgreSQL sequence for everybody.
            for session, logs in sessions:
                row = SessionRow(**_session_values(session))
                db.add(row)
                db.flush()
                for log in logs:
                    db.add(ExerciseLogRow(**_log_values(log), session_id=row.id,
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


def _bump(db: Session, person_id: int) -> None:
    """Raise the person's revision (see ``PersonRow.revision``)."""
    db.execute(
        sa.update(PersonRow)
        .where(PersonRow.id == person_id)
        .values(revision=PersonRow.revision + 1)
    )


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


def _logged_with_key(db: Session, session_id: int, key: str | None) -> ExerciseLogRow | None:
    if key is None:
        return None
    query = sa.select(ExerciseLogRow).where(
        ExerciseLogRow.session_id == session_id, ExerciseLogRow.idempotency_key == key
    )
    return db.scalars(query).first()


def _refuse_clashes(
    db: Session,
    person_id: int,
    sessions: Sequence[SessionWithLogs],
    checkins: Sequence[CheckIn],
    screens: Sequence[ScreenRecord],
    progression: Sequence[ProgressionStep],
) -> None:
    for i, (session, _) in enumerate(sessions):
        same_start = sa.select(SessionRow.id).where(
            SessionRow.person_id == person_id, SessionRow.started_at == session.started_at
        )
        if db.scalars(same_start).first() is not None:
            at = session.started_at.isoformat()
            raise ImportFileError(
                f"sessions[{i}].started_at", f"a session started at {at} already exists"
            )
    for i, checkin in enumerate(checkins):
        same_day = sa.select(CheckInRow.id).where(
            CheckInRow.person_id == person_id, CheckInRow.day == checkin.day
        )
        if db.scalars(same_day).first() is not None:
            raise ImportFileError(f"checkins[{i}].day", f"already checked in on {checkin.day}")
    for i, screen in enumerate(screens):
        same_time = sa.select(ScreenRow.id).where(
            ScreenRow.person_id == person_id, ScreenRow.at == screen.at
        )
        if db.scalars(same_time).first() is not None:
            at = screen.at.isoformat()
            raise ImportFileError(f"screens[{i}].at", f"a screen at {at} already exists")
    for i, step in enumerate(progression):
        if db.get(ProgressionRow, (person_id, step.exercise_id)) is not None:
            raise ImportFileError(
                f"progression[{i}].exercise_id", f"{step.exercise_id!r} already has progression"
            )


# rows <-> records


def _session_values(record: SessionRecord) -> dict[str, Any]:
    values = record.model_dump(exclude={"id"})
    values["status"] = record.status.value
    return values


def _session(row: SessionRow, *, plan: bool = True) -> SessionRecord:
    # Every row was validated on its way in (``start_session``, ``finish_session``, imports) and
    # the table's constraints hold it: read back without validating the plan's JSON again,
    # which was most of the time of a history page.
    return SessionRecord.model_construct(
        id=row.id,
        person_id=row.person_id,
        plan=row.plan if plan else {},
        program_id=row.program_id,
        started_at=row.started_at,
        ended_at=row.ended_at,
        status=SessionStatus(row.status),
        pain_before=row.pain_before,
        pain_after=row.pain_after,
        effort=row.effort,
        note=row.note,
    )


def _log_values(log: NewLog) -> dict[str, Any]:
    return {
        "position": log.position,
        "exercise_id": log.exercise_id,
        "variant": log.variant,
        "target": log.target.model_dump(mode="json"),
        "actual": None if log.actual is None else log.actual.model_dump(mode="json"),
        "status": log.status.value,
        "pain": log.pain,
        "logged_at": log.logged_at,
        "idempotency_key": log.idempotency_key,
        "effort": None if log.effort is None else log.effort.value,
    }


def _log(row: ExerciseLogRow) -> ExerciseLog:
    return ExerciseLog(
        id=row.id,
        session_id=row.session_id,
        position=row.position,
        exercise_id=row.exercise_id,
        variant=row.variant,
        target=Prescription.model_validate(row.target),
        actual=None if row.actual is None else Prescription.model_validate(row.actual),
        status=LogStatus(row.status),
        pain=row.pain,
        logged_at=row.logged_at,
        idempotency_key=row.idempotency_key,
        effort=None if row.effort is None else Effort(row.effort),
    )


def _checkin(row: CheckInRow) -> CheckIn:
    return CheckIn(
        id=row.id,
        person_id=row.person_id,
        day=row.day,
        morning_pain=row.morning_pain,
        stiffness=row.stiffness,
        at=row.at,
        idempotency_key=row.idempotency_key,
    )


def _course(row: CourseRow) -> CourseRecord:
    return CourseRecord(
        id=row.id,
        person_id=row.person_id,
        started_at=row.started_at,
        updated_at=row.updated_at,
        active=row.active,
        state=row.state,
    )


def _screen(row: ScreenRow) -> ScreenRecord:
    return ScreenRecord(
        id=row.id,
        person_id=row.person_id,
        at=row.at,
        answers=row.answers,
        verdict=row.verdict,
        result=row.result,
    )


def _step(row: ProgressionRow) -> ProgressionStep:
    return ProgressionStep(
        person_id=row.person_id,
        exercise_id=row.exercise_id,
        step=row.step,
        reason=row.reason,
        updated_at=row.updated_at,
    )
