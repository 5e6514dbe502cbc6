"""Rendering the pages: the template helper, its filters and globals, the 404 and error pages,
and the links every page builds (``link``, ``safe_next``, ``screen_first``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from midback.caches import KeptFrom, LruCache
from midback.domain.contraindications import CONDITION_LABELS
from midback.domain.questions import (
    EMERGENCY_FLAGS,
    PREGNANCY_ONLY,
    RED_FLAG_QUESTIONS,
    RedFlag,
)
from midback.domain.vocab import Condition, Direction, Equipment, Focus, Kind, Level, Place
from midback.errors import ScreenRequired
from midback.web.security import csrf_token

PLACE_LABELS: Final = {
    Place.DESK: "At a desk",
    Place.CAR: "On a driving break",
    Place.HOME: "At home",
    Place.GYM: "At the gym",
}
FOCUS_LABELS: Final = {
    Focus.RELIEF: "Relief",
    Focus.MOBILITY: "Mobility",
    Focus.STRENGTH: "Strength",
    Focus.POSTURE: "Posture",
    Focus.CARDIO: "Walking (cardio)",
}
CHOICES: Final = {
    "places": list(PLACE_LABELS.items()),
    "focuses": list(FOCUS_LABELS.items()),
    "levels": [(level, level.value.capitalize()) for level in Level],
    "kinds": [(kind, kind.value.capitalize()) for kind in Kind],
    "equipment": [(e, e.value.replace("-", " ")) for e in Equipment if e is not Equipment.NONE],
    "conditions": list(CONDITION_LABELS.items()),
    "emergency_flags": [(f, RED_FLAG_QUESTIONS[f]) for f in EMERGENCY_FLAGS],
    "other_flags": [
        (f, RED_FLAG_QUESTIONS[f])
        for f in RedFlag
        if f not in EMERGENCY_FLAGS and f not in PREGNANCY_ONLY
    ],
    "pregnancy_flags": [(f, RED_FLAG_QUESTIONS[f]) for f in RedFlag if f in PREGNANCY_ONLY],
}
"""Options of every select and checkbox group, as (value, label)."""


def _templates(request: Request) -> Jinja2Templates:
    """The app's templates, with the page helpers' filters and globals."""
    templates: Jinja2Templates = request.app.state.templates
    filters = templates.env.filters
    filters.setdefault("clock", clock)
    filters.setdefault("score", score)
    filters.setdefault("condition_label", condition_label)
    filters.setdefault("direction_words", direction_words)
    templates.env.globals.setdefault("link", link)
    templates.env.globals.setdefault("choices", CHOICES)
    templates.env.globals.setdefault("plan_options", plan_options)
    return templates


OPTION_FIELDS: Final = ("minutes", "place", "focus", "level", "program", "equipment", "conditions")
"""What the plan options' fields show of a form (``plan_form``): all of it but the mix and the
clearance, which ``state`` carries."""


@pass_context
def plan_options(
    context: Context,
    form: Mapping[str, Any],
    errors: Mapping[str, str],
    programs: Sequence[tuple[str, str]] | None = None,
) -> Markup:
    """The plan options (``_plan_options.html``): its fields, kept by what they show (the
    form's values, the errors and the programs offered), then the hidden mix and clearance. A
    page asked again with only another seed ("Try a different mix") renders none of the fields
    again: they were half the plan page's rendering."""
    module = context.environment.get_template("_plan_options.html").module
    shown = tuple(
        tuple(value) if isinstance(value := form.get(name), list) else value
        for name in OPTION_FIELDS
    )
    key = (shown, tuple(errors.items()), tuple(programs or ()))
    kept: LruCache[tuple[object, ...], Markup] = context["request"].app.state.plan_options
    fields = kept.get(key)
    if fields is None:
        fields = Markup(module.fields(form, errors, programs=programs))  # type: ignore[attr-defined]
        kept.put(key, fields)
    state: Markup = module.state(form)  # type: ignore[attr-defined]
    return fields + Markup("\n") + state


def kept_part(
    request: Request,
    template: str,
    *,
    made_from: tuple[object, ...],
    context: Callable[[], dict[str, Any]],
) -> Markup:
    """``template``, a part of a page with no form in it, rendered with ``context()`` and kept
    while the objects ``made_from`` are the same ones (compared by identity; they must be
    values that never change, such as a person's cached history view and the catalogue, and
    ``context()`` must be made from them alone): a page asked again renders only its frame."""
    parts: KeptFrom[Markup] = request.app.state.parts

    def make() -> Markup:
        return Markup(_templates(request).get_template(template).render(**context()))

    return parts.get(template, made_from, make)


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render ``template`` with the CSRF token, the form choices and the page helpers."""
    templates = _templates(request)
    context.setdefault("csrf_token", csrf_token(request) if hasattr(request.state, "csrf") else "")
    context.setdefault("choices", CHOICES)
    server_mode = request.app.state.settings.mode == "server"
    context.setdefault("server_mode", server_mode)
    if server_mode and "signed_in" not in context:
        who = request.app.state.auth.person(request)
        context["signed_in"] = who is not None
        if who is not None and "is_clinician" not in context:
            from midback.domain.accounts import Role

            account, _ = request.app.state.accounts.get(who)
            context["is_clinician"] = account.role is Role.CLINICIAN
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def direction_words(direction: Direction) -> str:
    """What a movement in ``direction`` does, in plain words (``turns the upper back``)."""
    from midback.domain.why import DOES

    return DOES[direction]


def clock(seconds: int) -> str:
    """``m:ss``, e.g. ``9:05``."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def score(value: int | None) -> str:
    """A 0-10 score as ``3/10``, or a dash when not recorded."""
    return "\u2013" if value is None else f"{value}/10"


def condition_label(value: str) -> str:
    """The plain label of a condition id."""
    try:
        return CONDITION_LABELS[Condition(value)]
    except ValueError:
        return value


def not_found(
    request: Request, message: str, suggestions: list[tuple[str, str]] | None = None
) -> HTMLResponse:
    """The 404 page, with links to close matches (``(href, label)``)."""
    return render(request, "404.html", status_code=404, message=message,
                  suggestions=suggestions or [])  # fmt: skip


def install_error_pages(app: FastAPI) -> None:
    """Render HTTP errors outside ``/api`` and ``/static`` as pages (404 page, form expired).

    The JSON API keeps FastAPI's JSON errors. Call it once from ``create_app``.
    """

    async def page_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        path = request.url.path
        if path.startswith(("/api/", "/static/")) or path == "/openapi.json":
            return await http_exception_handler(request, error)
        if error.status_code == 404:
            return not_found(request, f"There is no page at {path}.")
        if error.status_code == 401:
            return RedirectResponse(f"/login?next={quote(path)}", status_code=303)
        response = render(request, "error.html", status_code=error.status_code,
                          message=str(error.detail), status=error.status_code)  # fmt: skip
        response.headers.update(error.headers or {})
        return response

    app.add_exception_handler(StarletteHTTPException, page_error)


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site (``/plan?...``), else empty: never a link
    to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return ""
    return target


def screen_first(request: Request, required: ScreenRequired) -> RedirectResponse:
    """To the safety screen, coming back here once it is answered."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(link("/screen", [("next", here), ("why", required.verdict)]), 303)


def link(path: str, pairs: list[tuple[str, str]]) -> str:
    """``path`` with the query ``pairs``."""
    return f"{path}?{urlencode(pairs)}" if pairs else path
