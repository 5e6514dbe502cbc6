"""Planning use cases: the one gate of every face (``screened_request``), a person's plan and
week, and what planning reads of the person (``PersonFacts``: last screen, recent exercises,
earned doses), kept in the store's caches while nothing of theirs changes.
"""

from __future__ import annotations

import secrets
import weakref
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from midback.domain.answers import Answers
from midback.domain.plans import Plan, PlanRequest
from midback.domain.safety import ScreenResult, screen
from midback.domain.vocab import Place
from midback.errors import PlanError
from midback.services.clock import today_for, zone_named
from midback.services.progress import ReplayBase, replay_base, replay_checkins, standings
from midback.services.screening import (
    StoredScreen,
    _current,
    apply_screen,
    session_request,
    stored_screen,
)

if TYPE_CHECKING:
    from midback.caches import LruCache
    from midback.domain.catalogue import Catalogue
    from midback.domain.prescription import Prescription
    from midback.domain.week import WeekPlan
    from midback.storage.repository import Repository


class StalePlan(PlanError):
    """A plan token that is changed, another person's, or too old to start as shown."""


MADE_KEPT = 8
"""Plans a person's facts remember by what was asked (``PersonFacts.made``)."""

RECENT_SESSIONS = 3
"""How many recent sessions count against variety."""


def screened_request(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    request: PlanRequest,
    *,
    answers: Answers | None,
    now: datetime,
    pain_before: int | None = None,
    facts: PersonFacts | None = None,
) -> PlanRequest:
    """The person's request, screened, limited and personalised: the one gate of every face.

    The screen is ``answers`` when given, else the person's last stored screen, which must be
    under 30 days old (else ScreenRequired). Raises ScreenBlocked when the screen does not
    allow self-guided exercise (a clinician's clearance lifts urgent and doctor, never emergency;
    ``request.cleared``, the person's own tick, only where no clinician is linked),
    and PainTooHigh for a pain before the session of 8 or more. The screen's limits join the
    request (``apply_screen``), then the pain before the session (``session_request``), then
    recent exercises and earned doses (``personalise``). ``facts``: ``person_facts`` of the
    person, when the caller has just read them.
    """
    if facts is None:
        facts = person_facts(repo, cat, person_id, now=now)
    result = screen(answers) if answers is not None else _current(facts.screen, now)
    stored = facts.screen if answers is None else None
    lifted = False
    if result.blocking:
        # Urgent and doctor: a linked clinician's clearance of this screen lifts them (the
        # person's own tick only where no clinician is linked); the tick is recorded when a
        # session starts.
        from midback.services import clinical

        lifted = clinical.check_allowed_for(
            repo,
            person_id,
            result,
            screen_at=stored.at if stored else None,
            self_tick=request.cleared,
            now=now,
            record=pain_before is not None,
        )
    return gated(facts, request, result, lifted=lifted, pain_before=pain_before)


