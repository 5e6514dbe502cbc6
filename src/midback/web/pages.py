"""Server-rendered pages (Jinja2). Each route parses, calls a use case and renders a template.

Forms are read by hand (not by FastAPI's validation) so that a bad value re-renders the page
with the message next to its field (status 422) instead of answering with JSON. Plan options
are checked by the JSON API's own bodies (``PlanBody``, ``WeekBody``), so both faces accept
the same values.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Final, TypeVar
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException as StarletteHTTPException

from midback.domain.answers import parse_answers
from midback.domain.catalogue import Catalogue
from midback.domain.contraindications import CONDITION_LABELS
from midback.domain.dose import Level
from midback.domain.history import History
from midback.domain.planner import Focus
from midback.domain.questions import (
    EMERGENCY_FLAGS,
    PREGNANCY_ONLY,
    RED_FLAG_QUESTIONS,
    RedFlag,
)
from midback.domain.safety import HEADLINES
from midback.domain.vocab import Condition, Direction, Equipment, Kind, Place
from midback.domain.week import WeekPlan
from midback.errors import (
    AnswersError,
    PlanError,
    ScreenBlocked,
    ScreenRequired,
    UnknownIdError,
)
from midback.services import (
    checkin,
    latest_screen,
    make_plan_for,
    make_week_for,
    person_history,
    take_screen,
)
from midback.web.deps import Cat, Now, PersonId, Repo
from midback.web.schemas import CheckInBody, PlanBody, WeekBody
from midback.web.security import check_csrf, csrf_token

router = APIRouter(include_in_schema=False)

PLACE_LABELS: Final = {
    Place.DESK: "At a desk",
    Place.CAR: "On a driving break",
    Place.HOME: "At home",
    Place.GYM: "At the gym",
}
FOCUS_LABELS: Final = {
    Focus.RELIEF: "Relief",
    Focus.MOBILITY: "Mobility",
    Focus.STRENGTH: "Strength",
    Focus.POSTURE: "Posture",
    Focus.CARDIO: "Walking (cardio)",
}
CHOICES: Final = {
    "places": list(PLACE_LABELS.items()),
    "focuses": list(FOCUS_LABELS.items()),
    "levels": [(level, level.value.capitalize()) for level in Level],
    "kinds": [(kind, kind.value.capitalize()) for kind in Kind],
    "equipment": [(e, e.value.replace("-", " ")) for e in Equipment if e is not Equipment.NONE],
    "conditions": list(CONDITION_LABELS.items()),
    "emergency_flags": [(f, RED_FLAG_QUESTIONS[f]) for f in EMERGENCY_FLAGS],
    "other_flags": [
        (f, RED_FLAG_QUESTIONS[f])
        for f in RedFlag
        if f not in EMERGENCY_FLAGS and f not in PREGNANCY_ONLY
    ],
    "pregnancy_flags": [(f, RED_FLAG_QUESTIONS[f]) for f in RedFlag if f in PREGNANCY_ONLY],
}
"""Options of every select and checkbox group, as (value, label)."""
RECENT_SESSIONS_SHOWN = 10
CHART_WEEKS = 12
"""The pain chart shows at most this many of the latest weeks (the table lists them all)."""

_B = TypeVar("_B", PlanBody, WeekBody)


# -- rendering ------------------------------------------------------------------------------


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render ``template`` with the CSRF token, the form choices and the page helpers."""
    templates: Jinja2Templates = request.app.state.templates
    filters = templates.env.filters
    filters.setdefault("clock", clock)
    filters.setdefault("score", score)
    filters.setdefault("condition_label", condition_label)
    filters.setdefault("direction_words", direction_words)
    templates.env.globals.setdefault("link", link)
    context.setdefault("csrf_token", csrf_token(request) if hasattr(request.state, "csrf") else "")
    context.setdefault("choices", CHOICES)
    server_mode = request.app.state.settings.mode == "server"
    context.setdefault("server_mode", server_mode)
    if server_mode and "signed_in" not in context:
        context["signed_in"] = request.app.state.auth.person(request) is not None
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def direction_words(direction: Direction) -> str:
    """What a movement in ``direction`` does, in plain words (``turns the upper back``)."""
    from midback.domain.why import DOES

    return DOES[direction]


