"""Use cases shared by the CLI and the web app: screen, plan, week, sessions, history (here),
courses (``services.courses``).

Each takes its collaborators (the catalogue, later a repository and a clock) as arguments and
returns domain values; the faces only parse, call and render.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from midback.caches import PersonCache, PlanCache
from midback.domain.answers import Answers
from midback.domain.planner import Plan, PlanRequest
from midback.domain.safety import ScreenResult, check_allowed, screen
from midback.domain.vocab import Place

# Progress lives in midback.replay; the faces find its use cases here with the others.
from midback.replay import SETTLED_AFTER as SETTLED_AFTER
from midback.replay import outcomes as outcomes
from midback.replay import progress as progress
from midback.replay import save_progress as save_progress
from midback.services.sessions import STALE_AFTER as STALE_AFTER

if TYPE_CHECKING:  # the rest loads where it is used, keeping `midback plan` quick to start
    from midback.domain.catalogue import Catalogue
    from midback.domain.history import History
    from midback.domain.player import BlockEnded
    from midback.domain.prescription import Prescription
    from midback.domain.records import CheckIn, ExerciseLog, SessionRecord
    from midback.domain.timeline import Timeline
    from midback.domain.week import WeekPlan
    from midback.storage.repository import Repository, SqlRepository

_plans = PlanCache()
_person_cache = PersonCache()


# -- sessions, history and progress ---------------------------------------------------------

LOCAL_PERSON = 1
"""The one implicit person of local mode."""
RECENT_SESSIONS = 3
"""How many recent sessions count against variety."""


@dataclass(frozen=True)
class StoredScreen:
    """The person's last stored screen and when they took it."""

    result: ScreenResult
    at: datetime


def apply_screen(request: PlanRequest, result: ScreenResult) -> PlanRequest:
    """``request`` within the limits ``result`` sets: its conditions (derived ones included),
    the weeks of pregnancy and a gentle session for irritable pain. Clearance lifts none."""
    update: dict[str, object] = {"conditions": request.conditions | set(result.conditions)}
    if result.pregnancy_weeks is not None and request.pregnancy_weeks is None:
        update["pregnancy_weeks"] = result.pregnancy_weeks
    if result.gentle:
        update["gentle"] = True
    return request.model_copy(update=update)


def session_request(request: PlanRequest, *, pain_before: int | None) -> PlanRequest:
    """``request`` for a session about to start, after asking the pain right now.

    Pain of 8/10 or more raises PainTooHigh (not a day to exercise on your own); 6 or 7 makes
    the session gentle (irritable pain: gentle movement and short, pain-free doses).
    """
    from midback.domain.safety import GENTLE_PAIN_FROM, SEVERE_PAIN_FROM
    from midback.errors import PainTooHigh

    if pain_before is None:
        return request
    if pain_before >= SEVERE_PAIN_FROM:
        raise PainTooHigh(pain_before, PAIN_TOO_HIGH.format(pain=pain_before))
    if pain_before >= GENTLE_PAIN_FROM:
        return request.model_copy(update={"gentle": True})
    return request


def pain_note(pain_before: int | None) -> str | None:
    """What to tell the person when their pain before a session made it gentle, else None."""
    from midback.domain.safety import GENTLE_NOTE, GENTLE_PAIN_FROM, SEVERE_PAIN_FROM

    if pain_before is None or not GENTLE_PAIN_FROM <= pain_before < SEVERE_PAIN_FROM:
        return None
    return GENTLE_NOTE.format(pain=pain_before)


PAIN_TOO_HIGH = (
    "Your pain is {pain}/10 right now: today is not a day to exercise on your own. Rest, move "
    "gently around the house, and use what usually eases it. If it stays this bad, keeps you "
    "awake, or new symptoms appear, see the guide's page 'When to see a doctor' and contact "
    "your doctor."
)


def screened_request(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    request: PlanRequest,
    *,
    answers: Answers | None,
    now: datetime,
    pain_before: int | None = None,
) -> PlanRequest:
    """The person's request, screened, limited and personalised: the one gate of every face.

    The screen is ``answers`` when given, else the person's last stored screen, which must be
    under 30 days old (else ScreenRequired). Raises ScreenBlocked when the screen does not
    allow self-guided exercise (``request.cleared`` lifts urgent and doctor, never emergency),
    and PainTooHigh for a pain before the session of 8 or more. The screen's limits join the
    request (``apply_screen``), then the pain before the session (``session_request``), then
    recent exercises and earned doses (``personalise``).
    """
    known_ = known(repo, cat, person_id)
    result = screen(answers) if answers is not None else _current(known_.screen, now)
    check_allowed(result, cleared=request.cleared)
    request = session_request(apply_screen(request, result), pain_before=pain_before)
    return known_.personalise(request)


def current_screen(repo: Repository, person_id: int, *, now: datetime) -> ScreenResult:
    """The person's stored screen; ScreenRequired when there is none or it is over 30 days old."""
    return _current(stored_screen(repo, person_id), now)


