"""Desk breaks: a page that, while open, reminds the person to take a short desk routine.

The reminders, the timer and the log run in the browser (``static/breaks.js``); the routine
comes from the server through the same gate as every plan, so a refusing or missing safety
screen shows here and no reminder runs. A break taken is recorded as a short session through
the session API (start, a log per exercise, finish with the note ``Desk break``), so history
counts it with the other sessions.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse

from midback.domain.plans import PlanRequest
from midback.domain.vocab import Focus, Place
from midback.errors import PlanError, ScreenBlocked, ScreenRequired
from midback.services.planning import make_plan_for
from midback.web.deps import Cat, Now, PersonId, Repo
from midback.web.render import link, render
from midback.web.routing import SegmentRouter
from midback.words import truthy

router = SegmentRouter(include_in_schema=False)

BREAK_MINUTES: Final = 2
"""A desk break's length: within the 1-3 minutes Workrave and Stretchly give a micro-break."""
EVERY_MINUTES: Final = 45
"""The reminder's default interval (a default, not from the articles; the person changes it)."""
WORK_HOURS: Final = ("09:00", "17:30")
"""Default work hours on Monday to Friday (the person changes them; kept in the browser)."""
NOTE: Final = "Desk break"
"""The note a break's session is finished with, so history tells breaks apart."""


@router.get("/breaks", response_class=HTMLResponse)
def breaks_page(
    request: Request, repo: Repo, cat: Cat, person: PersonId, now: Now, cleared: str = ""
) -> HTMLResponse:
    """The reminders and a 2-minute desk routine; the screen's refusal instead when it refuses."""
    is_cleared = truthy(cleared)
    base = PlanRequest(minutes=BREAK_MINUTES, place=Place.DESK, focus=Focus.RELIEF,
                       cleared=is_cleared)  # fmt: skip
    context: dict[str, Any] = {
        "every": EVERY_MINUTES, "work_hours": WORK_HOURS, "minutes": BREAK_MINUTES,
        "screen_url": link("/screen", [("next", "/breaks")]),
    }  # fmt: skip
    try:
        plan = make_plan_for(repo, cat, person, base, now=now)
    except ScreenRequired as required:
        return render(request, "breaks.html", plan=None, unscreened=required.verdict, **context)
    except ScreenBlocked as blocked:
        return render(request, "breaks.html", status_code=403, plan=None, blocked=blocked,
                      retry=[], **context)  # fmt: skip
    except PlanError as error:
        return render(request, "breaks.html", status_code=422, plan=None, problem=str(error),
                      **context)  # fmt: skip
    data = {
        "api": "/api/v1",
        "every": EVERY_MINUTES,
        "work": {"start": WORK_HOURS[0], "end": WORK_HOURS[1], "days": [1, 2, 3, 4, 5]},
        "start": {
            "minutes": BREAK_MINUTES,
            "place": Place.DESK.value,
            "focus": Focus.RELIEF.value,
            "cleared": is_cleared,
        },
        "note": NOTE,
    }
    return render(request, "breaks.html", plan=plan, data=data, **context)
