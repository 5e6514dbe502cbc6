"""Figures and handouts on the web: SVG drawings, the player's keyframes, and the print view.

``/figures/ID.svg`` is the still picture (``?variant=V&pose=N&side=left|right``, and
``size=thumb`` for the thumbnail the lists show);
``/figures/ID.json`` the keyframes the player animates. ``/print/ID`` is a handout to print
(ID a program, ``all``, or ``plan`` with the plan page's query), and ``/print/ID.pdf`` the
same as a PDF. Plan files are a CLI matter: the web never reads a path it is given.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from midback.domain.catalogue import Catalogue
from midback.domain.vocab import Focus
from midback.errors import PlanError, ScreenBlocked, UnknownIdError
from midback.figures.library import FigureLibrary
from midback.figures.motion import keyframes
from midback.figures.render import render_figure
from midback.handout import STYLESHEET, HandoutPage, plan_page, program_page
from midback.handout import template_context as handout_context
from midback.services.planning import make_plan_for
from midback.web.deps import Cat, Now, PersonId, Repo
from midback.web.forms import plan_form, validated
from midback.web.render import link, not_found, render
from midback.web.routing import SegmentRouter
from midback.web.schemas import EARLIEST_DAY, LATEST_DAY, PlanBody

router = SegmentRouter(include_in_schema=False)

SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
"""An image needs no scripts or loads; its own style sheet (light and dark) is inline."""
CACHE = {"Cache-Control": "public, max-age=3600"}

SideParam = Annotated[Literal["left", "right"] | None, Query()]


class WebFigures:
    """The figures one app serves: its figure library, and each thumbnail and set of keyframes
    made once (``create_app`` builds it; the ids are checked against the catalogue before
    anything is kept, so it holds at most one entry per exercise and variant)."""

    def __init__(self, cat: Catalogue) -> None:
        self.library = FigureLibrary(cat)
        self._thumbs: dict[tuple[str, str | None], str] = {}
        self._keyframes: dict[tuple[str, str | None], dict[str, Any]] = {}

    def thumb(self, exercise_id: str, variant: str | None) -> str:
        """The thumbnail of a known exercise id (and variant)."""
        key = (exercise_id, variant)
        if key not in self._thumbs:
            self._thumbs[key] = render_figure(
                exercise_id, variant=variant, library=self.library, thumb=True
            )
        return self._thumbs[key]

    def keyframes(self, exercise_id: str, variant: str | None) -> dict[str, Any]:
        """The player's keyframes of a known exercise id (and variant)."""
        key = (exercise_id, variant)
        if key not in self._keyframes:
            exercise = self.library.catalogue.exercises[exercise_id]
            title = exercise.variant(variant).name if variant else exercise.name
            spec = self.library.spec(exercise_id, variant)
            self._keyframes[key] = keyframes(spec, title=title)
        return self._keyframes[key]


def _figures(request: Request) -> WebFigures:
    figures: WebFigures = request.app.state.figures
    return figures


Figures = Annotated[WebFigures, Depends(_figures)]


SizeParam = Annotated[Literal["full", "thumb"], Query()]


@router.get("/figures/{exercise_id}.svg")
def figure_svg(
    cat: Cat,
    figures: Figures,
    exercise_id: str,
    variant: str | None = None,
    pose: str | None = None,
    side: SideParam = None,
    size: SizeParam = "full",
) -> Response:
    """An exercise's picture (``size=thumb``: the small one the lists show, made once per
    process); 404 names an unknown exercise, variant or pose."""
    if size == "thumb" and pose is None and side is None:
        exercise = cat.exercise(exercise_id)
        if variant:
            exercise.variant(variant)
        svg = figures.thumb(exercise.id, variant or None)
    else:
        svg = render_figure(
            exercise_id,
            variant=variant or None,
            pose=pose or None,
            side=side,
            library=figures.library,
            thumb=size == "thumb",
        )
    headers = CACHE | {"Content-Security-Policy": SVG_POLICY}
    return Response(svg, media_type="image/svg+xml", headers=headers)


@router.get("/figures/{exercise_id}.json")
def figure_json(
    cat: Cat, figures: Figures, exercise_id: str, variant: str | None = None
) -> JSONResponse:
    """The keyframes of an exercise (or variant) for the player's moving figure."""
    exercise = cat.exercise(exercise_id)
    if variant:
        exercise.variant(variant)
    return JSONResponse(figures.keyframes(exercise.id, variant or None), headers=CACHE)


# -- handouts ---------------------------------------------------------------------------------


@router.get("/print/handout.css")
def handout_css() -> Response:
    """The handout's style sheet (screen, paper and PDF)."""
    return Response(STYLESHEET.read_text(encoding="utf-8"), media_type="text/css", headers=CACHE)


@router.get("/print/{what}.pdf", response_model=None)
async def print_pdf(
    request: Request,
    repo: Repo,
    cat: Cat,
    person: PersonId,
    now: Now,
    what: str,
    start: str | None = None,
) -> Response:
    """The handout as a PDF, one page per program (laid out in a worker thread, at most two
    at a time, and kept: ``web/pdfs.py``)."""
    pages = _pages(request, repo, cat, person, what, now)
    if isinstance(pages, Response):
        return pages
    data = await request.app.state.pdfs.pdf(pages, start=_start(start))
    name = f"midback-{what}.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get("/print/{what}", response_class=HTMLResponse, response_model=None)
def print_view(
    request: Request,
    repo: Repo,
    cat: Cat,
    person: PersonId,
    now: Now,
    what: str,
    start: str | None = None,
) -> Response:
    """The handout to print from the browser, with a link to its PDF."""
    pages = _pages(request, repo, cat, person, what, now)
    if isinstance(pages, Response):
        return pages
    title = pages[0].title if len(pages) == 1 else "Every program"
    query = list(request.query_params.multi_items())
    context = handout_context(pages, start=_start(start))
    return render(
        request,
        "print.html",
        title=f"Handout: {title}",
        pdf_url=link(f"/print/{what}.pdf", query),
        **context,
    )


def _pages(
    request: Request, repo: Repo, cat: Catalogue, person: int, what: str, now: datetime
) -> list[HandoutPage] | Response:
    if what == "all":
        return [program_page(cat, p) for p in cat.programs]
    if what == "plan":
        return _plan_pages(request, repo, cat, person, now)
    try:
        return [program_page(cat, what)]
    except UnknownIdError as error:
        links = [(f"/print/{s}", cat.programs[s].name) for s in error.suggestions]
        return not_found(request, f"There is no program called “{what}” to print.", links)


def _plan_pages(
    request: Request, repo: Repo, cat: Catalogue, person: int, now: datetime
) -> list[HandoutPage] | Response:
    """The plan that ``/plan`` shows for the same query; back to it when it cannot be made."""
    form = plan_form(request.query_params, focus=Focus.RELIEF)
    body, errors = validated(PlanBody, form)
    back = RedirectResponse(link("/plan", list(request.query_params.multi_items())), 303)
    if body is None or errors:
        return back
    if body.program_id is None and (body.minutes is None or body.place is None):
        return back
    try:
        plan = make_plan_for(repo, cat, person, body.request(), program_id=body.program_id, now=now)
    except (ScreenBlocked, PlanError, UnknownIdError):
        return back
    return [plan_page(cat, plan, slug="plan")]


def _start(text: str | None) -> date | None:
    """The tick grid's first day; a bad or far-off one (year 9999 overflows the grid) is
    ignored, as a missing one is."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and EARLIEST_DAY <= day <= LATEST_DAY else None