def clock(seconds: int) -> str:
    """``m:ss``, e.g. ``9:05``."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def score(value: int | None) -> str:
    """A 0-10 score as ``3/10``, or a dash when not recorded."""
    return "\u2013" if value is None else f"{value}/10"


def condition_label(value: str) -> str:
    """The plain label of a condition id."""
    try:
        return CONDITION_LABELS[Condition(value)]
    except ValueError:
        return value


def not_found(
    request: Request, message: str, suggestions: list[tuple[str, str]] | None = None
) -> HTMLResponse:
    """The 404 page, with links to close matches (``(href, label)``)."""
    return render(request, "404.html", status_code=404, message=message,
                  suggestions=suggestions or [])  # fmt: skip


def install_error_pages(app: FastAPI) -> None:
    """Render HTTP errors outside ``/api`` and ``/static`` as pages (404 page, form expired).

    The JSON API keeps FastAPI's JSON errors. Call it once from ``create_app``.
    """

    async def page_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        path = request.url.path
        if path.startswith(("/api/", "/static/")) or path == "/openapi.json":
            return await http_exception_handler(request, error)
        if error.status_code == 404:
            return not_found(request, f"There is no page at {path}.")
        if error.status_code == 401:
            return RedirectResponse(f"/login?next={quote(path)}", status_code=303)
        response = render(request, "error.html", status_code=error.status_code,
                          message=str(error.detail), status=error.status_code)  # fmt: skip
        response.headers.update(error.headers or {})
        return response

    app.add_exception_handler(StarletteHTTPException, page_error)


# -- home, about, guide ----------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request, cat: Cat, repo: Repo, person: PersonId) -> HTMLResponse:
    """Quick start: minutes, place, focus, start now; the last screen when it blocks plans."""
    return render(request, "home.html", programs=list(cat.programs.values()),
                  last_screen=latest_screen(repo, person))  # fmt: skip


@router.get("/about", response_class=HTMLResponse)
def about(request: Request, cat: Cat) -> HTMLResponse:
    """What midback is, the disclaimer, and the articles it is built from."""
    return render(
        request, "about.html", page=cat.guide("about"), sources=list(cat.sources.values())
    )


@router.get("/guide", response_class=HTMLResponse)
def guide_index(request: Request, cat: Cat) -> HTMLResponse:
    """The guide's pages."""
    pages = [g for g in cat.guides.values() if g.id != "about"]
    return render(request, "guide.html", pages=pages)


@router.get("/guide/{guide_id}", response_class=HTMLResponse)
def guide_page(request: Request, cat: Cat, guide_id: str) -> HTMLResponse:
    """One guide page from Markdown (its raw HTML escaped), with its sources."""
    try:
        page = cat.guide(guide_id)
    except UnknownIdError as error:
        links = [(f"/guide/{s}", cat.guides[s].title) for s in error.suggestions]
        return not_found(request, f"There is no guide page called “{guide_id}”.", links)
    sources = [cat.source_title(s) for s in page.sources]
    return render(request, "guide_page.html", page=page, sources=sources)


# -- catalogue ------------------------------------------------------------------------------


@router.get("/exercises", response_class=HTMLResponse)
def exercises(request: Request, cat: Cat) -> HTMLResponse:
    """The catalogue, filtered by place, equipment and kind."""
    params = request.query_params
    form = {name: params.get(name, "").strip() for name in ("place", "equipment", "kind")}
    errors: dict[str, str] = {}
    place = _choice(form, "place", Place, errors)
    equipment = _choice(form, "equipment", Equipment, errors)
    kind = _choice(form, "kind", Kind, errors)
    found = [] if errors else cat.filter(place=place, equipment=equipment, kind=kind)
    return render(request, "exercises.html", status_code=422 if errors else 200,
                  form=form, errors=errors, exercises=found,
                  total=len(cat.exercises))  # fmt: skip


