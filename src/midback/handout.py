"""Handouts like the printouts physiotherapists give: one page per program, as HTML or PDF,
and a clinician's programme for one person (``programme_page``: their name, the clinician, the
date and each exercise's note).

A page holds each exercise's figure, steps, dose and cautions, a tick box per day for two
weeks, the disclaimer and the sources. The web's print view (``/print/ID``) and the PDF
(``midback handout``) render the same template, ``print.html``; the PDF takes only its
``main`` block and the handout style sheet. WeasyPrint lays the PDF out; a page that runs
over is laid out again in a denser style (smaller type and figures) until it fits on one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError

from midback.domain.catalogue import Catalogue, Exercise
from midback.domain.contraindications import CONDITION_LABELS
from midback.domain.plans import Plan
from midback.domain.programme import Programme, prescription
from midback.errors import ImportFileError, UnknownIdError
from midback.figures.render import render_figure

TEMPLATES = Path(str(resources.files("midback") / "web" / "templates"))
STYLESHEET = Path(__file__).parent / "figures" / "handout.css"
DENSITIES = 7
"""Styles from roomy (0) to dense (6); a page takes the first in which it fits on one sheet."""
DAYS = 14
DISCLAIMER = (
    "Not medical advice. midback is not a medical device. Stop any exercise that hurts. Chest "
    "pain, sudden tearing pain between the shoulder blades, breathlessness, or numbness in both "
    "legs: call emergency services now."
)


@dataclass(frozen=True)
class HandoutExercise:
    """One exercise as the handout prints it."""

    name: str
    figure: str
    """Inline SVG markup (presentation attributes only)."""
    dose: str
    breath: str | None
    steps: list[str]
    cautions: list[str]


@dataclass(frozen=True)
class HandoutPage:
    """One printed page: a program (or a plan) with its exercises."""

    slug: str
    title: str
    lead: str
    exercises: list[HandoutExercise]
    sources: list[str]


def handout_pages(cat: Catalogue, what: str) -> list[HandoutPage]:
    """The pages for ``what``: a program id, ``all`` (every program), or a plan JSON file.

    UnknownIdError names a program that does not exist (with close ids); ImportFileError a
    plan file that cannot be read.
    """
    if what == "all":
        return [program_page(cat, p) for p in cat.programs]
    if what in cat.programs:
        return [program_page(cat, what)]
    path = plan_path(cat, what)
    if path is not None:
        return [plan_page(cat, read_plan(path), slug=path.stem)]
    cat.program(what)  # raises UnknownIdError with suggestions
    raise UnknownIdError("program", what, [])  # pragma: no cover - program() raised


def plan_path(cat: Catalogue, what: str) -> Path | None:
    """``what`` as the path of a plan file, or None when it names a program (or ``all``)."""
    if what == "all" or what in cat.programs:
        return None
    path = Path(what)
    return path if path.suffix == ".json" or path.is_file() else None


def program_page(cat: Catalogue, program_id: str) -> HandoutPage:
    """The page of one program, in its order and with its doses."""
    program = cat.program(program_id)
    exercises = []
    for entry in program.entries:
        exercise = cat.exercises[entry.exercise_id]
        dose = entry.dose or exercise.dose
        exercises.append(
            _exercise(
                cat,
                exercise,
                entry.variant,
                dose.describe(),
                dose.breath_pattern or exercise.dose.breath_pattern,
            )
        )
    sources = [cat.source_title(program.source)]
    sources += [
        cat.source_title(s) for e in program.entries for s in cat.exercises[e.exercise_id].sources
    ]
    return HandoutPage(
        slug=program.id,
        title=program.name,
        lead=program.description,
        exercises=exercises,
        sources=list(dict.fromkeys(sources)),
    )


def plan_page(cat: Catalogue, plan: Plan, *, slug: str = "plan") -> HandoutPage:
    """The page of a plan (``midback plan --json``), with its blocks' own doses."""
    exercises = []
    for block in plan.blocks:
        exercise = cat.exercise(block.exercise_id)
        exercises.append(
            _exercise(
                cat, exercise, block.variant, block.dose.describe(), exercise.dose.breath_pattern
            )
        )
    program = cat.programs.get(plan.program_id) if plan.program_id else None
    title = program.name if program else f"Your {plan.minutes}-minute routine"
    minutes = -(-plan.total_seconds // 60)
    lead = f"About {minutes} minutes, {len(plan.blocks)} exercises, planned for you by midback."
    lead += "".join(f" {note}" for note in plan.notes)
    sources = [
        cat.source_title(s) for b in plan.blocks for s in cat.exercise(b.exercise_id).sources
    ]
    return HandoutPage(
        slug=slug, title=title, lead=lead, exercises=exercises, sources=list(dict.fromkeys(sources))
    )


def _exercise(
    cat: Catalogue, exercise: Exercise, variant: str | None, dose: str, breath: str | None
) -> HandoutExercise:
    form = exercise.variant(variant) if variant else None
    steps = form.steps if form and form.steps else exercise.steps
    cautions = []
    for caution in exercise.cautions:
        label = CONDITION_LABELS.get(caution.condition, caution.condition.value)
        if caution.action.value == "avoid":
            what = "avoid"
        elif caution.variant and caution.variant != variant:
            what = f"do the {exercise.variant(caution.variant).name.lower()}"
        else:
            what = "take care"
        cautions.append(f"{label}: {what}. {caution.text}")
    figure = render_figure(exercise.id, variant=variant, standalone=False, cat=cat)
    return HandoutExercise(
        name=form.name if form else exercise.name,
        figure=figure,
        dose=dose,
        breath=breath,
        steps=list(steps),
        cautions=cautions,
    )


def read_plan(path: Path) -> Plan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ImportFileError(str(path), "no such plan file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFileError(str(path), f"not a JSON plan: {error}") from None
    try:
        return Plan.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ImportFileError(
            f"{path}: {where}", f"{first['msg']} (expected 'midback plan --json')"
        ) from None


def tick_days(start: date | None) -> list[list[str]]:
    """Labels of the tick grid's boxes: two rows of seven (dates from ``start``, or day numbers)."""
    if start is None:
        labels = [f"Day {n}" for n in range(1, DAYS + 1)]
    else:
        labels = [(start + timedelta(days=n)).strftime("%a %d %b") for n in range(DAYS)]
    return [labels[:7], labels[7:]]


def template_context(
    pages: list[HandoutPage], *, start: date | None = None, density: int | None = None
) -> dict[str, Any]:
    """What ``print.html`` renders: the pages, the tick grid, the disclaimer.

    ``density`` applies to every page; None estimates each page's own (the print view).
    """
    densities = [density if density is not None else estimated_density(p) for p in pages]
    return {
        "pages": list(zip(pages, densities, strict=True)),
        "weeks": tick_days(start),
        "disclaimer": DISCLAIMER,
    }


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape())


def pdf_html(pages: list[HandoutPage], *, start: date | None = None, density: int = 0) -> str:
    """The handout as a standalone HTML document for the PDF (no site header or scripts)."""
    template = _environment().get_template("print.html")
    context = template.new_context(template_context(pages, start=start, density=density))
    body = "".join(template.blocks["main"](context))
    title = pages[0].title if len(pages) == 1 else "midback handouts"
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_escape(title)}'
        f'</title></head><body class="handout-pdf">{body}</body></html>'
    )


