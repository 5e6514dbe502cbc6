"""Server-rendered pages (Jinja2). Each route parses, calls a use case and renders a template."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from midback.web.deps import Cat
from midback.web.security import csrf_token

router = APIRouter(include_in_schema=False)


def render(request: Request, template: str, **context: Any) -> HTMLResponse:
    """Render ``template`` with the CSRF token and the catalogue's sources in its context."""
    templates: Jinja2Templates = request.app.state.templates
    context.setdefault("csrf_token", csrf_token(request))
    return templates.TemplateResponse(request, template, context)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, cat: Cat) -> HTMLResponse:
    """Quick start: minutes, place, focus, start now."""
    return render(request, "home.html", programs=list(cat.programs.values()))


@router.get("/about", response_class=HTMLResponse)
def about(request: Request, cat: Cat) -> HTMLResponse:
    """What midback is, the disclaimer, and the articles it is built from."""
    return render(
        request, "about.html", page=cat.guide("about"), sources=list(cat.sources.values())
    )