@router.get("/exercises/{exercise_id}", response_class=HTMLResponse, response_model=None)
def exercise_page(request: Request, cat: Cat, exercise_id: str) -> Response:
    """One exercise: how to do it, how much, cautions, variants and sources."""
    try:
        exercise = cat.exercise(exercise_id)
    except UnknownIdError as error:
        links = [(f"/exercises/{s}", cat.exercises[s].name) for s in error.suggestions]
        return not_found(request, f"There is no exercise called “{exercise_id}”.", links)
    if exercise.id != exercise_id:  # an alias or a name: go to the one address
        return RedirectResponse(f"/exercises/{exercise.id}", status_code=308)
    return render(request, "exercise.html", exercise=exercise, cat=cat)


@router.get("/programs", response_class=HTMLResponse)
def programs(request: Request, cat: Cat) -> HTMLResponse:
    """The eight programs from the articles."""
    return render(request, "programs.html", programs=list(cat.programs.values()), cat=cat)


@router.get("/programs/{program_id}", response_class=HTMLResponse)
def program_page(request: Request, cat: Cat, program_id: str) -> HTMLResponse:
    """A program's exercises with their doses and sources, and a button to start it."""
    try:
        program = cat.program(program_id)
    except UnknownIdError as error:
        links = [(f"/programs/{s}", cat.programs[s].name) for s in error.suggestions]
        return not_found(request, f"There is no program called “{program_id}”.", links)
    return render(request, "program.html", program=program, cat=cat)


# -- safety screen --------------------------------------------------------------------------

_SCREEN_NUMBERS: Final = ("age", "pain_now", "pain_duration_days")
_SCREEN_YES_NO: Final = ("improving", "assessed_by_clinician")


@router.get("/screen", response_class=HTMLResponse)
def screen_form(
    request: Request, repo: Repo, person: PersonId, next: str | None = None
) -> HTMLResponse:
    """The safety questions as a form; ``next`` is where to go on once it allows exercise."""
    form = {"red_flags": [], "conditions": [], "next": safe_next(next)}
    return render(request, "screen.html", form=form, errors={},
                  last_screen=latest_screen(repo, person))  # fmt: skip


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site (``/plan?...``), else empty: never a link
    to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return ""
    return target


def screen_first(request: Request, required: ScreenRequired) -> RedirectResponse:
    """To the safety screen, coming back here once it is answered."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(link("/screen", [("next", here), ("why", required.verdict)]), 303)


@router.post("/screen", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def screen_post(
    request: Request,
    repo: Repo,
    person: PersonId,
    now: Now,
    age: Annotated[str, Form()] = "",
    pain_now: Annotated[str, Form()] = "",
    pain_duration_days: Annotated[str, Form()] = "",
    improving: Annotated[str, Form()] = "",
    assessed_by_clinician: Annotated[str, Form()] = "",
    red_flags: Annotated[list[str] | None, Form()] = None,
    conditions: Annotated[list[str] | None, Form()] = None,
    pregnancy_weeks: Annotated[str, Form()] = "",
    bp_controlled: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Screen the answers, keep the result and show the verdict (422 names a bad answer)."""
    form: dict[str, Any] = {
        "age": age, "pain_now": pain_now, "pain_duration_days": pain_duration_days,
        "improving": improving, "assessed_by_clinician": assessed_by_clinician,
        "red_flags": red_flags or [], "conditions": conditions or [],
        "pregnancy_weeks": pregnancy_weeks, "bp_controlled": bp_controlled,
        "next": safe_next(next),
    }  # fmt: skip
    try:
        answers = parse_answers(screen_answers(form))
    except AnswersError as error:
        field = error.field.split("[")[0]
        return render(request, "screen.html", status_code=422, form=form,
                      errors={field: friendly(error.message)}, last_screen=None)  # fmt: skip
    result = take_screen(repo, person, answers, at=now)
    return render(request, "screen_result.html", result=result, next=form["next"],
                  headline=HEADLINES[result.verdict])  # fmt: skip


