"""Browsing the catalogue: exercises, show, programs, program, guide."""

from __future__ import annotations

from typing import Annotated

import typer

from midback.cli import output
from midback.cli.options import JsonFlag
from midback.domain.vocab import Equipment, Kind, Place


def exercises(
    place: Annotated[
        Place | None, typer.Option(help="Only exercises that can be done here (or a variant can).")
    ] = None,
    equipment: Annotated[
        Equipment | None, typer.Option(help="Only exercises that use this equipment.")
    ] = None,
    kind: Annotated[Kind | None, typer.Option(help="Only exercises of this kind.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the exercises, optionally filtered by place, equipment and kind."""
    from midback.cli import views
    from midback.domain.loader import catalogue

    cat = catalogue()
    found = cat.filter(place=place, equipment=equipment, kind=kind)
    if as_json:
        output.emit_json([e.model_dump(mode="json") for e in found])
    else:
        output.console().print(views.exercises_table(found))


def show(
    exercise_id: Annotated[str, typer.Argument(metavar="ID", help="Exercise id or alias.")],
    as_json: JsonFlag = False,
) -> None:
    """Show one exercise: steps, dose, cues, cautions, variants and sources."""
    from midback.cli import views
    from midback.domain.loader import catalogue

    cat = catalogue()
    exercise = cat.exercise(exercise_id)
    if as_json:
        output.emit_json(exercise.model_dump(mode="json"))
    else:
        output.console().print(views.exercise_panel(exercise, cat))


def programs(as_json: JsonFlag = False) -> None:
    """List the programs taken from the source articles."""
    from midback.cli import views
    from midback.domain.loader import catalogue

    cat = catalogue()
    found = list(cat.programs.values())
    if as_json:
        output.emit_json([p.model_dump(mode="json") for p in found])
    else:
        output.console().print(views.programs_table(found, cat))


def program(
    program_id: Annotated[str, typer.Argument(metavar="ID", help="Program id.")],
    as_json: JsonFlag = False,
) -> None:
    """Show one program with its exercises and doses."""
    from midback.cli import views
    from midback.domain.loader import catalogue

    cat = catalogue()
    found = cat.program(program_id)
    if as_json:
        output.emit_json(found.model_dump(mode="json"))
    else:
        output.console().print(views.program_panel(found, cat))


def guide(
    topic: Annotated[
        str | None, typer.Argument(help="A guide topic; leave out to list them.")
    ] = None,
) -> None:
    """Read the guide: causes, how to stretch, posture, when to see a doctor, and more."""
    from midback.cli import views
    from midback.domain.loader import catalogue

    cat = catalogue()
    console = output.console()
    if topic is None:
        console.print(views.guide_index(list(cat.guides.values())))
    else:
        console.print(views.guide_page(cat.guide(topic), cat))


def register(app: typer.Typer) -> None:
    """Add the catalogue commands to ``app``."""
    app.command()(exercises)
    app.command()(show)
    app.command()(programs)
    app.command()(program)
    app.command()(guide)
