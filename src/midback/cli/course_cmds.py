"""``midback course``: follow a core of exercises for weeks (start, show, swap, stop).

No ``from __future__ import annotations`` here: Typer reads the parameters from annotations.
"""

from typing import Annotated

import typer

from midback.cli import output
from midback.cli.options import (
    AnswersOpt,
    ClearedOpt,
    ConditionOpt,
    EquipmentOpt,
    JsonFlag,
    LevelOpt,
    Minutes,
    PlaceOpt,
    ProgramOpt,
    SeedOpt,
)
from midback.cli.plan_cmds import build_request, refuse
from midback.domain.course import DEFAULT_WEEKS
from midback.domain.vocab import Focus, Level
from midback.errors import ScreenBlocked

course_app = typer.Typer(
    help="Follow a course: a core of exercises repeated and progressed for weeks.",
    invoke_without_command=True,
)


@course_app.callback()
def course_show(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Show your course: phase, today's session, each core exercise's dose step, the review."""
    if ctx.invoked_subcommand is not None:
        return
    from midback.cli.store import now, store
    from midback.domain.loader import catalogue
    from midback.services.courses import course_view

    view = course_view(store(), catalogue(), 1, now=now())
    if as_json:
        output.emit_json(view.to_json())
        return
    from midback.cli import course_views

    output.console().print(course_views.course_panel(view))


@course_app.command("start")
def course_start(
    program: ProgramOpt = None,
    minutes: Minutes = None,
    place: PlaceOpt = None,
    equipment: EquipmentOpt = None,
    condition: ConditionOpt = None,
    level: LevelOpt = Level.BEGINNER,
    weeks: Annotated[
        int, typer.Option(min=1, max=52, help=f"How many weeks (default {DEFAULT_WEEKS}).")
    ] = DEFAULT_WEEKS,
    answers: AnswersOpt = None,
    cleared: ClearedOpt = False,
    seed: SeedOpt = 0,
    as_json: JsonFlag = False,
) -> None:
    """Start a course (ending the one you follow): the settle phase's core, or a program's."""
    from midback.cli.answers import gate
    from midback.cli.store import now, store
    from midback.domain.loader import catalogue
    from midback.services.courses import start_course

    request = build_request(
        minutes=minutes, place=place, equipment=equipment, conditions=condition,
        focus=Focus.RELIEF, level=level, seed=seed, cleared=cleared, program=program,
    )  # fmt: skip
    repo = store()
    try:
        given = gate(repo, answers_file=answers, as_json=as_json, store_given=True)
        course = start_course(repo, catalogue(), 1, request, now=now(), weeks=weeks,
                              program_id=program, answers=given)  # fmt: skip
    except ScreenBlocked as blocked:
        raise refuse(blocked, as_json=as_json) from None
    if as_json:
        output.emit_json(course.to_json())
        return
    output.console().print(
        f"Course started: {len(course.core)} core exercises for {course.weeks} weeks. "
        "`midback start` plays today's session; `midback course` shows where you are."
    )


@course_app.command("swap")
def course_swap(
    exercise_id: Annotated[str, typer.Argument(metavar="EXERCISE_ID")],
    as_json: JsonFlag = False,
) -> None:
    """Swap one core exercise for another that moves the same way."""
    from midback.cli.store import now, store
    from midback.domain.loader import catalogue
    from midback.services.courses import swap

    try:
        course = swap(store(), catalogue(), 1, exercise_id, now=now())
    except ScreenBlocked as blocked:
        raise refuse(blocked, as_json=as_json) from None
    if as_json:
        output.emit_json(course.to_json())
    else:
        output.console().print(course.events[-1].message)


@course_app.command("stop")
def course_stop(as_json: JsonFlag = False) -> None:
    """Stop following your course (its record stays)."""
    from midback.cli.store import now, store
    from midback.services.courses import stop

    course = stop(store(), 1, now=now())
    if as_json:
        output.emit_json(course.to_json())
    else:
        output.console().print("Course stopped.")


def register(app: typer.Typer) -> None:
    """Add the ``course`` group to ``app``."""
    app.add_typer(course_app, name="course")
