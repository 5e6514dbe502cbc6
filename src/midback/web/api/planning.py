"""Screen, plan, week (and its .ics) and timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from midback.domain.answers import parse_answers
from midback.domain.plans import Plan
from midback.domain.safety import ScreenResult
from midback.domain.vocab import Condition, Focus, Level, Place
from midback.domain.week import WeekPlan
from midback.errors import PlanError
from midback.services.planning import (
    make_plan_for,
    make_week_for,
    plan_and_timeline_json,
    plan_json,
)
from midback.services.screening import take_screen
from midback.web.api import PREFIX
from midback.web.deps import Cat, Now, PersonId, Repo, ServedDep, queued
from midback.web.routing import SegmentRouter
from midback.web.schemas import Day, PlanBody, ScreenAnswers, WeekBody

router = SegmentRouter(under=PREFIX, tags=["planning"])


@router.post("/screen")
def post_screen(body: ScreenAnswers, repo: Repo, person: PersonId, now: Now) -> ScreenResult:
    """Screen the answers, keep the result, and return the verdict with reasons and advice."""
    return take_screen(repo, person, body.answers(), at=now)


def plan_from(body: PlanBody, repo: Repo, cat: Cat, person: int, now: datetime) -> Plan:
    """Plan ``body`` for ``person``: screened (403 when blocked), varied and progressed."""
    if body.program_id is None and (body.minutes is None or body.place is None):
        missing = [n for n, v in (("minutes", body.minutes), ("place", body.place)) if v is None]
        raise PlanError(f"{' and '.join(missing)} needed (or program_id)")
    answers = parse_answers(body.answers) if body.answers is not None else None
    return make_plan_for(repo, cat, person, body.request(), answers=answers, now=now,
                         program_id=body.program_id)  # fmt: skip


def _json(content: bytes) -> Response:
    """``content``, JSON already serialized by the models themselves: FastAPI would validate a
    returned model against its own schema again and encode it in the thread pool."""
    return Response(content, media_type="application/json")


@router.post("/plan", response_model=Plan)
async def post_plan(request: Request, body: PlanBody, served: ServedDep) -> Response:
    """A safe plan for the minutes, place, kit and conditions given (403 when screened out,
    when no screen is stored or it is over 30 days old)."""
    repo, cat, person, now = served.repo, served.cat, served.person, served.now
    return _json(
        await queued(request, lambda: plan_json(repo, plan_from(body, repo, cat, person, now)))
    )


@router.post("/timeline", response_model=dict[str, Any])
async def post_timeline(request: Request, body: PlanBody, served: ServedDep) -> Response:
    """The plan and its timeline (the cues the players run)."""
    repo, cat, person, now = served.repo, served.cat, served.person, served.now

    def work() -> bytes:
        return plan_and_timeline_json(repo, cat, plan_from(body, repo, cat, person, now))

    return _json(await queued(request, work))


def _week(body: WeekBody, repo: Repo, cat: Cat, person: int, now: datetime) -> WeekPlan:
    if body.minutes is None or body.place is None:
        raise PlanError("minutes and place needed")
    answers = parse_answers(body.answers) if body.answers is not None else None
    return make_week_for(repo, cat, person, body.request(), days=body.days, start=body.start,
                         answers=answers, now=now)  # fmt: skip


@router.post("/week")
def post_week(body: WeekBody, repo: Repo, cat: Cat, person: PersonId, now: Now) -> WeekPlan:
    """A week: a session daily (strength on 2-3 days), walks toward 150 min, desk breaks."""
    return _week(body, repo, cat, person, now)


@router.get("/week.ics", response_class=Response)
def get_week_ics(
    repo: Repo,
    cat: Cat,
    person: PersonId,
    now: Now,
    minutes: Annotated[int, Query(ge=1, le=240)],
    place: Place,
    focus: Focus = Focus.MOBILITY,
    level: Level = Level.BEGINNER,
    days: Annotated[int, Query(ge=1, le=28)] = 7,
    start: Day | None = None,
    conditions: Annotated[list[Condition] | None, Query()] = None,
    cleared: bool = False,
) -> Response:
    """The week plan as an iCalendar file, one event per session with a reminder."""
    from midback.ics import week_calendar

    body = WeekBody(minutes=minutes, place=place, focus=focus, level=level, days=days,
                    start=start, conditions=conditions or [], cleared=cleared)  # fmt: skip
    plan = _week(body, repo, cat, person, now)
    return Response(
        week_calendar(plan),
        media_type="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="midback-week.ics"'},
    )
