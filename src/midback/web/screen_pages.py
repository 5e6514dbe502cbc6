"""The safety screen as a form, and its verdict."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse

from midback.domain.answers import parse_answers
from midback.domain.safety import HEADLINES
from midback.errors import AnswersError
from midback.services.screening import latest_screen, take_screen
from midback.web.deps import Now, PersonId, Repo
from midback.web.forms import friendly, screen_answers
from midback.web.render import render, safe_next
from midback.web.routing import SegmentRouter
from midback.web.security import check_csrf

router = SegmentRouter(include_in_schema=False)


@router.get("/screen", response_class=HTMLResponse)
def screen_form(
    request: Request, repo: Repo, person: PersonId, next: str | None = None
) -> HTMLResponse:
    """The safety questions as a form; ``next`` is where to go on once it allows exercise."""
    form = {"red_flags": [], "conditions": [], "next": safe_next(next)}
    return render(request, "screen.html", form=form, errors={},
                  last_screen=latest_screen(repo, person))  # fmt: skip


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
                      errors={field: friendly(field, error.message)}, last_screen=None)  # fmt: skip
    result = take_screen(repo, person, answers, at=now)
    return render(request, "screen_result.html", result=result, next=form["next"],
                  headline=HEADLINES[result.verdict])  # fmt: skip
