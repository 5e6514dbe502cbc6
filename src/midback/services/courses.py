"""Course use cases: start, show, today's session, swap, stop (``domain.course`` explains them).

Reads never write: ``course_view`` shows the course as it stands today (a swap due after two
hurts, a phase that ended, the weekly review) without storing it; ``course_session`` (the start
of a session, a write) stores the course brought up to date, then plans today's session. Every
use case passes the safety gate (``services.planning.screened_request``) first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from midback.domain import course as courses
from midback.domain.course import Course, Review
from midback.domain.history import PainReading, daily_pain, local_day
from midback.domain.plans import Plan, PlanRequest
from midback.domain.records import CourseRecord, LogStatus, SessionStatus
from midback.errors import NotFound, PlanError
from midback.services.clock import today_for, zone_for
from midback.services.planning import screened_request
from midback.services.progress import progress

if TYPE_CHECKING:
    from midback.domain.answers import Answers
    from midback.domain.catalogue import Catalogue
    from midback.domain.progression import Standing
    from midback.storage.repository import Repository


class NoCourse(NotFound):
    """The person follows no course (start one with ``midback course start``): 404 on the web,
    exit 2 in the terminal."""

    def __init__(self) -> None:
        super().__init__("course", "active")
        self.args = ("no course: start one with `midback course start` (or on /course)",)

    def __str__(self) -> str:
        return "no course: start one with `midback course start` (or on /course)"


@dataclass(frozen=True)
class CourseView:
    """A course as it stands today: where it is, today's session, the core's doses, the review."""

    id: int
    course: Course
    today: date
    session: Plan | None
    """Today's session, or None when the safety gate or the limits leave nothing to play."""
    blocked: str | None
    """Why there is no session today, in words."""
    steps: dict[str, Standing]
    """Each core exercise's standing on its dose ladder (when it has one yet)."""
    review: Review | None

    def to_json(self) -> dict[str, Any]:
        """The view as JSON (``midback course --json`` and ``GET /api/v1/course`` alike)."""
        return {
            "id": self.id,
            "course": self.course.to_json(),
            "today": self.today.isoformat(),
            "session": self.session.to_json() if self.session else None,
            "blocked": self.blocked,
            "steps": {k: v.model_dump(mode="json") for k, v in self.steps.items()},
            "review": self.review.model_dump(mode="json") if self.review else None,
        }


def start_course(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    request: PlanRequest,
    *,
    now: datetime,
    weeks: int = courses.DEFAULT_WEEKS,
    program_id: str | None = None,
    answers: Answers | None = None,
) -> Course:
    """Start a course (ending the active one): screened, then the settle phase's core or the
    program's exercises. Raises ScreenBlocked, PlanError, UnknownIdError, and ProgrammeRefused
    while the person follows a clinician's programme (one programme or course at a time)."""
    _refuse_over_a_programme(repo, person_id)
    limits = screened_request(repo, cat, person_id, request, answers=answers, now=now)
    course = courses.start(
        cat, limits, today=today_for(repo, person_id, now), weeks=weeks, program_id=program_id
    )
    course = course.model_copy(update={"request": _base(request)})
    repo.start_course(person_id, course.to_json(), at=now)
    return course


def _refuse_over_a_programme(repo: Repository, person_id: int) -> None:
    from midback.services.workspace import ProgrammeRefused, workspace_for

    if getattr(repo, "engine", None) is None:  # a store without the workspace (the tests' fake)
        return
    if workspace_for(repo).active_programme(person_id) is not None:
        raise ProgrammeRefused(
            "a programme from your clinician is active: one programme or course at a time, "
            "so ask your clinician to end it before starting a course"
        )


def active(repo: Repository, person_id: int) -> tuple[CourseRecord, Course] | None:
    """The person's active course, if any."""
    record = repo.active_course(person_id)
    if record is None:
        return None
    return record, Course.model_validate(record.state)


def course_view(repo: Repository, cat: Catalogue, person_id: int, *, now: datetime) -> CourseView:
    """The course as it stands today (nothing is stored). Raises NoCourse."""
    from midback.errors import ScreenBlocked

    found = active(repo, person_id)
    if found is None:
        raise NoCourse()
    record, course = found
    today = today_for(repo, person_id, now)
    session: Plan | None = None
    blocked: str | None = None
    review: Review | None = None
    try:
        course, review, limits = _brought_up_to_date(repo, cat, person_id, course, now=now)
        session = courses.session(cat, course, limits, today=today)
    except ScreenBlocked as refused:
        blocked = "; ".join(message for _, message in refused.reasons)
    except PlanError as error:
        blocked = str(error)
    core = {c.exercise_id for c in course.core}
    steps = {s.exercise_id: s for s in progress(repo, cat, person_id, now=now)
             if s.exercise_id in core}  # fmt: skip
    return CourseView(record.id, course, today, session, blocked, steps, review)


