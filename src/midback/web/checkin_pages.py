"""This morning's check-in: pain and stiffness."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from midback.services.records import checkin, todays_checkins
from midback.web.deps import Now, PersonId, Repo
from midback.web.render import render
from midback.web.routing import SegmentRouter
from midback.web.schemas import CheckInBody
from midback.web.security import check_csrf

router = SegmentRouter(include_in_schema=False)


@router.get("/checkin", response_class=HTMLResponse)
def checkin_form(request: Request, repo: Repo, person: PersonId, now: Now) -> HTMLResponse:
    """This morning's pain and stiffness."""
    done = todays_checkins(repo, person, now=now)
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
