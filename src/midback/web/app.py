"""The FastAPI app factory: ``create_app(settings)`` builds everything; nothing at import time."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from midback.caches import KeptFrom, LruCache
from midback.domain.loader import catalogue
from midback.services.planning import PlanSeal
from midback.services.store import Repository, open_accounts, open_store
from midback.settings import Settings
from midback.web import errors
from midback.web.auth import Auth
from midback.web.collect import YoungCollections
from midback.web.deps import read_queue
from midback.web.hosts import HostCheck
from midback.web.limits import RequestLimits
from midback.web.local_access import LocalAccess
from midback.web.security import SecurityHeaders

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in (server mode)."},
    403: {
        "description": 'Refused: the safety screen\'s verdict (`{"error": "screen"}`), '
        "today's pain, another site's write, or a clinician's page for someone else."
    },
    404: {"description": "Not found, or another person's (never told apart)."},
    409: {
        "description": "Valid, but it conflicts with the person's state: no exercise fits "
        "their limits, a stale plan seal, one programme or course at a time, a taken email."
    },
    429: {"description": "Too many attempts: try again after `Retry-After` seconds."},
    503: {
        "description": "The database or the password hashing is busy for a moment: try again "
        "after `Retry-After` seconds."
    },
}
"""The errors every route may answer, each with a JSON ``detail`` (README, server mode)."""

PARTS_KEPT = 1024
"""Rendered parts of pages kept (``render.kept_part``): a history page's body is a few KB."""

OPTIONS_KEPT = 512
"""Plan option forms kept (``render.plan_options``), by the values they show: about 4 KB each."""

WEB_DIR = Path(str(resources.files("midback") / "web"))


def create_app(
    settings: Settings | None = None,
    *,
    repo: Repository | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The web app for ``settings`` (default: from the environment).

    ``repo`` replaces the store named by the settings (tests pass a fake or a temporary one);
    ``clock`` replaces the wall clock every route reads through ``deps.Now`` (tests move days).
    """
    from midback.web import (
        account_pages,
        api,
        breaks_pages,
        catalogue_pages,
        checkin_pages,
        course_pages,
        figures,
        history_pages,
        home_pages,
        plan_pages,
        pwa,
        render,
        screen_pages,
    )
    from midback.web.markdown import render_markdown
    from midback.web.pdfs import PdfMaker

    settings = settings or Settings.from_env()
    settings.check_server()
    app = FastAPI(
        title="midback",
        version="1",
        summary="A coach for mid-back pain. Not a medical device and not medical advice.",
        docs_url=None,  # Swagger UI loads from a CDN, which the CSP blocks: /openapi.json only
        redoc_url=None,
        openapi_url="/openapi.json",
        responses=ERROR_RESPONSES,
    )
    app.state.settings = settings
    app.state.clock = clock or _utc_now
    app.state.plan_seal = PlanSeal(settings.secret_key)
    app.state.repo = repo if repo is not None else open_store(settings.database_url)
    # Beside the store; a fake repository in tests has them on the settings' database.
    accounts = open_accounts(app.state.repo, settings.database_url)
    app.state.accounts = accounts
    app.state.auth = Auth(settings, accounts)
    app.state.catalogue = catalogue()
    app.state.figures = figures.WebFigures(app.state.catalogue)
    app.state.pdfs = PdfMaker()
    templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    templates.env.filters["markdown"] = render_markdown
    # The templates are the package's own and do not change while it runs: Jinja would look at
    # each one's file on every render (7 stats a plan page; 2.00 -> 1.87 ms median a new plan
    # page in-process, A/B over 8 alternating rounds). A changed template shows after a restart.
    templates.env.auto_reload = False
    app.state.templates = templates
    app.state.parts = KeptFrom[Markup](PARTS_KEPT)  # render.kept_part
    app.state.plan_options = LruCache[tuple[object, ...], Markup](OPTIONS_KEPT)  # render.py
    app.state.queue = read_queue(settings.database_url)  # deps.queued
    # Innermost first: size limits, local mode's token, security headers, the Host check.
    app.add_middleware(RequestLimits)
    if settings.mode == "local" and settings.access_token:
        app.add_middleware(LocalAccess, token=settings.access_token, home=settings.home,
                           secure_cookies=settings.secure_cookies)  # fmt: skip
    app.add_middleware(
        SecurityHeaders, secure_cookies=settings.secure_cookies, private=settings.mode == "server"
    )
    app.add_middleware(HostCheck, allowed=settings.allowed_hosts)
    errors.install(app)
    app.include_router(api.router())
    for resource in (home_pages, catalogue_pages, screen_pages, plan_pages, checkin_pages,
                     history_pages, breaks_pages):  # fmt: skip
        app.include_router(resource.router)
    app.include_router(course_pages.router)
    app.include_router(account_pages.router)
    from midback.web.programme_pages import router as programme_pages  # issue 19, part B

    app.include_router(programme_pages)
    from midback.web.clinician_patient import router as clinician_patient  # issue 19

    app.include_router(clinician_patient)
    app.include_router(figures.router)
    render.install_error_pages(app)
    app.include_router(pwa.router)
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:  # async: a plain def would hop to a thread and back
        return JSONResponse({"status": "ok"})

    return app


def app_from_env() -> FastAPI:
    """The app for the current environment (uvicorn's factory, one per worker process).

    Everything built so far (modules, catalogue, templates) lives as long as the process, so
    it is moved out of the garbage collector's sight (``gc.freeze``): full collections then
    scan only what requests create, which shortens the pauses they add to a request. Full
    collections are also made rarer (``FULL_COLLECTION_AFTER``), and the young generations are
    collected every few requests (``web.collect``).
    """
    app = create_app(Settings.from_env())
    app.add_middleware(YoungCollections)
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_AFTER)
    return app


FULL_COLLECTION_AFTER = 1000
"""Collections of the middle generation between two full ones (Python's default: 10). A full
collection scans everything the caches keep (plans, their search, people's views: some 85,000
objects when full) and holds the worker for 60-70 ms, and every request in flight waits. At
100 (and 10 before that) one still came every 15 s or so of new plans at 8 clients, and found
no garbage (measured: three in 48 s of the timeline benchmark, 61-71 ms each, 0 objects
freed); at 1000 none came in the same run. Cycles among young objects are still collected as
often as before (generations 0 and 1); only cyclic garbage that outlives both waits longer to
be freed (what a cache lets go is freed by its reference count, at once)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)