def screen_answers(form: dict[str, Any]) -> dict[str, Any]:
    """The screen's answers (as ``parse_answers`` takes them) from the form's text.

    A blank answer is left out, so ``parse_answers`` reports it missing; text that is not a
    whole number or not yes/no is passed on for it to name. The questions that belong to a
    condition (weeks of pregnancy, blood pressure under control) count only with it ticked.
    """
    answers: dict[str, Any] = {}
    conditions = list(form["conditions"])
    numbers = list(_SCREEN_NUMBERS)
    yes_no = list(_SCREEN_YES_NO)
    if Condition.PREGNANCY.value in conditions:
        numbers.append("pregnancy_weeks")
    if Condition.HIGH_BLOOD_PRESSURE.value in conditions:
        yes_no.append("bp_controlled")
    for name in numbers:
        text = str(form.get(name, "")).strip()
        if text:
            answers[name] = int(text) if re.fullmatch(r"-?\d{1,6}", text) else text
    for name in yes_no:
        text = str(form.get(name, "")).strip().lower()
        if text:
            answers[name] = {"yes": True, "no": False}.get(text, text)
    answers["red_flags"] = list(form["red_flags"])
    answers["conditions"] = list(form["conditions"])
    return answers


def friendly(message: str) -> str:
    """A screen error in words for the form."""
    if message == "missing":
        return "Please answer this question."
    if message.startswith("expected a whole number"):
        return "Enter a whole number."
    if message.startswith("expected true or false"):
        return "Choose yes or no."
    return message[0].upper() + message[1:] + "."


# -- plan and week --------------------------------------------------------------------------


@router.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request, repo: Repo, cat: Cat, person: PersonId, now: Now) -> Response:
    """The planner form and, when minutes and place (or a program) are given, the plan; the
    safety screen first when none is stored or it is over 30 days old."""
    form = plan_form(request.query_params, focus=Focus.RELIEF)
    context: dict[str, Any] = {
        "form": form, "cat": cat, "last_screen": latest_screen(repo, person),
        "start": form["go"] == "start", "programs": [(p.id, p.name) for p in cat.programs.values()],
    }  # fmt: skip
    if not (form["minutes"] or form["place"] or form["program"]):
        return render(request, "plan.html", errors={}, **context)
    body, errors = validated(PlanBody, form)
    if body is not None and body.program_id is None:
        errors |= _needed(body)
    if body is None or errors:
        return render(request, "plan.html", status_code=422, errors=errors, **context)
    try:
        plan = make_plan_for(repo, cat, person, body.request(), program_id=body.program_id,
                             now=now)  # fmt: skip
    except ScreenRequired as required:
        return screen_first(request, required)
    except ScreenBlocked as blocked:
        return render(request, "plan.html", status_code=403, errors={}, blocked=blocked,
                      retry=plan_query(body), **context)  # fmt: skip
    except UnknownIdError as error:
        return render(request, "plan.html", status_code=422, errors={"program": str(error)},
                      **context)  # fmt: skip
    except PlanError as error:
        return render(request, "plan.html", status_code=422, errors={"plan": str(error)},
                      **context)  # fmt: skip
    query = plan_query(body)
    shuffle = plan_query(body.model_copy(update={"seed": body.seed + 1}))
    return render(request, "plan.html", errors={}, plan=plan, player_url=link("/player", query),
                  shuffle_url=link("/plan", shuffle), **context)  # fmt: skip


