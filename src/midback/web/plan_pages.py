"""The planner form with its plan, and the week plan."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from midback.domain.catalogue import Catalogue
from midback.domain.vocab import Focus
from midback.domain.week import WeekPlan
from midback.errors import PlanError, ScreenBlocked, ScreenRequired, UnknownIdError
from midback.services.clock import today_for
from midback.services.planning import PlanSeal, make_plan_for, make_week_for
from midback.services.screening import latest_screen
from midback.services.store import Repository
from midback.web.deps import Cat, Now, PersonId, Repo, Seal, ServedDep, queued
from midback.web.forms import ics_query, needed, plan_form, plan_query, validated
from midback.web.last_choices import DEFAULT, recall, remember
from midback.web.render import link, render, screen_first
from midback.web.routing import SegmentRouter
from midback.web.schemas import PlanBody, WeekBody

router = SegmentRouter(include_in_schema=False)


@router.get("/plan", response_class=HTMLResponse)
async def plan_page(request: Request, served: ServedDep, seal: Seal) -> Response:
    """The planner form and, when minutes and place (or a program) are given, the plan; the
    safety screen first when none is stored or it is over 30 days old."""
    repo, cat, person, now = served.repo, served.cat, served.person, served.now
    return await queued(request, lambda: _plan_page(request, repo, cat, person, now, seal))


def _plan_page(
    request: Request, repo: Repository, cat: Catalogue, person: int, now: datetime, seal: PlanSeal
) -> Response:
    form = plan_form(request.query_params, focus=Focus.RELIEF)
    context: dict[str, Any] = {
        "form": form, "cat": cat, "start": form["go"] == "start",
        "programs": [(p.id, p.name) for p in cat.programs.values()],
    }  # fmt: skip

    def no_plan(status_code: int = 200, **extra: Any) -> Response:
        """The page without a plan, saying so when no screen is stored yet."""
        screened = latest_screen(repo, person) is not None
        return render(request, "plan.html", status_code=status_code, screened=screened,
                      **context, **extra)  # fmt: skip

    if not request.query_params:  # a first visit: the form with last time's choices
        form |= shown_choices(recall(request, person) or DEFAULT)
        return no_plan(errors={})
    if not (form["minutes"] or form["place"] or form["program"]):  # sent empty: say what is missing
        return no_plan(422, errors=needed(PlanBody()))
    body, errors = validated(PlanBody, form)
    if body is not None and body.program_id is None:
        errors |= needed(body)
    if body is None or errors:
        return no_plan(422, errors=errors)
    try:
        plan = make_plan_for(repo, cat, person, body.request(), program_id=body.program_id,
                             now=now)  # fmt: skip
    except ScreenRequired as required:
        return screen_first(request, required)
    except ScreenBlocked as blocked:
        return no_plan(403, errors={}, blocked=blocked, retry=plan_query(body))
    except UnknownIdError as error:
        return no_plan(422, errors={"program": str(error)})
    except PlanError as error:
        return no_plan(422, errors={"plan": str(error)})
    query = plan_query(body)
    shuffle = plan_query(body.model_copy(update={"seed": body.seed + 1}))
    # A plan is made only from a stored screen: no read of it to say one is.
    response = render(request, "plan.html", errors={}, plan=plan, screened=True,
                      player_url=link("/player", query),
                      plan_token=seal.seal(plan, person, now=now),
                      shuffle_url=link("/plan", shuffle),
                      **context)  # fmt: skip
    remember(request, response, person, body)
    return response


@router.get("/week", response_class=HTMLResponse)
def week_page(request: Request, repo: Repo, cat: Cat, person: PersonId, now: Now) -> Response:
    """The week-plan form and, when minutes and place are given, the week (from today unless
    another start is given) with its .ics link and a Start on each session."""
    today = today_for(repo, person, now)
    form = plan_form(request.query_params, focus=Focus.MOBILITY)
    form["days"] = request.query_params.get("days", "").strip() or "7"
    form["start"] = request.query_params.get("start", "").strip() or today.isoformat()
    context: dict[str, Any] = {"form": form, "cat": cat}
    if not request.query_params:  # a first visit: the form with last time's choices
        shown = shown_choices(recall(request, person) or DEFAULT)
        form |= {name: value for name, value in shown.items() if name != "focus"}
        return render(request, "week.html", errors={}, **context)
    if not (form["minutes"] or form["place"]):  # sent empty: say what is missing
        return render(request, "week.html", status_code=422, errors=needed(PlanBody()),
                      **context)  # fmt: skip
    body, errors = validated(WeekBody, form)
    if body is not None:
        errors |= needed(body)
    if body is None or errors:
        return render(request, "week.html", status_code=422, errors=errors, **context)
    try:
        plan = week_for(repo, cat, person, body, today=today, now=now)
    except ScreenRequired as required:
        return screen_first(request, required)
    except ScreenBlocked as blocked:
        return render(request, "week.html", status_code=403, errors={}, blocked=blocked,
                      retry=[*plan_query(body), ("days", str(body.days)),
                             ("start", form["start"])], **context)  # fmt: skip
    except PlanError as error:
        return render(request, "week.html", status_code=422, errors={"plan": str(error)},
                      **context)  # fmt: skip
    return render(request, "week.html", errors={}, week=plan, days=week_days(plan),
                  ics_url=link("/api/v1/week.ics", ics_query(body, plan)), **context)  # fmt: skip


def shown_choices(body: PlanBody) -> dict[str, Any]:
    """The form's fields holding ``body``'s time, place, focus, level and kit."""
    return {"minutes": str(body.minutes or ""), "place": body.place.value if body.place else "",
            "focus": body.focus.value, "level": body.level.value,
            "equipment": [e.value for e in body.equipment or []]}  # fmt: skip


def week_for(
    repo: Repo, cat: Catalogue, person: int, body: WeekBody, *, today: date, now: datetime
) -> WeekPlan:
    """The person's week (screened like ``/api/v1/week``), from ``body.start`` or today."""
    return make_week_for(repo, cat, person, body.request(), days=body.days,
                         start=body.start or today, now=now)  # fmt: skip


def week_days(plan: WeekPlan) -> list[tuple[date, list[Any]]]:
    """The week's sessions grouped by day, in order."""
    days: dict[date, list[Any]] = {}
    for session in plan.sessions:
        days.setdefault(session.day, []).append(session)
    return list(days.items())