def _current(stored: StoredScreen | None, now: datetime) -> ScreenResult:
    """``stored``'s result; ScreenRequired when there is none or it is over 30 days old."""
    from midback.domain.safety import check_current

    check_current(stored.at if stored else None, now)
    assert stored is not None  # check_current raised otherwise
    return stored.result


def check_plan(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    plan: Plan,
    *,
    now: datetime,
    cleared: bool = False,
) -> None:
    """Check a plan made earlier (a file to print) against the person's current screen.

    Raises ScreenRequired or ScreenBlocked like ``screened_request``, and PlanError naming the
    first block that the screen's limits now rule out (a condition added since, say).
    """
    from midback.domain.planner import allows
    from midback.errors import PlanError

    result = current_screen(repo, person_id, now=now)
    check_allowed(result, cleared=cleared)
    limits = apply_screen(PlanRequest(minutes=1, place=Place.HOME, cleared=cleared), result)
    for number, block in enumerate(plan.blocks, 1):
        if not allows(cat.exercise(block.exercise_id), block.variant, limits):
            raise PlanError(
                f"exercise {number} ({block.name}) is ruled out by your safety screen; "
                "make a new plan with `midback plan`"
            )


def make_plan_for(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    request: PlanRequest,
    *,
    now: datetime,
    answers: Answers | None = None,
    program_id: str | None = None,
    pain_before: int | None = None,
) -> Plan:
    """A stored person's plan: screened (``screened_request``), then planned or a program.

    An unknown program is named (UnknownIdError) before the screen is looked at.
    """
    if program_id is not None:
        cat.program(program_id)
    request = screened_request(
        repo, cat, person_id, request, answers=answers, now=now, pain_before=pain_before
    )
    return _plans.get(cat, request, program_id)


def make_week_for(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    request: PlanRequest,
    *,
    days: int,
    start: date,
    now: datetime,
    answers: Answers | None = None,
) -> WeekPlan:
    """A stored person's week: screened and personalised like a plan (``screened_request``)."""
    from midback.domain.week import WeekRequest, week

    base = screened_request(repo, cat, person_id, request, answers=answers, now=now)
    course = _course_plan(repo, cat, person_id, base, now=now)
    return week(cat, WeekRequest(base=base, days=days, start=start), course=course)


def _course_plan(
    repo: Repository, cat: Catalogue, person_id: int, limits: PlanRequest, *, now: datetime
) -> Plan | None:
    """Today's session of the person's active course (not stored: a week is a read)."""
    from midback.domain import course as courses
    from midback.domain.course import Course
    from midback.domain.history import local_day

    record = repo.active_course(person_id)
    if record is None:
        return None
    course = Course.model_validate(record.state)
    return courses.session(cat, course, limits, today=local_day(now))


def open_store(database_url: str) -> SqlRepository:
    """The store at ``database_url``, upgraded to the latest schema, with the local person."""
    from midback.storage.engine import make_engine, upgrade
    from midback.storage.repository import SqlRepository

    engine = make_engine(database_url)
    upgrade(engine)
    repo = SqlRepository(engine)
    repo.ensure_local_person()
    return repo


def personalise(
    repo: Repository, cat: Catalogue, person_id: int, request: PlanRequest
) -> PlanRequest:
    """``request`` with the person's recent exercises (variety) and earned doses (progression)."""
    return known(repo, cat, person_id).personalise(request)


@dataclass(frozen=True)
class Known:
    """What planning reads of a person's records: last screen, recent exercises, earned doses."""

    screen: StoredScreen | None
    recent: frozenset[str]
    earned: dict[str, Prescription]

    @classmethod
    def read(cls, repo: Repository, cat: Catalogue, person_id: int) -> Known:
        """Read it from the store (progress replays the history since its checkpoint)."""
        from midback.domain.progression import Change

        return cls(
            screen=stored_screen(repo, person_id),
            recent=frozenset(repo.recent_exercise_ids(person_id, RECENT_SESSIONS)),
            earned={
                s.exercise_id: s.dose
                for s in progress(repo, cat, person_id)
                if s.change is not Change.START
            },
        )

    def personalise(self, request: PlanRequest) -> PlanRequest:
        """``request`` with the recent exercises and earned doses."""
        return request.model_copy(update={"recent": request.recent | self.recent,
                                          "doses": self.earned})  # fmt: skip


def known(repo: Repository, cat: Catalogue, person_id: int) -> Known:
    """What planning reads of the person, kept while nothing of theirs changes."""
    return _person_cache.get(
        repo, person_id, "known", lambda: Known.read(repo, cat, person_id), same=cat
    )


def latest_screen(repo: Repository, person_id: int) -> ScreenResult | None:
    """The person's last stored screen result, if any."""
    stored = stored_screen(repo, person_id)
    return stored.result if stored else None