def gated(
    facts: PersonFacts,
    request: PlanRequest,
    result: ScreenResult,
    *,
    lifted: bool,
    pain_before: int | None,
) -> PlanRequest:
    """``request`` once the screen's verdict is settled (``lifted``: whether a blocking one was
    cleared): the screen's limits, then the pain before the session, then the person's recent
    exercises and earned doses."""
    if request.cleared is not lifted:
        request = request.model_copy(update={"cleared": lifted})
    request = session_request(apply_screen(request, result), pain_before=pain_before)
    return facts.personalise(request)


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

    An unknown program is named (UnknownIdError) before the screen is looked at. A request
    asked again with the same stored screen, while nothing of the person's changed, is answered
    with the plan made the first time (``PersonFacts.made``).
    """
    if program_id is not None:
        cat.program(program_id)
    facts = person_facts(repo, cat, person_id, now=now)
    asked = None
    if answers is None and pain_before is None:  # the stored screen's plan: kept by the facts
        asked = (request.model_dump_json(), program_id)
        kept = facts.made(asked)
        if kept is not None and not _current(facts.screen, now).blocking:
            return kept
    screened = screened_request(repo, cat, person_id, request, answers=answers, now=now,
                                pain_before=pain_before, facts=facts)  # fmt: skip
    made = repo.caches.plans.get(cat, screened, program_id)
    if asked is not None:
        facts.keep(asked, made)
    return made


def plan_json(repo: Repository, plan: Plan) -> bytes:
    """``plan`` as JSON (``Plan``'s schema), serialized once per plan the store's caches keep."""
    return repo.caches.plan_json.get(plan, "plan", lambda: plan.model_dump_json().encode())


def plan_and_timeline_json(repo: Repository, cat: Catalogue, plan: Plan) -> bytes:
    """``{"plan": ..., "timeline": ...}``: the plan and the cues the players run, compiled and
    serialized once per plan the store's caches keep."""
    from midback.domain.timeline import timeline_json

    def make() -> bytes:
        timeline = timeline_json(plan, cat)
        return b'{"plan":' + plan_json(repo, plan) + b',"timeline":' + timeline + b"}"

    return repo.caches.plan_json.get(plan, "timeline", make, same=cat)


def make_week_for(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    request: PlanRequest,
    *,
    days: int,
    now: datetime,
    start: date | None = None,
    answers: Answers | None = None,
) -> WeekPlan:
    """A stored person's week from ``start`` (default: their today), screened and personalised
    like a plan (``screened_request``)."""
    from midback.domain.week import WeekRequest, week

    start = start or today_for(repo, person_id, now)
    base = screened_request(repo, cat, person_id, request, answers=answers, now=now)
    course = _course_plan(repo, cat, person_id, base, now=now)
    return week(cat, WeekRequest(base=base, days=days, start=start), course=course)


def _course_plan(
    repo: Repository, cat: Catalogue, person_id: int, limits: PlanRequest, *, now: datetime
) -> Plan | None:
    """Today's session of the person's active course (not stored: a week is a read)."""
    from midback.domain import course as courses
    from midback.domain.course import Course

    record = repo.active_course(person_id)
    if record is None:
        return None
    course = Course.model_validate(record.state)
    return courses.session(cat, course, limits, today=today_for(repo, person_id, now))


def personalise(
    repo: Repository, cat: Catalogue, person_id: int, request: PlanRequest, *, now: datetime
) -> PlanRequest:
    """``request`` with the person's recent exercises (variety) and earned doses (progression)."""
    return person_facts(repo, cat, person_id, now=now).personalise(request)


@dataclass(frozen=True)
class PersonFacts:
    """What planning reads of a person's records: last screen, recent exercises, earned doses."""

    screen: StoredScreen | None
    recent: frozenset[str]
    earned: dict[str, Prescription]
    _made: LruCache[tuple[str, str | None], weakref.ref[Plan]] = field(
        default_factory=lambda: _made_cache(), init=False, compare=False, repr=False
    )
    """Plans made with these facts and the stored screen, by what was asked (``made``)."""

    def made(self, asked: tuple[str, str | None]) -> Plan | None:
        """The plan made for ``asked`` (a request as asked, before the gate, and a program id)
        with these facts and their stored screen, while the plan cache still holds it.

        Such a plan is a function of the two: the gate reads nothing else when the stored
        screen is current and does not block (a blocking one asks for a clinician's clearance,
        which the facts do not hold; the caller checks this). Facts are kept per revision and
        day (``person_facts``), so a plan kept here was made since the person's last write.
        Looking it up here skips the gate and the plan cache's key (about 30 us of a cached
        plan's 260 in-process)."""
        ref = self._made.get(asked)
        return None if ref is None else ref()

    def keep(self, asked: tuple[str, str | None], plan: Plan) -> None:
        """Remember ``plan`` for ``asked`` (weakly: the plan cache decides how long plans
        live); the MADE_KEPT most recently used only."""
        self._made.put(asked, weakref.ref(plan))

    @classmethod
    def read(
        cls, repo: Repository, cat: Catalogue, person_id: int, *, now: datetime
    ) -> PersonFacts:
        """Read it all from the store, keeping nothing (``person_facts`` keeps it)."""
        return FactsBase.read(repo, cat, person_id, now=now).facts(repo, cat, person_id)

    def to_json(self) -> dict[str, Any]:
        """The facts as JSON-ready data (``from_json`` reads them back)."""
        return {
            "screen": None
            if self.screen is None
            else {"result": self.screen.result.to_json(), "at": self.screen.at.isoformat()},
            "recent": sorted(self.recent),
            "earned": {e: dose.model_dump(mode="json") for e, dose in sorted(self.earned.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PersonFacts:
        """Facts written by ``to_json``; ValueError, KeyError or TypeError when malformed."""
        from midback.domain.prescription import Prescription

        kept = data["screen"]
        return cls(
            screen=None
            if kept is None
            else StoredScreen(
                ScreenResult.model_validate(kept["result"]), datetime.fromisoformat(kept["at"])
            ),
            recent=frozenset(str(e) for e in data["recent"]),
            earned={str(e): Prescription.model_validate(d) for e, d in data["earned"].items()},
        )

    def personalise(self, request: PlanRequest) -> PlanRequest:
        """``request`` with the recent exercises and earned doses."""
        return request.model_copy(update={"recent": request.recent | self.recent,
                                          "doses": self.earned})  # fmt: skip


@dataclass(frozen=True)
class FactsBase:
    """What planning reads of a person apart from their check-ins: the last screen, the
    recent exercises, and what the replay of their progress starts from."""

    screen: StoredScreen | None
    recent: frozenset[str]
    replay: ReplayBase

    @classmethod
    def read(cls, repo: Repository, cat: Catalogue, person_id: int, *, now: datetime) -> FactsBase:
        """Read it from the store."""
        return cls(
            screen=stored_screen(repo, person_id),
            recent=frozenset(repo.recent_exercise_ids(person_id, RECENT_SESSIONS)),
            replay=replay_base(repo, cat, person_id, now=now),
        )

    def facts(self, repo: Repository, cat: Catalogue, person_id: int) -> PersonFacts:
        """The facts: the person's check-ins read, the progress replayed with them."""
        from midback.domain.progression import Change

        found, _ = standings(cat, self.replay, replay_checkins(repo, person_id, self.replay))
        earned = {s.exercise_id: s.dose for s in found if s.change is not Change.START}
        return PersonFacts(screen=self.screen, recent=self.recent, earned=earned)


def _made_cache() -> LruCache[tuple[str, str | None], weakref.ref[Plan]]:
    from midback.caches import LruCache

    return LruCache(MADE_KEPT)


def person_facts(repo: Repository, cat: Catalogue, person_id: int, *, now: datetime) -> PersonFacts:
    """What planning reads of the person, kept while nothing of theirs changes (and the day):
    one read of their revisions and zone when kept. After a check-in (a write of check-ins
    only) just the check-ins are read again and the progress replayed (``FactsBase``)."""
    people = repo.caches.people
    with repo.reading():
        state = repo.person_state(person_id)
        today = now.astimezone(zone_named(state.zone)).date()

        def base() -> FactsBase:  # only when the facts themselves are not kept
            return people.get(
                repo,
                person_id,
                "facts-base",
                lambda: FactsBase.read(repo, cat, person_id, now=now),
                today=today,
                same=cat,
                revision=state.base,
            )

        return people.get(
            repo,
            person_id,
            "facts",
            lambda: base().facts(repo, cat, person_id),
            today=today,
            same=cat,
            revision=state.revision,
        )


SEALED_FOR = timedelta(hours=12)
"""How long a plan shown on a page may be started as it was shown."""


class PlanSeal:
    """A plan's identity: the plan a page showed, sealed (signed, for one person, with the time
    it was shown) so the player plays exactly that plan, not one planned again from the query.

    Nothing is stored: the seal carries the plan. The key is the server's secret key, or a key
    made for this process in local mode (a restart then makes earlier seals stale).
    """

    def __init__(self, secret: str | None) -> None:
        from itsdangerous import URLSafeSerializer

        key = secret or secrets.token_urlsafe(32)
        self._serializer = URLSafeSerializer(key, salt="midback-plan")

    def seal(self, plan: Plan, person_id: int, *, now: datetime) -> str:
        """The token that stands for ``plan`` shown to ``person_id`` at ``now`` (the injected
        clock, so the age is counted on the same clock that opens it)."""
        return self._serializer.dumps(
            {"person": person_id, "at": now.timestamp(), "plan": plan.to_json()}
        )

    def open(self, token: str, person_id: int, *, now: datetime) -> Plan:
        """The plan ``token`` stands for; StalePlan when it is changed, another person's, or
        older than ``SEALED_FOR``."""
        from itsdangerous import BadSignature

        try:
            data = self._serializer.loads(token)
        except BadSignature:
            raise StalePlan("plan_token: not a plan this server showed you") from None
        if not isinstance(data, dict) or data.get("person") != person_id:
            raise StalePlan("plan_token: not a plan this server showed you")
        shown_at = data.get("at")
        if not isinstance(shown_at, int | float) or isinstance(shown_at, bool):
            raise StalePlan("plan_token: not a plan this server showed you")
        if now.timestamp() - shown_at > SEALED_FOR.total_seconds():
            raise StalePlan("the plan you were shown has expired; make a new plan")
        return Plan.model_validate(data["plan"])


def shown_plan_for_session(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    token: str,
    *,
    seal: PlanSeal,
    now: datetime,
    pain_before: int | None,
    cleared: bool = False,
) -> Plan:
    """The plan a page showed, to start as it was: it still passes the person's current screen
    and its limits (``check_plan``) and the pain right now (8 or more: PainTooHigh). A pain of 6
    or 7 calls for a gentle session instead: the caller plans that one (``make_plan_for``)."""
    from midback.services.screening import check_plan

    plan = seal.open(token, person_id, now=now)
    check_plan(repo, cat, person_id, plan, now=now, cleared=cleared)
    session_request(PlanRequest(minutes=plan.minutes, place=Place.HOME), pain_before=pain_before)
    return plan
