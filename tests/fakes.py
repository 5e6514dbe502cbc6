"""Fakes for unit tests: an in-memory repository that behaves like ``SqlRepository``.

tests/integration/test_storage.py runs the same behaviour tests on both, so the fake cannot
drift from the real thing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from midback.caches import Caches
from midback.domain.history import local_day
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
from midback.storage.repository import SessionWithLogs
from midback.storage.tables import LOCAL_PERSON_ID

T = TypeVar("T")


class FakeRepository:
    """The ``Repository`` protocol in dictionaries. Starts with the local person (id 1)."""

    def __init__(self) -> None:
        self.people: dict[int, str | None] = {LOCAL_PERSON_ID: None}
        self.sessions: dict[int, SessionRecord] = {}
        self.session_keys: dict[tuple[int, str | None], int] = {}
        self.logs_by_id: dict[int, ExerciseLog] = {}
        self.checkins_by_id: dict[int, CheckIn] = {}
        self.screens_by_id: dict[int, ScreenRecord] = {}
        self.courses_by_id: dict[int, CourseRecord] = {}
        self.steps: dict[tuple[int, str], ProgressionStep] = {}
        self.checkpoints: dict[int, ProgressCheckpoint] = {}
        self.writes = 0
        """Every write of anyone's records: the revision (one for all people is enough)."""
        self.checkin_writes = 0
        """The check-ins among them that dropped no checkpoint (the base revision leaves
        them out, as ``PersonRow.base_revision``)."""
        self.caches = Caches()
        self.zones: dict[int, str | None] = {}

    def reading(self) -> AbstractContextManager[None]:
        return nullcontext()

    def unit(self, work: Callable[[], T]) -> T:
        """All of ``work`` or nothing: the state is put back when it raises."""
        kept = {k: copy.deepcopy(v) for k, v in vars(self).items() if k != "caches"}
        try:
            return work()
        except BaseException:
            vars(self).update(kept)
            raise

    def person_zone(self, person_id: int) -> str | None:
        return self.zones.get(person_id)

    def set_person_zone(self, person_id: int, zone: str | None) -> None:
        if person_id not in self.people:
            raise NotFound("person", person_id)
        self.zones[person_id] = zone
        self.writes += 1

    def add_person(self, *, email: str | None = None, created_at: datetime) -> int:
        if email is not None and email in self.people.values():
            raise ValueError(f"email {email!r} is taken")
        person_id = max(self.people) + 1
        self.people[person_id] = email
        return person_id

    def ensure_local_person(self, *, at: datetime | None = None) -> int:
        self.people.setdefault(LOCAL_PERSON_ID, None)
        return LOCAL_PERSON_ID

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
        started = self.session_keys.get((person_id, idempotency_key))
        if idempotency_key is not None and started is not None:
            return self.sessions[started]
        record = SessionRecord(
            id=_next_id(self.sessions),
            person_id=person_id,
            plan=dict(plan),
            program_id=program_id,
            started_at=started_at,
            pain_before=pain_before,
        )
        self._require_person(person_id)
        self.writes += 1
        self.sessions[record.id] = record
        if idempotency_key is not None:
            self.session_keys[(person_id, idempotency_key)] = record.id
        return record

    def log_exercise(self, person_id: int, session_id: int, log: NewLog) -> ExerciseLog:
        self.get_session(person_id, session_id)
        self.writes += 1
        if log.idempotency_key is not None:
            for stored in self.logs_by_id.values():
                if (stored.session_id, stored.idempotency_key) == (
                    session_id,
                    log.idempotency_key,
                ):
                    return stored
        self._forget(person_id, local_day(self.sessions[session_id].started_at))
        record = ExerciseLog.model_validate(
            {**log.model_dump(), "id": _next_id(self.logs_by_id), "session_id": session_id}
        )
        self.logs_by_id[record.id] = record
        return record

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
        current = self.get_session(person_id, session_id)
        self.writes += 1
        record = SessionRecord.model_validate(
            {
                **current.model_dump(),
                "status": status,
                "ended_at": ended_at,
                "pain_after": pain_after,
                "effort": effort,
                "note": note,
            }
        )
        self.sessions[session_id] = record
        self._forget(person_id, local_day(record.started_at))
        return record

    def get_session(self, person_id: int, session_id: int) -> SessionRecord:
        record = self.sessions.get(session_id)
        if record is None or record.person_id != person_id:
            raise NotFound("session", session_id)
        return record

    def list_sessions(
        self,
        person_id: int,
        *,
        since: datetime | None = None,
        limit: int | None = None,
        plans: bool = True,
    ) -> list[SessionRecord]:
        found = [
            s if plans else s.model_copy(update={"plan": {}})
            for s in self.sessions.values()
            if s.person_id == person_id and (since is None or s.started_at >= since)
        ]
        found.sort(key=lambda s: (s.started_at, s.id), reverse=True)
        return found if limit is None else found[:limit]

    def session_logs(self, person_id: int, session_id: int) -> list[ExerciseLog]:
        self.get_session(person_id, session_id)
        return _chronological(
            log for log in self.logs_by_id.values() if log.session_id == session_id
        )

    def logs_for_person(
        self, person_id: int, *, since: datetime | None = None
    ) -> list[ExerciseLog]:
        return _chronological(
            log
            for log in self.logs_by_id.values()
            if self.sessions[log.session_id].person_id == person_id
            and (since is None or log.logged_at >= since)
        )

    def mark_interrupted(self, person_id: int, *, idle_before: datetime | None = None) -> int:
        count = 0
        for record in list(self.sessions.values()):
            if record.person_id != person_id or record.status is not SessionStatus.RUNNING:
                continue
            times = [
                log.logged_at for log in self.logs_by_id.values() if log.session_id == record.id
            ]
            last = max([record.started_at, *times])
            if idle_before is not None and last >= idle_before:
                continue
            self.sessions[record.id] = record.model_copy(
                update={"status": SessionStatus.INTERRUPTED, "ended_at": last}
            )
            count += 1
        return count

    def add_checkin(
        self,
        person_id: int,
        day: date,
        morning_pain: int,
        stiffness: int | None,
        at: datetime,
        idempotency_key: str | None = None,
    ) -> CheckIn:
        if idempotency_key is not None:
            for done in self.checkins_by_id.values():
                if (done.person_id, done.idempotency_key) == (person_id, idempotency_key):
                    return done
        same_day = [
            c for c in self.checkins_by_id.values() if (c.person_id, c.day) == (person_id, day)
        ]
        record = CheckIn(
            id=same_day[0].id if same_day else _next_id(self.checkins_by_id),
            person_id=person_id,
            day=day,
            morning_pain=morning_pain,
            stiffness=stiffness,
            at=at,
            idempotency_key=idempotency_key,
        )
        self._require_person(person_id)
        self.writes += 1
        self.checkins_by_id[record.id] = record
        if not self._forget(person_id, day - timedelta(days=1)):
            self.checkin_writes += 1
        return record

    def checkins(self, person_id: int, *, since: date | None = None) -> list[CheckIn]:
        found = [
            c
            for c in self.checkins_by_id.values()
            if c.person_id == person_id and (since is None or c.day >= since)
        ]
        return sorted(found, key=lambda c: c.day)

    def morning_pains(self, person_id: int) -> list[tuple[date, int]]:
        return [(c.day, c.morning_pain) for c in self.checkins(person_id)]

    def session_outlines(self, person_id: int) -> list[SessionOutline]:
        return [
            SessionOutline(s.started_at, s.status, s.pain_before)
            for s in reversed(self.list_sessions(person_id, plans=False))
        ]

    def log_outcomes(self, person_id: int, *, since: datetime) -> list[LogOutcome]:
        return [
            LogOutcome(log.session_id, log.position, log.status)
            for log in self.logs_for_person(person_id, since=since)
        ]

    def last_checkin(self, person_id: int, *, on_or_before: date) -> CheckIn | None:
        earlier = [c for c in self.checkins(person_id) if c.day <= on_or_before]
        return earlier[-1] if earlier else None

    def revision(self, person_id: int) -> str | None:
        return str(self.writes) if person_id in self.people else None

    def person_state(self, person_id: int) -> PersonState:
        if person_id not in self.people:
            return PersonState(None, None, None)
        base = str(self.writes - self.checkin_writes)
        return PersonState(self.revision(person_id), base, self.person_zone(person_id))

    def progress_checkpoint(self, person_id: int) -> ProgressCheckpoint | None:
        return self.checkpoints.get(person_id)

    def save_progress_checkpoint(self, checkpoint: ProgressCheckpoint) -> None:
        self._require_person(checkpoint.person_id)
        self.checkpoints[checkpoint.person_id] = checkpoint

    def save_screen(
        self,
        person_id: int,
        answers: Mapping[str, Any],
        verdict: str,
        result: Mapping[str, Any],
        at: datetime,
    ) -> ScreenRecord:
        record = ScreenRecord(
            id=_next_id(self.screens_by_id),
            person_id=person_id,
            at=at,
            answers=dict(answers),
            verdict=verdict,
            result=dict(result),
        )
        self._require_person(person_id)
        self.writes += 1
        self.screens_by_id[record.id] = record
        return record

    def screens(self, person_id: int) -> list[ScreenRecord]:
        found = [s for s in self.screens_by_id.values() if s.person_id == person_id]
        return sorted(found, key=lambda s: (s.at, s.id))

    def latest_screen(self, person_id: int) -> ScreenRecord | None:
        found = [s for s in self.screens_by_id.values() if s.person_id == person_id]
        return max(found, key=lambda s: (s.at, s.id), default=None)

    def start_course(
        self, person_id: int, state: Mapping[str, Any], *, at: datetime
    ) -> CourseRecord:
        self._require_person(person_id)
        for old in list(self.courses_by_id.values()):
            if old.person_id == person_id and old.active:
                ended = old.model_copy(update={"active": False, "updated_at": at})
                self.courses_by_id[old.id] = ended
        record = CourseRecord(
            id=_next_id(self.courses_by_id),
            person_id=person_id,
            started_at=at,
            updated_at=at,
            active=True,
            state=dict(state),
        )
        self.courses_by_id[record.id] = record
        self.writes += 1
        return record

    def save_course(
        self, person_id: int, course_id: int, state: Mapping[str, Any], *, active: bool,
        at: datetime,
    ) -> CourseRecord:  # fmt: skip
        old = self.courses_by_id.get(course_id)
        if old is None or old.person_id != person_id:
            raise NotFound("course", course_id)
        record = old.model_copy(update={"state": dict(state), "active": active, "updated_at": at})
        self.courses_by_id[course_id] = record
        self.writes += 1
        return record

    def active_course(self, person_id: int) -> CourseRecord | None:
        found = [c for c in self.courses_by_id.values() if c.person_id == person_id and c.active]
        return max(found, key=lambda c: c.id) if found else None

    def courses(self, person_id: int) -> list[CourseRecord]:
        return sorted((c for c in self.courses_by_id.values() if c.person_id == person_id),
                      key=lambda c: c.id)  # fmt: skip

    def progression(self, person_id: int) -> dict[str, ProgressionStep]:
        return {
            exercise_id: step
            for (owner, exercise_id), step in sorted(self.steps.items())
            if owner == person_id
        }

    def set_progression(self, person_id: int, step: ProgressionStep) -> None:
        if step.person_id != person_id:
            raise ValueError(f"record belongs to person {step.person_id}, not {person_id}")
        self._require_person(person_id)
        self.steps[(person_id, step.exercise_id)] = step

    def recent_exercise_ids(self, person_id: int, sessions: int) -> list[str]:
        done = [
            log for log in self.logs_for_person(person_id) if log.status is not LogStatus.SKIPPED
        ]
        with_done = {log.session_id for log in done}
        newest = [s.id for s in self.list_sessions(person_id) if s.id in with_done]
        recent = set(newest[: max(sessions, 0)])
        newest_first = sorted(
            (log for log in done if log.session_id in recent),
            key=lambda log: (log.logged_at, log.id),
            reverse=True,
        )
        return list(dict.fromkeys(log.exercise_id for log in newest_first))

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
        for i, course in enumerate(courses):
            if course.active and self.active_course(person_id) is not None:
                raise ImportFileError(f"courses[{i}].active", "you already follow a course")
        for session, logs in sessions:
            for log in logs:
                if log.session_id != session.id:
                    raise ValueError(f"record belongs to session {log.session_id}")
        owners = [s.person_id for s, _ in sessions] + [c.person_id for c in checkins]
        owners += [s.person_id for s in screens] + [p.person_id for p in progression]
        if any(owner != person_id for owner in owners):
            raise ValueError(f"a record does not belong to person {person_id}")
        self._require_person(person_id)
        self.writes += 1
        self._refuse_clashes(person_id, sessions, checkins, screens, progression)
        self.checkpoints.pop(person_id, None)
        for session, logs in sessions:  # new ids, as the store gives them
            new = session.model_copy(update={"id": _next_id(self.sessions)})
            self.sessions[new.id] = new
            for log in logs:
                update = {"id": _next_id(self.logs_by_id), "session_id": new.id}
                self.logs_by_id[update["id"]] = log.model_copy(update=update)
        for checkin in checkins:
            new_checkin = checkin.model_copy(update={"id": _next_id(self.checkins_by_id)})
            self.checkins_by_id[new_checkin.id] = new_checkin
        for screen in screens:
            new_screen = screen.model_copy(update={"id": _next_id(self.screens_by_id)})
            self.screens_by_id[new_screen.id] = new_screen
        self.steps.update(((person_id, s.exercise_id), s) for s in progression)
        for course in courses:
            new_course = course.model_copy(update={"id": _next_id(self.courses_by_id)})
            self.courses_by_id[new_course.id] = new_course

    def _refuse_clashes(
        self,
        person_id: int,
        sessions: Sequence[SessionWithLogs],
        checkins: Sequence[CheckIn],
        screens: Sequence[ScreenRecord],
        progression: Sequence[ProgressionStep],
    ) -> None:
        starts = {x.started_at for x in self.sessions.values() if x.person_id == person_id}
        for i, (session, _) in enumerate(sessions):
            if session.started_at in starts:
                raise ImportFileError(
                    f"sessions[{i}].started_at",
                    f"a session started at {session.started_at.isoformat()} already exists",
                )
        days = {c.day for c in self.checkins_by_id.values() if c.person_id == person_id}
        for i, checkin in enumerate(checkins):
            if checkin.day in days:
                raise ImportFileError(f"checkins[{i}].day", f"already checked in on {checkin.day}")
        times = {x.at for x in self.screens_by_id.values() if x.person_id == person_id}
        for i, screen in enumerate(screens):
            if screen.at in times:
                raise ImportFileError(
                    f"screens[{i}].at", f"a screen at {screen.at.isoformat()} already exists"
                )
        for i, step in enumerate(progression):
            if (person_id, step.exercise_id) in self.steps:
                raise ImportFileError(
                    f"progression[{i}].exercise_id",
                    f"{step.exercise_id!r} already has progression",
                )

    def _forget(self, person_id: int, day: date) -> bool:
        """Drop the person's checkpoint if it covers ``day`` (as ``storage.checkpoints``);
        whether one was dropped."""
        held = self.checkpoints.get(person_id)
        if held is not None and held.until >= day:
            del self.checkpoints[person_id]
            return True
        return False

    def _require_person(self, person_id: int) -> None:
        if person_id not in self.people:
            raise NotFound("person", person_id)


def _next_id(table: Mapping[int, object]) -> int:
    return max(table, default=0) + 1


def _chronological(logs: Iterable[ExerciseLog]) -> list[ExerciseLog]:
    return sorted(logs, key=lambda log: (log.logged_at, log.id))
