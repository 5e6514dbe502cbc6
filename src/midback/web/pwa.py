"""The progressive web app: the player page, the manifest and the service worker.

The service worker and the manifest are served from the site's root so the worker's scope is
the whole site. The worker's cache name carries a digest of the static files, so changing any
of them installs a fresh cache and drops the old one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from midback.domain.safety import Verdict
from midback.errors import ScreenRequired
from midback.services.screening import current_screen, lifts_refusal
from midback.web.deps import Cat, Now, PersonId, Repo
from midback.web.render import render, screen_first
from midback.web.routing import SegmentRouter
from midback.words import truthy

router = SegmentRouter(include_in_schema=False)

STATIC_DIR = Path(__file__).parent / "static"
VERSION_MARK = "__MIDBACK_SW_VERSION__"
"""Replaced in ``sw.js`` by a digest of the static files when served."""
MODE_MARK = "__MIDBACK_SW_MODE__"
"""Replaced in ``sw.js`` by the mode (``local`` or ``server``)."""
DEFAULT_MINUTES = 10
DEFAULT_PLACE = "home"
MAX_SPEED = 1000.0

Many = Annotated[list[str] | None, Query()]


@router.get("/player", response_class=HTMLResponse, response_model=None)
def player(
    request: Request,
    cat: Cat,
    repo: Repo,
    person: PersonId,
    now: Now,
    *,
    minutes: str | None = None,
    place: str | None = None,
    focus: str | None = None,
    level: str | None = None,
    program: str | None = None,
    equipment: Many = None,
    conditions: Many = None,
    seed: str | None = None,
    speed: str | None = None,
    cleared: str | None = None,
    course: str | None = None,
    plan: str | None = None,
    programme: str | None = None,
) -> Response:
    """The guided session in the browser: the safety screen's verdict first, then the pain
    right now, then the player, then how it went.

    With no screen stored (or one over 30 days old) the safety screen comes first and leads
    back here; a verdict that refuses plans shows on the plan page, before any pain question.
    ``plan`` is the seal of the plan a page showed: the session plays that plan as it was
    shown (the other options remain for a gentle session). The query is handed to the page's
    script as it is; the API checks it when the session
    starts, so a bad value shows as that API's message rather than as a bare error page. The
    page's ``data.query`` lets the script tell when it was served offline, by the service
    worker, for another address than the one asked for.
    """
    try:
        verdict = current_screen(repo, person, now=now)
    except ScreenRequired as required:
        return screen_first(request, required)
    is_cleared = truthy(cleared)
    lifted = verdict.blocking and lifts_refusal(repo, person, verdict.verdict, self_tick=is_cleared,
                                                now=now)  # fmt: skip
    if verdict.verdict is Verdict.EMERGENCY or (verdict.blocking and not lifted):
        query = request.url.query or "minutes=10&place=home"
        target = "/course" if course else f"/plan?{query}"
        return RedirectResponse(target, status_code=303)
    if course:  # today's session of the person's course: the server knows what it holds
        data = {"start": {"course": True, "cleared": is_cleared}, "speed": _speed(speed),
                "program_name": None, "api": "/api/v1",
                "query": request.url.query}  # fmt: skip
        return render(request, "player.html", data=data, title="Today's course session")
    start = _start_body(
        minutes=minutes,
        place=place,
        focus=focus,
        level=level,
        program=program,
        equipment=equipment,
        conditions=conditions,
        seed=seed,
        cleared=cleared,
    )
    if plan:  # the plan the page showed, sealed: played as shown (the query stays for gentle)
        start["plan_token"] = plan
    if programme is not None:  # the person's programme, from their clinician
        whole_id = _whole(programme)
        start["programme_id"] = whole_id if whole_id is not None else programme
    written = cat.programs.get(program) if program else None
    program_name = written.name if written else None
    data = {
        "start": start,
        "speed": _speed(speed),
        "program_name": program_name,
        "api": "/api/v1",
        "query": request.url.query,
    }
    return render(request, "player.html", data=data, title=_title(start, program_name))


@router.get("/sw.js")
def service_worker(request: Request) -> Response:
    """The service worker, allowed to control the whole site, never cached by HTTP. It is told
    the mode: in server mode it keeps only what is the same for everybody."""
    source = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    mode = request.app.state.settings.mode
    return Response(
        source.replace(VERSION_MARK, f"{static_digest()}-{mode}").replace(MODE_MARK, mode),
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


@router.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest (name, colours, icon) for installing midback."""
    return Response(
        (STATIC_DIR / "manifest.webmanifest").read_bytes(),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )


def static_digest() -> str:
    """A short digest of every static file's name and bytes (the service worker's cache key)."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _start_body(
    *,
    minutes: str | None,
    place: str | None,
    focus: str | None,
    level: str | None,
    program: str | None,
    equipment: list[str] | None,
    conditions: list[str] | None,
    seed: str | None,
    cleared: str | None,
) -> dict[str, Any]:
    """The body of ``POST /api/v1/sessions`` (without the pain, which the page asks for)."""
    body: dict[str, Any] = {}
    if program:
        body["program_id"] = program
    whole = _whole(minutes)
    if whole is not None:
        body["minutes"] = whole
    elif minutes:
        body["minutes"] = minutes  # let the API name the bad value
    elif not program:
        body["minutes"] = DEFAULT_MINUTES
    if place:
        body["place"] = place
    elif not program:
        body["place"] = DEFAULT_PLACE
    if focus:
        body["focus"] = focus
    if level:
        body["level"] = level
    if equipment:
        body["equipment"] = [e for e in equipment if e]
    if conditions:
        body["conditions"] = [c for c in conditions if c]
    seed_value = _whole(seed)
    if seed_value is not None:
        body["seed"] = seed_value
    if cleared is not None:
        body["cleared"] = truthy(cleared)
    return body


def _whole(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _speed(text: str | None) -> float:
    """The session-time multiplier: a positive number up to ``MAX_SPEED``, else 1."""
    try:
        value = float(text) if text else 1.0
    except ValueError:
        return 1.0
    if not value > 0:  # also refuses NaN
        return 1.0
    return min(value, MAX_SPEED)


def _title(start: dict[str, Any], program_name: str | None) -> str:
    if program_name:
        return program_name
    minutes = start.get("minutes")
    return f"{minutes}-minute session" if isinstance(minutes, int) else "Session"
