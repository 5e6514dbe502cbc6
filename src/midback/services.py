"""Use cases shared by the CLI and the web app: screen, plan, week.

Each takes its collaborators (the catalogue, later a repository and a clock) as arguments and
returns domain values; the faces only parse, call and render.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from threading import Lock
from typing import TYPE_CHECKING, TypeVar, cast

from midback.domain.planner import Plan, PlanRequest, plan, plan_program
from midback.domain.safety import Answers, ScreenResult, check_allowed, screen
from midback.domain.vocab import Condition

if TYPE_CHECKING:  # the rest loads where it is used, keeping `midback plan` quick to start
    from midback.domain.catalogue import Catalogue, Exercise
    from midback.domain.history import History
    from midback.domain.player import BlockEnded
    from midback.domain.prescription import Prescription
    from midback.domain.progression import Outcome, Replay, Standing
    from midback.domain.records import CheckIn, ExerciseLog, ProgressCheckpoint, SessionRecord
    from midback.domain.timeline import Timeline
    from midback.domain.week import WeekPlan, WeekRequest
    from midback.storage.repository import Repository, SqlRepository

T = TypeVar("T")

STALE_AFTER = timedelta(hours=6)
"""A ``running`` session with no activity for this long shows as ``interrupted``."""


@dataclass(frozen=True)
class Screened:
    """A screen result (None when the person gave no answers) and the conditions to plan for."""

    result: ScreenResult | None
    conditions: frozenset[Condition]


def screen_person(
    answers: Answers | None, *, extra_conditions: Iterable[Condition] = (), cleared: bool = False
) -> Screened:
    """Screen ``answers`` and refuse (ScreenBlocked) when self-guided exercise is not allowed.

    The conditions to plan for are the answers' conditions plus ``extra_conditions``.
    """
    conditions = set(extra_conditions)
    result = None
    if answers is not None:
        result = screen(answers)
        check_allowed(result, cleared=cleared)
        conditions |= set(result.conditions)
    return Screened(result=result, conditions=frozenset(conditions))


def make_plan(
    cat: Catalogue,
    request: PlanRequest,
    *,
    answers: Answers | None = None,
    program_id: str | None = None,
) -> Plan:
    """Screen, then plan: the best routine for ``request``, or ``program_id`` adapted to the person.

    Raises ScreenBlocked, UnknownIdError or PlanError.
    """
    screened = screen_person(answers, extra_conditions=request.conditions, cleared=request.cleared)
    request = request.model_copy(update={"conditions": screened.conditions})
    if program_id is not None:
        return plan_program(cat, cat.program(program_id), request)
    return plan(cat, request)


def make_week(cat: Catalogue, request: WeekRequest, *, answers: Answers | None = None) -> WeekPlan:
    """Screen, then plan a week (see ``domain.week``)."""
    from midback.domain.week import week

    base = request.base
    screened = screen_person(answers, extra_conditions=base.conditions, cleared=base.cleared)
    base = base.model_copy(update={"conditions": screened.conditions})
    return week(cat, request.model_copy(update={"base": base}))


# -- sessions, history and progress ---------------------------------------------------------

LOCAL_PERSON = 1
"""The one implicit person of local mode."""
RECENT_SESSIONS = 3
"""How many recent sessions count against variety."""


def screened_request(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    request: PlanRequest,
    *,
    answers: Answers | None,
) -> PlanRequest:
    """The person's request, screened and personalised.

    The screen is ``answers`` when given, else the person's last stored screen (if any);
    raises ScreenBlocked when it does not allow self-guided exercise. The screen's conditions
    join the request's; recent exercises and earned doses are added (``personalise``).
    """
    known_ = known(repo, cat, person_id)
    result = screen(answers) if answers is not None else known_.screen
    if result is not None:
        check_allowed(result, cleared=request.cleared)
        request = request.model_copy(
            update={"conditions": request.conditions | set(result.conditions)}
        )
    return known_.personalise(request)


class PlanCache:
    """Plans already made, by catalogue and request: planning is a pure function of the two
    (the person's history is already in the request), and a person asks for the same plan
    again and again (page, timeline, session start). Thread-safe; keeps the newest ``size``.
    A failure (PlanError, unknown program) is not kept: it is raised again each time.
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._plans: OrderedDict[tuple[int, str, str | None], tuple[Catalogue, Plan]] = (
            OrderedDict()
        )
        self._lock = Lock()

    def get(self, cat: Catalogue, request: PlanRequest, program_id: str | None) -> Plan:
        """The plan for ``request`` (the program's, adapted, when ``program_id`` is given)."""
        key = (id(cat), request.model_dump_json(), program_id)
        with self._lock:
            held = self._plans.get(key)
            if held is not None and held[0] is cat:  # not a catalogue since collected
                self._plans.move_to_end(key)
                return held[1]
        made = (
            plan(cat, request)
            if program_id is None
            else plan_program(cat, cat.program(program_id), request)
        )
        with self._lock:
            self._plans[key] = (cat, made)
            while len(self._plans) > self.size:
                self._plans.popitem(last=False)
        return made


_plans = PlanCache()


def make_plan_for(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    request: PlanRequest,
    *,
    answers: Answers | None = None,
    program_id: str | None = None,
) -> Plan:
    """A stored person's plan: screened (``screened_request``), then planned or a program."""
    request = screened_request(repo, cat, person_id, request, answers=answers)
    return _plans.get(cat, request, program_id)


def make_week_for(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    request: PlanRequest,
    *,
    days: int,
    start: date,
    answers: Answers | None = None,
) -> WeekPlan:
    """A stored person's week: screened and personalised like a plan (``screened_request``)."""
    from midback.domain.week import WeekRequest, week

    base = screened_request(repo, cat, person_id, request, answers=answers)
    return week(cat, WeekRequest(base=base, days=days, start=start))


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

    screen: ScreenResult | None
    recent: frozenset[str]
    earned: dict[str, Prescription]

    @classmethod
    def read(cls, repo: Repository, cat: Catalogue, person_id: int) -> Known:
        """Read it from the store (progress replays the history since its checkpoint)."""
        from midback.domain.progression import Change

        return cls(
            screen=latest_screen(repo, person_id),
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


class PersonCache:
    """Values derived from a person's records, kept while the person's revision (raised in the
    store by every write of their records, by any process) and the day stay the same: a plan
    or a history page then reads one row instead of the history. Thread-safe; keeps the
    newest ``size`` values."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._held: OrderedDict[Hashable, tuple[object, object, str, date, object]] = OrderedDict()
        self._lock = Lock()

    def get(
        self,
        repo: Repository,
        person_id: int,
        what: Hashable,
        compute: Callable[[], T],
        *,
        same: object = None,
    ) -> T:
        """``what`` of the person: ``compute()`` unless kept since their last write today.

        ``same``: an object the value also depends on, compared by identity (a catalogue).
        """
        from midback.domain.history import local_day

        revision = repo.revision(person_id)
        today = local_day(datetime.now(UTC))
        key = (id(repo), person_id, what)
        with self._lock:
            held = self._held.get(key)
            if (
                held is not None
                and held[0] is repo
                and held[1] is same
                and held[2:4] == (revision, today)
            ):
                self._held.move_to_end(key)
                return cast(T, held[4])
        value = compute()
        if revision is not None:
            with self._lock:
                self._held[key] = (repo, same, revision, today, value)
                while len(self._held) > self.size:
                    self._held.popitem(last=False)
        return value


_person_cache = PersonCache()


def known(repo: Repository, cat: Catalogue, person_id: int) -> Known:
    """What planning reads of the person, kept while nothing of theirs changes."""
    return _person_cache.get(
        repo, person_id, "known", lambda: Known.read(repo, cat, person_id), same=cat
    )


def latest_screen(repo: Repository, person_id: int) -> ScreenResult | None:
    """The person's last stored screen result, if any."""
    record = repo.latest_screen(person_id)
    return ScreenResult.model_validate(record.result) if record else None


def save_screen(
    repo: Repository, person_id: int, answers: Answers, result: ScreenResult, at: datetime
) -> None:
    """Keep a screen so later sessions know the verdict and conditions."""
    repo.save_screen(
        person_id, answers.model_dump(mode="json"), result.verdict.value, result.to_json(), at
    )


class LiveSession:
    """A session being played: logs each finished exercise at once, then finishes the session."""

    def __init__(
        self, repo: Repository, person_id: int, record: SessionRecord, timeline: Timeline
    ) -> None:
        self.repo = repo
        self.person_id = person_id
        self.record = record
        self.timeline = timeline
        self._attempts: dict[int, int] = {}
        self.logs: list[ExerciseLog] = []

    @classmethod
    def begin(
        cls,
        repo: Repository,
        person_id: int,
        plan: Plan,
        timeline: Timeline,
        *,
        pain_before: int | None,
        at: datetime,
    ) -> LiveSession:
        """Start a session (older ``running`` sessions become ``interrupted`` first)."""

        repo.mark_interrupted(person_id)
        record = repo.start_session(
            person_id,
            plan=plan.to_json(),
            program_id=plan.program_id,
            started_at=at,
            pain_before=pain_before,
        )
        return cls(repo, person_id, record, timeline)

    def record_block(
        self, ended: BlockEnded, *, at: datetime, pain: int | None = None
    ) -> ExerciseLog:
        """Store how one exercise ended (committed at once; a retry is stored once)."""
        from midback.domain.records import LogStatus, NewLog

        attempt = self._attempts.get(ended.block, 0) + 1
        self._attempts[ended.block] = attempt
        block = self.timeline.blocks[ended.block]
        log = self.repo.log_exercise(
            self.person_id,
            self.record.id,
            NewLog(
                position=ended.block,
                exercise_id=block.exercise_id,
                variant=block.variant,
                target=ended.target,
                actual=ended.actual,
                status=LogStatus(ended.status.value),
                pain=pain,
                logged_at=at,
                idempotency_key=f"{self.record.id}:{ended.block}:{attempt}",
            ),
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
        """End the session as completed or quit, with pain, effort and a note."""
        from midback.domain.records import SessionStatus

        self.record = self.repo.finish_session(
            self.person_id,
            self.record.id,
            status=SessionStatus.QUIT if quit else SessionStatus.COMPLETED,
            ended_at=at,
            pain_after=pain_after,
            effort=effort,
            note=note,
        )
        return self.record


def checkin(
    repo: Repository, person_id: int, *, pain: int, stiffness: int | None, at: datetime
) -> CheckIn:
    """Record this morning's pain (and stiffness); a second check-in today replaces the first."""
    from midback.domain.history import local_day

    return repo.add_checkin(person_id, local_day(at), pain, stiffness, at)


def outcomes(
    sessions: list[SessionRecord], logs: list[ExerciseLog], checkins: list[CheckIn]
) -> dict[str, list[Outcome]]:
    """Each exercise's outcomes in session order, with the check-ins around each session: the
    last one before it started, and the one of the next morning.

    Logs whose session is not in ``sessions`` are left out.
    """
    from midback.domain.history import local_day
    from midback.domain.progression import Outcome
    from midback.domain.records import LogStatus

    by_id = {s.id: s for s in sessions}
    days = sorted(checkins, key=lambda c: (c.day, c.at))
    day_keys = [c.day for c in days]
    morning = {c.day: c.morning_pain for c in days}
    around: dict[int, tuple[date, int | None, int | None]] = {}
    found: dict[str, list[Outcome]] = {}
    mine = [(by_id[log.session_id], log) for log in logs if log.session_id in by_id]
    mine.sort(key=lambda pair: (pair[0].started_at, pair[0].id, pair[1].logged_at, pair[1].id))
    for session, log in mine:
        if session.id not in around:
            # Check-ins up to the session's day are days[:cut]; the last one begun before it wins.
            day = local_day(session.started_at)
            earlier = bisect_right(day_keys, day) - 1
            while earlier >= 0 and days[earlier].at > session.started_at:
                earlier -= 1
            around[session.id] = (
                day,
                days[earlier].morning_pain if earlier >= 0 else None,
                morning.get(day + timedelta(days=1)),
            )
        day, morning_before, morning_after = around[session.id]
        completed = log.status is LogStatus.COMPLETED
        found.setdefault(log.exercise_id, []).append(
            Outcome(
                at=log.logged_at,
                completed=completed,
                at_target=completed and log.actual == log.target,
                stopped_for_pain=log.status is LogStatus.STOPPED_FOR_PAIN,
                pain=log.pain if log.pain is not None else session.pain_after,
                morning_before=morning_before,
                morning_after=morning_after,
                day=day,
            )
        )
    return found


SETTLED_AFTER = timedelta(days=2)
"""A session's outcomes are final once its next morning has passed: its day is at least this
far behind today (a check-in is only ever for today)."""


def progress(
    repo: Repository, cat: Catalogue, person_id: int, *, now: datetime | None = None
) -> list[Standing]:
    """Every exercise the person has done, with its step and the reason for it.

    The replay of settled days is kept as a checkpoint (``repo.progress_checkpoint``): each
    call replays only the sessions after it, and moves it on at most once a day. The
    repository drops the checkpoint when a write reaches back into the days it covers (a late
    log, an old session finished, a check-in, an import), so the answer is always that of a
    replay of the whole history.
    """
    from midback.domain.history import local_day
    from midback.domain.progression import standing

    now = now or datetime.now(UTC)
    settled = local_day(now) - SETTLED_AFTER
    saved = repo.progress_checkpoint(person_id)
    starts = _checkpoint_starts(saved, cat, settled)
    since = saved.until if saved is not None and starts is not None else None
    found = outcomes(*_history_after(repo, person_id, since))
    states = dict(starts or {})
    result = []
    for exercise_id, items in sorted(found.items()):
        exercise = cat.exercises.get(exercise_id)
        if exercise is None:
            continue
        start = states.get(exercise_id)
        done = [o for o in items if o.day is not None and o.day <= settled]
        if done:
            start = states[exercise_id] = _replay(exercise, done, start)
        result.append(standing(exercise, items[len(done) :], start))
    if since is None or since < settled:
        _save_checkpoint(repo, person_id, settled, states, now)
    held = {s.exercise_id for s in result}
    for exercise_id in sorted(set(states) - held):
        exercise = cat.exercises.get(exercise_id)
        if exercise is not None:
            result.append(standing(exercise, [], states[exercise_id]))
    return sorted(result, key=lambda s: s.exercise_id)


def _replay(exercise: Exercise, items: list[Outcome], start: Replay | None) -> Replay:
    from midback.domain.progression import replay

    return replay(exercise, items, start)


def _checkpoint_starts(
    saved: ProgressCheckpoint | None, cat: Catalogue, settled: date
) -> dict[str, Replay] | None:
    """The saved replay per exercise, or None when there is none or it cannot be used (another
    rule version, a changed ladder, a day not settled yet, malformed)."""
    from midback.domain.progression import REPLAY_VERSION, Replay, exercise_ladder_key

    if saved is None or saved.version != REPLAY_VERSION or saved.until > settled:
        return None
    starts = {}
    for exercise_id, data in saved.states.items():
        exercise = cat.exercises.get(exercise_id)
        if exercise is None:
            continue
        try:
            state = Replay.from_json(data if isinstance(data, dict) else {})
        except (KeyError, TypeError, ValueError):
            return None
        if state.ladder != exercise_ladder_key(exercise):
            return None
        starts[exercise_id] = state
    return starts


def _history_after(
    repo: Repository, person_id: int, day: date | None
) -> tuple[list[SessionRecord], list[ExerciseLog], list[CheckIn]]:
    """Sessions of local days after ``day`` (all when None), their logs and the check-ins
    that bear on them (from the last one on or before ``day``)."""
    if day is None:
        sessions = repo.list_sessions(person_id, plans=False)
        logs = repo.logs_for_person(person_id)
        return sessions, logs, repo.checkins(person_id)
    from_ = datetime.combine(day + timedelta(days=1), time()).astimezone(UTC)
    checkins = repo.checkins(person_id, since=day + timedelta(days=1))
    before = repo.last_checkin(person_id, on_or_before=day)
    return (
        repo.list_sessions(person_id, since=from_, plans=False),
        repo.logs_for_person(person_id, since=from_),
        [before, *checkins] if before is not None else checkins,
    )


def _save_checkpoint(
    repo: Repository, person_id: int, until: date, states: dict[str, Replay], now: datetime
) -> None:
    from midback.domain.progression import REPLAY_VERSION
    from midback.domain.records import ProgressCheckpoint

    repo.save_progress_checkpoint(
        ProgressCheckpoint(
            person_id=person_id,
            until=until,
            version=REPLAY_VERSION,
            states={exercise_id: state.to_json() for exercise_id, state in states.items()},
            saved_at=now,
        )
    )


def save_progress(
    repo: Repository, person_id: int, standings: list[Standing], at: datetime
) -> None:
    """Store each exercise's step (the progression table) where it changed."""
    from midback.domain.records import ProgressionStep

    held = repo.progression(person_id)
    for s in standings:
        old = held.get(s.exercise_id)
        if old is None or old.step != s.step or old.reason != s.reason:
            repo.set_progression(
                person_id,
                ProgressionStep(
                    person_id=person_id,
                    exercise_id=s.exercise_id,
                    step=s.step,
                    reason=s.reason,
                    updated_at=at,
                ),
            )


def person_history(
    repo: Repository, person_id: int, *, today: date, weekly_target: int | None = None
) -> History:
    """Weekly pain, the meaningful-improvement mark, adherence and streak (stale running
    sessions marked interrupted first; the summary is kept until the person's next write)."""
    repo.mark_interrupted(person_id, idle_before=datetime.now(UTC) - STALE_AFTER)
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
