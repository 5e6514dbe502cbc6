"""Home: today's session for a returning person, the first run for a new one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from midback.services import latest_screen
from midback.web.deps import Cat, PersonId, Repo
from midback.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, cat: Cat, repo: Repo, person: PersonId) -> HTMLResponse:
    """Quick start: minutes, place, focus, start now; the last screen when it blocks plans."""
    return render(request, "home.html", programs=list(cat.programs.values()),
                  last_screen=latest_screen(repo, person))  # fmt: skip
