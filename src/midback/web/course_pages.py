"""The course page: where the course stands, today's session with its Start, swaps and stop;
and the form that starts one (also reached from the plan page's "Start a course")."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from midback.domain.course import PHASE_LABELS
from midback.domain.vocab import Focus, Place
from midback.errors import NotFound, PlanError, ScreenBlocked, ScreenRequired, UnknownIdError
from midback.services import courses as course_cases
from midback.web.deps import Accounts, Cat, ClinicianId, Now, PersonId, Repo
from midback.web.forms import plan_form
from midback.web.render import link, render, screen_first
from midback.web.routing import SegmentRouter
from midback.web.schemas import CourseBody
from midback.web.security import check_csrf
from midback.words import truthy

router = SegmentRouter(include_in_schema=False)

Many = Annotated[list[str] | None, Form()]


@router.get("/course", response_class=HTMLResponse)
def course_page(request: Request, repo: Repo, cat: Cat, person: PersonId, now: Now) -> Response:
    """The course as it stands today, or the form to start one."""
    form = plan_form(request.query_params, focus=Focus.RELIEF)
    try:
        view = course_cases.course_view(repo, cat, person, now=now)
    except course_cases.NoCourse:
        return _start_form(request, cat, form, errors={})
    return render(request, "course.html", view=view, cat=cat, phase_label=PHASE_LABELS,
                  player_url="/player?course=1")  # fmt: skip


@router.post("/course/start", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def course_start(
    request: Request,
    repo: Repo,
    cat: Cat,
    person: PersonId,
    now: Now,
    minutes: Annotated[str, Form()] = "",
    place: Annotated[str, Form()] = "",
    level: Annotated[str, Form()] = "beginner",
    program: Annotated[str, Form()] = "",
    weeks: Annotated[str, Form()] = "6",
    equipment: Many = None,
    conditions: Many = None,
    cleared: Annotated[str, Form()] = "",
) -> Response:
    """Start a course from the form (the safety screen first when it is due)."""
    form: dict[str, Any] = {"minutes": minutes, "place": place, "level": level, "focus": "",
                            "program": program, "weeks": weeks, "equipment": equipment or [],
                            "conditions": conditions or [], "seed": "0",
                            "cleared": truthy(cleared)}  # fmt: skip
    if not program and not (minutes and place):
        errors = {"minutes": "Minutes and place: how long, and where?"}
        return _start_form(request, cat, form, errors=errors, status_code=422)
    fields = {"minutes": minutes, "place": place, "level": level or "beginner",
              "program_id": program or None, "weeks": weeks or 6, "equipment": equipment or None,
              "conditions": conditions or [], "cleared": form["cleared"]}  # fmt: skip
    try:
        body = CourseBody.model_validate({k: v for k, v in fields.items() if v != ""})
    except ValidationError as error:
        errors = {str(p["loc"][0]): f"{p['loc'][0]}: {p['msg']}." for p in error.errors()}
        return _start_form(request, cat, form, errors=errors, status_code=422)
    try:
        course_cases.start_course(repo, cat, person, body.request(), now=now, weeks=body.weeks,
                                  program_id=body.program_id)  # fmt: skip
    except ScreenRequired as required:
        back = link("/course", [(k, str(v)) for k, v in (("minutes", minutes), ("place", place))
                                if v])  # fmt: skip
        return RedirectResponse(link("/screen", [("next", back), ("why", required.verdict)]), 303)
    except ScreenBlocked as blocked:
        return _start_form(request, cat, form, errors={}, blocked=blocked, status_code=403)
    except (PlanError, UnknownIdError) as error:
        return _start_form(request, cat, form, errors={"plan": str(error)}, status_code=422)
    return RedirectResponse("/course", status_code=303)


@router.post("/course/swap", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def course_swap(
    request: Request,
    repo: Repo,
    cat: Cat,
    person: PersonId,
    now: Now,
    exercise_id: Annotated[str, Form()] = "",
) -> Response:
    """Swap one core exercise, then back to the course."""
    try:
        course_cases.swap(repo, cat, person, exercise_id, now=now)
    except ScreenRequired as required:
        return screen_first(request, required)
    except (PlanError, UnknownIdError, ScreenBlocked) as error:
        return render(request, "error.html", status_code=422, message=str(error), status=422)
    return RedirectResponse("/course", status_code=303)


@router.post("/course/stop", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def course_stop(request: Request, repo: Repo, person: PersonId, now: Now) -> Response:
    """Stop the course, then back to the course page (which offers a new one)."""
    with suppress(course_cases.NoCourse):  # already stopped (a second click): nothing to do
        course_cases.stop(repo, person, now=now)
    return RedirectResponse("/course", status_code=303)


def _start_form(
    request: Request,
    cat: Cat,
    form: dict[str, Any],
    *,
    errors: dict[str, str],
    status_code: int = 200,
    blocked: ScreenBlocked | None = None,
) -> HTMLResponse:
    form.setdefault("weeks", "6")
    programs = [(p.id, p.name) for p in cat.programs.values()]
    return render(request, "course_start.html", status_code=status_code, form=form,
                  errors=errors, programs=programs, blocked=blocked,
                  retry=[])  # fmt: skip


@router.post("/clinician/patients/{person_id}/course/start", dependencies=[Depends(check_csrf)])
def clinician_course_start(
    request: Request,
    person_id: int,
    clinician: ClinicianId,
    accounts: Accounts,
    repo: Repo,
    cat: Cat,
    now: Now,
    minutes: Annotated[int, Form(ge=1, le=240)] = 15,
    place: Annotated[Place, Form()] = Place.HOME,
    weeks: Annotated[int, Form(ge=1, le=52)] = 6,
) -> Response:
    """A clinician starts a course for a linked patient, within the patient's own screen."""
    if not accounts.is_linked(clinician, person_id):
        raise NotFound("person", person_id)
    body = CourseBody(minutes=minutes, place=place, weeks=weeks)
    try:
        course_cases.start_course(repo, cat, person_id, body.request(), now=now, weeks=weeks)
    except (ScreenBlocked, PlanError) as error:
        reasons = getattr(error, "reasons", None)
        message = "; ".join(m for _, m in reasons) if reasons else str(error)
        return render(request, "error.html", status_code=409, status=409,
                      message=f"No course started: {message}")  # fmt: skip
    return RedirectResponse("/clinician", status_code=303)


@router.post("/clinician/patients/{person_id}/course/swap", dependencies=[Depends(check_csrf)])
def clinician_course_swap(
    request: Request,
    person_id: int,
    clinician: ClinicianId,
    accounts: Accounts,
    repo: Repo,
    cat: Cat,
    now: Now,
    exercise_id: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    """A clinician swaps one of a linked patient's core exercises."""
    if not accounts.is_linked(clinician, person_id):
        raise NotFound("person", person_id)
    try:
        course_cases.swap(repo, cat, person_id, exercise_id, now=now)
    except (ScreenBlocked, PlanError, UnknownIdError) as error:
        return render(request, "error.html", status_code=409, status=409,
                      message=f"No swap: {error}")  # fmt: skip
    return RedirectResponse("/clinician", status_code=303)
