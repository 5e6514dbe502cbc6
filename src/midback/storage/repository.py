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

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from midback.caches import Caches
from midback.domain.records import (
    CheckIn,
    CourseRecord,
    ExerciseLog,
    LogOutcome,
    NewLog,
    PersonState,
    ProgressCheckpoint,
    ProgressionStep,
    ScreenRecord,
    SessionOutline,
    SessionRecord,
    SessionStatus,
)

SessionWithLogs = tuple[SessionRecord, Sequence[ExerciseLog]]
"""A session and its exercise logs, as ``import_records`` takes them."""


T = TypeVar("T")


class Repository(Protocol):
    """Storage as the use cases see it. ``SqlRepository`` is the real one; tests have a fake."""

    caches: Caches
    """Read caches that live as long as this store (never module-level)."""

    def unit(self, work: Callable[[], T]) -> T:
        """Run ``work`` (calls of this repository) as one transaction: all or nothing."""
        ...

    def reading(self) -> AbstractContextManager[None]:
        """A block whose reads (of this thread) share one connection: for the use cases that
        read a person's records several times in a row."""
        ...

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

    def morning_pains(self, person_id: int) -> list[tuple[date, int]]:
        """Every check-in's day and morning pain, by day (``checkins`` without the rest)."""
        ...

    def session_outlines(self, person_id: int) -> list[SessionOutline]:
        """Every session's start, status and pain before, oldest first (``list_sessions``
        without the rest: what a history summary reads)."""
        ...

    def log_outcomes(self, person_id: int, *, since: datetime) -> list[LogOutcome]:
        """How each exercise logged at or after ``since`` ended, in the order they were logged
        (``logs_for_person`` without the doses)."""
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

    def person_state(self, person_id: int) -> PersonState:
        """``revision``, the revision apart from check-ins and ``person_zone`` in one read
        (what a cached read checks first)."""
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