@router.get("/week", response_class=HTMLResponse)
def week_page(request: Request, repo: Repo, cat: Cat, person: PersonId, now: Now) -> Response:
    """The week-plan form and, when minutes and place are given, the week with its .ics link."""
    tomorrow = now.astimezone().date() + timedelta(days=1)
    form = plan_form(request.query_params, focus=Focus.MOBILITY)
    form["days"] = request.query_params.get("days", "").strip() or "7"
    form["start"] = request.query_params.get("start", "").strip() or tomorrow.isoformat()
    context: dict[str, Any] = {"form": form, "cat": cat}
    if not (form["minutes"] or form["place"]):
        return render(request, "week.html", errors={}, **context)
    body, errors = validated(WeekBody, form)
    if body is not None:
        errors |= _needed(body)
    if body is None or errors:
        return render(request, "week.html", status_code=422, errors=errors, **context)
    try:
        plan = week_for(repo, cat, person, body, tomorrow=tomorrow, now=now)
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


def plan_form(params: QueryParams, *, focus: Focus) -> dict[str, Any]:
    """The plan options as the form holds them (text, lists of text), for re-display."""
    form: dict[str, Any] = {
        name: params.get(name, "").strip()
        for name in ("minutes", "place", "focus", "level", "seed", "program", "go")
    }
    form["focus"] = form["focus"] or focus.value
    form["level"] = form["level"] or Level.BEGINNER.value
    form["equipment"] = params.getlist("equipment")
    form["conditions"] = params.getlist("conditions")
    form["cleared"] = params.get("cleared", "").lower() in ("1", "true", "on", "yes")
    return form


_FIELD_OF: Final = {"program_id": "program"}
_FIELD_LABELS: Final = {
    "minutes": "Minutes", "place": "Place", "focus": "Focus", "level": "Level",
    "seed": "Mix", "program": "Program", "equipment": "Equipment",
    "conditions": "Conditions", "days": "Days", "start": "Start date",
}  # fmt: skip


def validated(model: type[_B], form: dict[str, Any]) -> tuple[_B | None, dict[str, str]]:
    """``form`` checked by the API's body ``model``; else the messages by form field."""
    data: dict[str, Any] = {
        "minutes": form["minutes"] or None,
        "place": form["place"] or None,
        "focus": form["focus"],
        "level": form["level"],
        "seed": form["seed"] or 0,
        "program_id": form["program"] or None,
        "equipment": form["equipment"] or None,
        "conditions": form["conditions"],
        "cleared": form["cleared"],
    }
    if model is WeekBody:
        data |= {"days": form["days"], "start": form["start"] or None}
        del data["program_id"]
    try:
        return model.model_validate(data), {}
    except ValidationError as error:
        errors: dict[str, str] = {}
        for problem in error.errors():
            field = _FIELD_OF.get(str(problem["loc"][0]), str(problem["loc"][0]))
            errors.setdefault(field, f"{_FIELD_LABELS.get(field, field)}: {problem['msg']}.")
        return None, errors


def _needed(body: PlanBody) -> dict[str, str]:
    errors = {}
    if body.minutes is None:
        errors["minutes"] = "Minutes: how long do you have?"
    if body.place is None:
        errors["place"] = "Place: where are you?"
    return errors


def week_for(
    repo: Repo, cat: Catalogue, person: int, body: WeekBody, *, tomorrow: date, now: datetime
) -> WeekPlan:
    """The person's week (screened like ``/api/v1/week``), from ``body.start`` or tomorrow."""
    return make_week_for(repo, cat, person, body.request(), days=body.days,
                         start=body.start or tomorrow, now=now)  # fmt: skip


