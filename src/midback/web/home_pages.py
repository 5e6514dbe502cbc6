"""Home and the first run.

A person with no safety screen yet gets the first run: welcome, then the safety screen, then
time, place and kit (``/start``, with last time's choices as defaults), then the first session.
A returning person lands on today's session (their course's, else a plan from their last
choices) with one Start button.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from midback.domain.safety import BLOCKING
from midback.errors import ScreenBlocked, ScreenRequired
from midback.services.screening import latest_screen
from midback.services.today import today_session
from midback.web.deps import Cat, Now, PersonId, Repo
from midback.web.forms import plan_query
from midback.web.last_choices import DEFAULT, recall
from midback.web.render import link, render, screen_first
from midback.web.routing import SegmentRouter

router = SegmentRouter(include_in_schema=False)

FIRST_RUN_NEXT = "/start"
"""Where the first run's safety screen goes on to (when it allows exercise)."""


@router.get("/", response_class=HTMLResponse)
def home(request: Request, cat: Cat, repo: Repo, person: PersonId, now: Now) -> HTMLResponse:
    """The first run's welcome for a new person; today's session for a returning one."""
    last_screen = latest_screen(repo, person)
    if last_screen is None:
        return render(request, "welcome.html",
                      screen_url=link("/screen", [("next", FIRST_RUN_NEXT)]))  # fmt: skip
    last = recall(request, person)
    body = last or DEFAULT
    context: dict[str, Any] = {"last_screen": last_screen, "programs": list(cat.programs.values()),
                               "form": body, "remembered": last is not None}  # fmt: skip
    try:
        today = today_session(repo, cat, person, body.request(), now=now)
    except ScreenRequired as required:
        return render(request, "home.html", today=None, screen_again=required.verdict,
                      **context)  # fmt: skip
    except ScreenBlocked as blocked:
        return render(request, "home.html", today=None, blocked=blocked,
                      retry=plan_query(body), **context)  # fmt: skip
    start_url = "/player?course=1" if today.course else link("/player", plan_query(body))
    return render(request, "home.html", today=today, start_url=start_url, cat=cat,
                  **context)  # fmt: skip


@router.get("/start", response_class=HTMLResponse, response_model=None)
def first_session(request: Request, repo: Repo, person: PersonId, now: Now) -> Response:
    """The first run's third step: time, place and kit (last time's choices as defaults); the
    safety screen first when none is current."""
    last_screen = latest_screen(repo, person)
    if last_screen is None:
        return screen_first(request, ScreenRequired("unscreened", "no safety screen yet"))
    if last_screen.verdict in BLOCKING:
        return RedirectResponse("/", status_code=303)
    body = recall(request, person) or DEFAULT
    return render(request, "first_run.html", form=body, last_screen=last_screen, now=now)