def stored_screen(repo: Repository, person_id: int) -> StoredScreen | None:
    """The person's last stored screen and when it was taken, if any."""
    record = repo.latest_screen(person_id)
    if record is None:
        return None
    return StoredScreen(ScreenResult.model_validate(record.result), record.at)


def save_screen(
    repo: Repository, person_id: int, answers: Answers, result: ScreenResult, at: datetime
) -> None:
    """Keep a screen so later sessions know the verdict and conditions."""
    repo.save_screen(
        person_id, answers.model_dump(mode="json"), result.verdict.value, result.to_json(), at
    )


def take_screen(
    repo: Repository, person_id: int, answers: Answers, *, at: datetime
) -> ScreenResult:
    """Screen ``answers`` and store the result: the gate of every later plan for 30 days."""
    result = screen(answers)
    save_screen(repo, person_id, answers, result, at)
    return result


class LiveSession:
    """A session being played in the terminal: each finished exercise is stored at once, then
    the session is finished (``services.sessions`` does the storing, for both faces)."""

    def __init__(
        self,
        repo: Repository,
        cat: Catalogue,
        person_id: int,
        record: SessionRecord,
        timeline: Timeline,
    ) -> None:
        self.repo = repo
        self.cat = cat
        self.person_id = person_id
        self.record = record
        self.timeline = timeline
        self._attempts: dict[int, int] = {}
        self.logs: list[ExerciseLog] = []

    @classmethod
    def begin(
        cls,
        repo: Repository,
        cat: Catalogue,
        person_id: int,
        plan: Plan,
        timeline: Timeline,
        *,
        pain_before: int | None,
        at: datetime,
    ) -> LiveSession:
        """Start a session (the person's other running sessions become ``interrupted``)."""
        from midback.services import sessions

        record = sessions.begin(repo, person_id, plan, pain_before=pain_before, at=at,
                                stale_after=None)  # fmt: skip
        return cls(repo, cat, person_id, record, timeline)

    def record_block(
        self, ended: BlockEnded, *, at: datetime, pain: int | None = None
    ) -> ExerciseLog:
        """Store how one exercise ended (committed at once; a retry is stored once)."""
        from midback.domain.records import LogStatus
        from midback.services import sessions

        attempt = self._attempts.get(ended.block, 0) + 1
        self._attempts[ended.block] = attempt
        log = sessions.log(
            self.repo,
            self.person_id,
            self.record.id,
            position=ended.block,
            status=LogStatus(ended.status.value),
            actual=ended.actual,
            pain=pain,
            at=at,
            idempotency_key=sessions.log_key(self.record.id, ended.block, attempt),
        )
        self.logs.append(log)
        return log

    def finish(
        self,
        *,
        quit: bool,
        at: datetime,
        pain_after: int | None,
        effort: int | None,
        note: str | None,
    ) -> SessionRecord:
        """End the session as completed or quit, with pain, effort and a note; the progression
        table follows."""
        from midback.domain.records import SessionStatus
        from midback.services import sessions

        self.record = sessions.finish(
            self.repo,
            self.cat,
            self.person_id,
            self.record.id,
            status=SessionStatus.QUIT if quit else SessionStatus.COMPLETED,
            pain_after=pain_after,
            effort=effort,
            note=note,
            at=at,
        )
        return self.record


def checkin(
    repo: Repository,
    person_id: int,
    *,
    pain: int,
    stiffness: int | None,
    at: datetime,
    idempotency_key: str | None = None,
) -> CheckIn:
    """Record this morning's pain (and stiffness); a second check-in today replaces the first,
    and a retry with the same ``idempotency_key`` changes nothing."""
    from midback.domain.history import local_day

    return repo.add_checkin(
        person_id, local_day(at), pain, stiffness, at, idempotency_key=idempotency_key
    )


def person_history(
    repo: Repository, person_id: int, *, today: date, weekly_target: int | None = None
) -> History:
    """Weekly pain, the meaningful-improvement mark, adherence and streak (a read: the summary
    is kept until the person's next write)."""
    what = ("history", today, weekly_target)
    return _person_cache.get(
        repo, person_id, what, lambda: read_history(repo, person_id, today, weekly_target)
    )


def read_history(
    repo: Repository, person_id: int, today: date, weekly_target: int | None = None
) -> History:
    """``person_history`` read from the store every time (no cache, no marking)."""
    from midback.domain.history import (
        DEFAULT_WEEKLY_TARGET,
        PainReading,
        SessionDay,
        history,
        local_day,
    )
    from midback.domain.records import SessionStatus

    sessions = repo.list_sessions(person_id, plans=False)
    readings = [PainReading(c.day, c.morning_pain, True) for c in repo.checkins(person_id)]
    readings += [
        PainReading(local_day(s.started_at), s.pain_before, False)
        for s in sessions
        if s.pain_before is not None
    ]
    days = [
        SessionDay(local_day(s.started_at), s.status is SessionStatus.COMPLETED) for s in sessions
    ]
    target = weekly_target or DEFAULT_WEEKLY_TARGET
    return history(readings, days, today=today, weekly_target=target)
