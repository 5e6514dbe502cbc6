"""History (weekly pain, adherence, recent sessions, doses) and the export page."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from fastapi.responses import HTMLResponse

from midback.domain.catalogue import Catalogue
from midback.services.records import history_view
from midback.services.store import Repository
from midback.web.deps import Cat, Now, PersonId, Repo, queued
from midback.web.pain_chart import pain_chart, sparkline
from midback.web.render import kept_part, render
from midback.web.routing import SegmentRouter

router = SegmentRouter(include_in_schema=False)
RECENT_SESSIONS_SHOWN = 10


@router.get("/history", response_class=HTMLResponse)
async def history_page(
    request: Request, repo: Repo, cat: Cat, person: PersonId, now: Now
) -> HTMLResponse:
    """Weekly pain (chart and table), the improvement, adherence, streak and recent sessions."""
    return await queued(request, lambda: _history_page(request, repo, cat, person, now))


def _history_page(
    request: Request, repo: Repository, cat: Catalogue, person: int, now: datetime
) -> HTMLResponse:
    view = history_view(repo, cat, person, now=now, limit=RECENT_SESSIONS_SHOWN)

    def body() -> dict[str, object]:
        doses = [
            (cat.exercises[e].name, points, sparkline([p.work_s for p in points]))
            for e, points in view.doses.items()
            if e in cat.exercises
        ]
        return dict(history=view.history, chart=pain_chart(view.history), sessions=view.sessions,
                    doses=doses, marks=view.marks, zone=view.zone,
                    program_names={p.id: p.name for p in cat.programs.values()})  # fmt: skip

    # The view is the same object while nothing of the person's changes (records.history_view).
    part = kept_part(request, "_history_body.html", made_from=(view, cat), context=body)
    return render(request, "history.html", body=part)


@router.get("/export", response_class=HTMLResponse)
def export_page(request: Request) -> HTMLResponse:
    """Where to download everything recorded, and how to import it again."""
    return render(request, "export.html")