def plan_query(body: PlanBody) -> list[tuple[str, str]]:
    """The query that asks ``/plan`` (and ``/player``) for the same plan again."""
    if body.program_id is not None:
        pairs = [("program", body.program_id)]
    else:
        pairs = [("minutes", str(body.minutes)), ("place", str(body.place)),
                 ("focus", body.focus.value)]  # fmt: skip
        pairs += [("equipment", e.value) for e in body.equipment or []]
    if body.level is not Level.BEGINNER:
        pairs.append(("level", body.level.value))
    pairs += [("conditions", c.value) for c in body.conditions]
    if body.seed:
        pairs.append(("seed", str(body.seed)))
    if body.cleared:
        pairs.append(("cleared", "1"))
    return pairs


def ics_query(body: WeekBody, plan: WeekPlan) -> list[tuple[str, str]]:
    """The query of ``/api/v1/week.ics`` for the week on the page (it takes no kit or seed)."""
    pairs = [("minutes", str(body.minutes)), ("place", str(body.place)),
             ("focus", body.focus.value), ("level", body.level.value),
             ("days", str(plan.days)), ("start", plan.start.isoformat())]  # fmt: skip
    pairs += [("conditions", c.value) for c in body.conditions]
    if body.cleared:
        pairs.append(("cleared", "true"))
    return pairs


def link(path: str, pairs: list[tuple[str, str]]) -> str:
    """``path`` with the query ``pairs``."""
    return f"{path}?{urlencode(pairs)}" if pairs else path


def week_days(plan: WeekPlan) -> list[tuple[date, list[Any]]]:
    """The week's sessions grouped by day, in order."""
    days: dict[date, list[Any]] = {}
    for session in plan.sessions:
        days.setdefault(session.day, []).append(session)
    return list(days.items())


# -- check-in and history -------------------------------------------------------------------


@router.get("/checkin", response_class=HTMLResponse)
def checkin_form(request: Request, repo: Repo, person: PersonId, now: Now) -> HTMLResponse:
    """This morning's pain and stiffness."""
    today = now.astimezone().date()
    done = repo.checkins(person, since=today)
    return render(request, "checkin.html", form={"pain": "", "stiffness": ""}, errors={},
                  today=done[-1] if done else None)  # fmt: skip


