"""The catalogue's pages: about, the guide, the exercises and the programs."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from midback.domain.assemble import plan_program
from midback.domain.catalogue import Catalogue, Program
from midback.domain.plans import PlanRequest
from midback.domain.timeline import compile_plan
from midback.domain.vocab import Equipment, Kind, Place
from midback.errors import UnknownIdError
from midback.web.deps import Cat
from midback.web.forms import choice
from midback.web.render import not_found, render
from midback.web.routing import SegmentRouter

router = SegmentRouter(include_in_schema=False)


@dataclass(frozen=True)
class ProgramFacts:
    """What a program card shows beside the blurb: how long the player takes, and the kit."""

    seconds: int
    """The compiled timeline's length for a beginner at home, as ``/player?program=`` plays it."""
    kit: list[str]
    """The equipment its exercises use, in words (empty: the body alone)."""


def program_facts(cat: Catalogue, program: Program) -> ProgramFacts:
    """The length and kit of ``program`` as the player plays it (no conditions, beginner)."""
    plan = plan_program(cat, program, PlanRequest(minutes=240, place=Place.HOME))
    kit = sorted({e for b in plan.blocks for e in b.equipment if e is not Equipment.NONE})
    return ProgramFacts(seconds=compile_plan(plan, cat).total_s,
                        kit=[e.value.replace("-", " ") for e in kit])  # fmt: skip


@router.get("/about", response_class=HTMLResponse)
def about(request: Request, cat: Cat) -> HTMLResponse:
    """What midback is, the disclaimer, and the articles it is built from."""
    return render(
        request, "about.html", page=cat.guide("about"), sources=list(cat.sources.values())
    )


@router.get("/guide", response_class=HTMLResponse)
def guide_index(request: Request, cat: Cat) -> HTMLResponse:
    """The guide's pages."""
    pages = [g for g in cat.guides.values() if g.id != "about"]
    return render(request, "guide.html", pages=pages)


@router.get("/guide/{guide_id}", response_class=HTMLResponse)
def guide_page(request: Request, cat: Cat, guide_id: str) -> HTMLResponse:
    """One guide page from Markdown (its raw HTML escaped), with its sources."""
    try:
        page = cat.guide(guide_id)
    except UnknownIdError as error:
        links = [(f"/guide/{s}", cat.guides[s].title) for s in error.suggestions]
        return not_found(request, f"There is no guide page called “{guide_id}”.", links)
    sources = [cat.source_title(s) for s in page.sources]
    return render(request, "guide_page.html", page=page, sources=sources)


@router.get("/exercises", response_class=HTMLResponse)
def exercises(request: Request, cat: Cat) -> HTMLResponse:
    """The catalogue, filtered by place, equipment and kind."""
    params = request.query_params
    form = {name: params.get(name, "").strip() for name in ("place", "equipment", "kind")}
    errors: dict[str, str] = {}
    place = choice(form, "place", Place, errors)
    equipment = choice(form, "equipment", Equipment, errors)
    kind = choice(form, "kind", Kind, errors)
    found = [] if errors else cat.filter(place=place, equipment=equipment, kind=kind)
    return render(request, "exercises.html", status_code=422 if errors else 200,
                  form=form, errors=errors, exercises=found,
                  total=len(cat.exercises))  # fmt: skip


@router.get("/exercises/{exercise_id}", response_class=HTMLResponse, response_model=None)
def exercise_page(request: Request, cat: Cat, exercise_id: str) -> Response:
    """One exercise: how to do it, how much, cautions, variants and sources."""
    try:
        exercise = cat.exercise(exercise_id)
    except UnknownIdError as error:
        links = [(f"/exercises/{s}", cat.exercises[s].name) for s in error.suggestions]
        return not_found(request, f"There is no exercise called “{exercise_id}”.", links)
    if exercise.id != exercise_id:  # an alias or a name: go to the one address
        return RedirectResponse(f"/exercises/{exercise.id}", status_code=308)
    return render(request, "exercise.html", exercise=exercise, cat=cat)


@router.get("/programs", response_class=HTMLResponse)
def programs(request: Request, cat: Cat) -> HTMLResponse:
    """The eight programs from the articles."""
    cards = [(p, program_facts(cat, p)) for p in cat.programs.values()]
    return render(request, "programs.html", cards=cards, cat=cat)


@router.get("/programs/{program_id}", response_class=HTMLResponse)
def program_page(request: Request, cat: Cat, program_id: str) -> HTMLResponse:
    """A program's exercises with their doses and sources, and a button to start it."""
    try:
        program = cat.program(program_id)
    except UnknownIdError as error:
        links = [(f"/programs/{s}", cat.programs[s].name) for s in error.suggestions]
        return not_found(request, f"There is no program called “{program_id}”.", links)
    return render(request, "program.html", program=program, cat=cat,
                  facts=program_facts(cat, program))  # fmt: skip
