"""History (weekly pain, adherence, recent sessions, doses) and the export page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from midback.services.records import person_history
from midback.web.deps import Cat, Now, PersonId, Repo
from midback.web.pain_chart import pain_chart, sparkline
from midback.web.render import render

router = APIRouter(include_in_schema=False)
RECENT_SESSIONS_SHOWN = 10


@router.get("/history", response_class=HTMLResponse)
def history_page(
    request: Request, repo: Repo, cat: Cat, person: PersonId, now: Now
) -> HTMLResponse:
    """Weekly pain (chart and table), the improvement, adherence, streak and recent sessions."""
    from midback.services.courses import core_doses
    from midback.services.session_marks import what_was_done
    from midback.services.sessions import recent

    result = person_history(repo, person, now=now)
    sessions = recent(repo, person, now=now, limit=RECENT_SESSIONS_SHOWN)
    marks = what_was_done(repo, person, sessions)
    doses = [
        (cat.exercises[e].name, points, sparkline([p.work_s for p in points]))
        for e, points in core_doses(repo, cat, person).items()
        if e in cat.exercises
    ]
    return render(request, "history.html", history=result, chart=pain_chart(result),
                  sessions=sessions, doses=doses, marks=marks,
                  program_names={p.id: p.name for p in cat.programs.values()})  # fmt: skip


@router.get("/export", response_class=HTMLResponse)
def export_page(request: Request) -> HTMLResponse:
    """Where to download everything recorded, and how to import it again."""
    return render(request, "export.html")