def course_session(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    *,
    now: datetime,
    pain_before: int | None = None,
    cleared: bool = False,
) -> Plan:
    """Today's course session, for a session about to start: the course brought up to date is
    stored first. Raises NoCourse, ScreenRequired, ScreenBlocked, PainTooHigh, PlanError."""
    found = active(repo, person_id)
    if found is None:
        raise NoCourse()
    record, course = found
    updated, _, limits = _brought_up_to_date(repo, cat, person_id, course, now=now,
                                             cleared=cleared, pain_before=pain_before)  # fmt: skip
    if updated != course:
        repo.save_course(person_id, record.id, updated.to_json(), active=True, at=now)
    return courses.session(cat, updated, limits, today=today_for(repo, person_id, now))


def swap(
    repo: Repository, cat: Catalogue, person_id: int, exercise_id: str, *, now: datetime
) -> Course:
    """Swap one core exercise for another moving the same way (stored)."""
    found = active(repo, person_id)
    if found is None:
        raise NoCourse()
    record, course = found
    limits = screened_request(repo, cat, person_id, course.request, answers=None, now=now)
    swapped = courses.swap(cat, course, exercise_id, limits, today=today_for(repo, person_id, now))
    repo.save_course(person_id, record.id, swapped.to_json(), active=True, at=now)
    return swapped


def stop(repo: Repository, person_id: int, *, now: datetime) -> Course:
    """End the active course (its record stays)."""
    found = active(repo, person_id)
    if found is None:
        raise NoCourse()
    record, course = found
    stopped = courses.stop(course, today=today_for(repo, person_id, now))
    repo.save_course(person_id, record.id, stopped.to_json(), active=False, at=now)
    return stopped


@dataclass(frozen=True)
class DosePoint:
    """One session's dose of a core exercise: its day, the dose in words, and its seconds of
    work (sets, reps or holds, both sides: what the chart draws)."""

    day: date
    dose: str
    work_s: int


def core_doses(
    repo: Repository, cat: Catalogue, person_id: int, *, last: int = 30
) -> dict[str, list[DosePoint]]:
    """Each exercise of the active course's core with its doses over the last ``last`` sessions
    that did it (empty when there is no course). A read: nothing is stored."""
    found = active(repo, person_id)
    if found is None:
        return {}
    _, course = found
    core = [c.exercise_id for c in course.core]
    zone = zone_for(repo, person_id)
    doses: dict[str, list[DosePoint]] = {exercise_id: [] for exercise_id in core}
    for log in repo.logs_for_person(person_id):
        if log.exercise_id not in doses or log.status is not LogStatus.COMPLETED:
            continue
        dose = log.actual or log.target
        doses[log.exercise_id].append(
            DosePoint(local_day(log.logged_at, zone), dose.describe(), dose.active_s)
        )
    return {exercise_id: points[-last:] for exercise_id, points in doses.items()}


def _brought_up_to_date(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    course: Course,
    *,
    now: datetime,
    cleared: bool = False,
    pain_before: int | None = None,
) -> tuple[Course, Review | None, PlanRequest]:
    """The course maintained to today with the person's current limits and history."""
    base = course.request.model_copy(update={"cleared": cleared or course.request.cleared})
    limits = screened_request(repo, cat, person_id, base, answers=None, now=now,
                              pain_before=pain_before)  # fmt: skip
    zone = zone_for(repo, person_id)
    today = now.astimezone(zone).date()
    started = datetime.combine(course.started_on, datetime.min.time(), tzinfo=zone or now.tzinfo)
    logs = repo.logs_for_person(person_id, since=started)
    stopped = [(local_day(log.logged_at, zone), log.exercise_id) for log in logs
               if log.status is LogStatus.STOPPED_FOR_PAIN]  # fmt: skip
    review = None
    if course.review_due(today):
        sessions = repo.list_sessions(person_id, plans=False)
        readings = [PainReading(c.day, c.morning_pain, True) for c in repo.checkins(person_id)]
        readings += [PainReading(local_day(s.started_at, zone), s.pain_before, False)
                     for s in sessions if s.pain_before is not None]  # fmt: skip
        done = [local_day(s.started_at, zone) for s in sessions
                if s.status is SessionStatus.COMPLETED]  # fmt: skip
        review = courses.review(course, today=today, pain_by_day=daily_pain(readings),
                                session_days=done)  # fmt: skip
    updated = courses.maintain(cat, course, limits, today=today, stopped=stopped, review=review)
    return updated, review, limits


def _base(request: PlanRequest) -> PlanRequest:
    """What a course keeps of the request: minutes, place, kit, level, seed and clearance; the
    limits come from the screen at each session."""
    return request.model_copy(update={"doses": {}, "recent": frozenset(), "gentle": False})