@router.post("/checkin", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def checkin_post(
    request: Request,
    repo: Repo,
    person: PersonId,
    now: Now,
    pain: Annotated[str, Form()] = "",
    stiffness: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Store the check-in and confirm it (422 with the message when a score is bad)."""
    form = {"pain": pain.strip(), "stiffness": stiffness.strip()}
    if not form["pain"]:
        errors = {"pain": "Choose how much it hurts, from 0 to 10."}
        return render(request, "checkin.html", status_code=422, form=form, errors=errors,
                      today=None)  # fmt: skip
    try:
        body = CheckInBody.model_validate(
            {"pain": form["pain"], "stiffness": form["stiffness"] or None}
        )
    except ValidationError as error:
        errors = {}
        for problem in error.errors():
            name = str(problem["loc"][0])
            errors.setdefault(name, f"{name.capitalize()}: {problem['msg']}.")
        return render(request, "checkin.html", status_code=422, form=form, errors=errors,
                      today=None)  # fmt: skip
    saved = checkin(repo, person, pain=body.pain, stiffness=body.stiffness, at=now)
    return render(request, "checkin_done.html", checkin=saved)


@router.get("/history", response_class=HTMLResponse)
def history_page(
    request: Request, repo: Repo, cat: Cat, person: PersonId, now: Now
) -> HTMLResponse:
    """Weekly pain (chart and table), the improvement, adherence, streak and recent sessions."""
    from midback.services.courses import core_doses

    result = person_history(repo, person, today=now.astimezone().date())
    from midback.services.sessions import recent

    sessions = recent(repo, person, now=now, limit=RECENT_SESSIONS_SHOWN)
    doses = [
        (cat.exercises[e].name, points, sparkline([p.work_s for p in points]))
        for e, points in core_doses(repo, cat, person).items()
        if e in cat.exercises
    ]
    return render(request, "history.html", history=result, chart=pain_chart(result),
                  sessions=sessions, doses=doses)  # fmt: skip


def sparkline(values: list[int], *, width: int = 120, height: int = 28) -> str:
    """The ``points`` of an SVG polyline drawing ``values`` left to right in a ``width`` x
    ``height`` box (a flat line for a single value, empty for none)."""
    if not values:
        return ""
    top, low = max(values), min(values)
    span = (top - low) or 1
    step = width / max(1, len(values) - 1)
    points = []
    for i, value in enumerate(values):
        x = i * step if len(values) > 1 else width / 2
        y = height - 2 - (value - low) / span * (height - 4)
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)


@dataclass(frozen=True)
class Bar:
    """One week's bar: its box in chart units, its value and its x-axis label."""

    x: float
    y: float
    width: float
    height: float
    centre: float
    value: float | None
    label: str
    meaningful: bool
    """At or below the meaningful-improvement mark."""


@dataclass(frozen=True)
class PainChart:
    """An SVG bar chart of weekly average pain, in chart units (``viewBox``)."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    ticks: list[tuple[float, int]]
    """(y, pain) of each horizontal grid line."""
    bars: list[Bar]
    threshold: float | None
    threshold_y: float | None
    description: str


def pain_chart(result: History, *, weeks: int = CHART_WEEKS) -> PainChart | None:
    """The chart of the latest ``weeks`` weeks; None when no week has pain recorded."""
    shown = result.weeks[-weeks:]
    if not any(w.average_pain is not None for w in shown):
        return None
    width, height = 360, 236
    left, right, top, bottom = 30.0, width - 8.0, 30.0, height - 30.0

    def y(pain: float) -> float:
        return round(bottom - (bottom - top) * pain / 10, 1)

    threshold = result.improvement.threshold_pain if result.improvement else None
    slot = (right - left) / len(shown)
    bar_width = min(slot * 0.6, 36.0)
    every = math.ceil(len(shown) / 6)
    bars = []
    for i, w in enumerate(shown):
        centre = round(left + slot * (i + 0.5), 1)
        label = f"{w.start.day} {w.start:%b}" if (len(shown) - 1 - i) % every == 0 else ""
        value = w.average_pain
        top_y = y(value) if value is not None else bottom
        bars.append(
            Bar(x=round(centre - bar_width / 2, 1), y=top_y, width=round(bar_width, 1),
                height=round(bottom - top_y, 1), centre=centre, value=value, label=label,
                meaningful=threshold is not None and value is not None and value <= threshold)
        )  # fmt: skip
    recorded = [w for w in shown if w.average_pain is not None]
    description = (
        f"{len(shown)} weeks from {shown[0].start:%d %b %Y}; first week with pain "
        f"{recorded[0].average_pain:.1f}, latest {recorded[-1].average_pain:.1f}."
    )
    if threshold is not None:
        description += (
            f" A dashed line at {threshold:.1f} marks a meaningful improvement (2 points or 30%)."
        )
    return PainChart(
        width=width, height=height, left=left, right=right, top=top, bottom=bottom,
        ticks=[(y(p), p) for p in range(0, 11, 2)], bars=bars, threshold=threshold,
        threshold_y=y(threshold) if threshold is not None else None, description=description,
    )  # fmt: skip


# -- export ---------------------------------------------------------------------------------


@router.get("/export", response_class=HTMLResponse)
def export_page(request: Request) -> HTMLResponse:
    """Where to download everything recorded, and how to import it again."""
    return render(request, "export.html")


# -- helpers --------------------------------------------------------------------------------

_E = TypeVar("_E", Place, Equipment, Kind)


def _choice(form: dict[str, str], name: str, kind: type[_E], errors: dict[str, str]) -> _E | None:
    text = form[name]
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        errors[name] = f"{name.capitalize()}: {text!r} is not one of {known}."
        return None