def pdf_bytes(pages: list[HandoutPage], *, start: date | None = None) -> bytes:
    """The PDF of ``pages``, one sheet each (each page laid out as densely as it needs)."""
    from weasyprint import CSS  # type: ignore[import-untyped]

    style = CSS(string=STYLESHEET.read_text(encoding="utf-8"))
    documents = [_fitted(page, style, start) for page in pages]
    sheets = [sheet for document in documents for sheet in document.pages]
    data: bytes = documents[0].copy(sheets).write_pdf()
    return data


def estimated_density(page: HandoutPage) -> int:
    """A first guess at the density that fits ``page`` on one sheet, from its amount of text."""
    text = sum(len(" ".join(e.steps)) + len(" ".join(e.cautions)) for e in page.exercises)
    return max(0, min(DENSITIES - 1, round((text - 2500) / 450)))


def _fitted(page: HandoutPage, style: Any, start: date | None) -> Any:
    """``page`` rendered at the roomiest density that fits one sheet (the densest if none)."""
    from weasyprint import HTML

    def render(density: int) -> Any:
        return HTML(string=pdf_html([page], start=start, density=density)).render(
            stylesheets=[style]
        )

    density = estimated_density(page)
    document = render(density)
    if len(document.pages) == 1:
        while density > 0 and len((roomier := render(density - 1)).pages) == 1:
            density, document = density - 1, roomier
        return document
    while density < DENSITIES - 1 and len(document.pages) > 1:
        density += 1
        document = render(density)
    return document


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def programme_page(
    cat: Catalogue,
    programme: Programme,
    *,
    patient: str,
    clinician: str | None,
    on: date,
) -> ProgrammeHandout:
    """The handout of a clinician's programme: for ``patient``, from ``clinician``, dated
    ``on``, each exercise with the clinician's dose and note."""
    exercises = []
    for item in programme.items:
        exercise = cat.exercise(item.exercise_id)
        dose = prescription(exercise, item).describe()
        made = _exercise(cat, exercise, item.variant, dose, exercise.dose.breath_pattern)
        exercises.append((made, item.note))
    days = f"{programme.days_per_week} day{'s' if programme.days_per_week != 1 else ''} a week"
    who = f"For {patient}" + (f", from {clinician}" if clinician else "")
    sources = [cat.source_title(s) for i in programme.items
               for s in cat.exercise(i.exercise_id).sources]  # fmt: skip
    return ProgrammeHandout(
        slug=f"programme-{programme.id}",
        title=programme.title,
        prepared=f"{who}, {on.strftime('%d %b %Y')}.",
        lead=f"{days}, {len(exercises)} exercise{'s' if len(exercises) != 1 else ''}.",
        exercises=exercises,
        sources=list(dict.fromkeys(sources)),
    )


@dataclass(frozen=True)
class ProgrammeHandout:
    """A programme's printed page: who it is for, from whom and when, each exercise with the
    clinician's note (None: none)."""

    slug: str
    title: str
    prepared: str
    lead: str
    exercises: list[tuple[HandoutExercise, str | None]]
    sources: list[str]
