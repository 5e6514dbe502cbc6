"""``midback figure`` and ``midback handout``: an exercise's drawing, and a printable handout."""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class SideChoice(StrEnum):
    """Which side a one-sided exercise is drawn for."""

    LEFT = "left"
    RIGHT = "right"


def figure(
    exercise_id: Annotated[
        str | None, typer.Argument(metavar="ID", help="Exercise id or alias.")
    ] = None,
    variant: Annotated[
        str | None, typer.Option(metavar="V", help="Draw this variant of the exercise.")
    ] = None,
    pose: Annotated[
        str | None,
        typer.Option(metavar="N", help="Draw only key pose N (a number from 1, or its name)."),
    ] = None,
    side: Annotated[
        SideChoice | None, typer.Option(help="Draw a one-sided exercise for this side.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE.svg", help="Write the SVG here (default: stdout)."),
    ] = None,
    sheet: Annotated[
        Path | None,
        typer.Option(
            "--sheet",
            metavar="FILE.svg|FILE.png",
            help="Write every exercise and variant's figure in a grid (PNG: needs Chromium).",
        ),
    ] = None,
) -> None:
    """Draw an exercise's figure as SVG: its key poses, props and the side it works."""
    if sheet is not None:
        _sheet(sheet)
        return
    if exercise_id is None:
        raise typer.BadParameter("give an exercise ID, or --sheet FILE", param_hint="ID")
    from midback.figures.render import render_figure

    svg = render_figure(
        exercise_id,
        variant=variant,
        pose=pose,
        side=side.value if side is not None else None,
    )
    if out is None:
        sys.stdout.write(svg + "\n")
        return
    _write(out, (svg + "\n").encode("utf-8"), option="--out")
    sys.stdout.write(f"Figure written to {out}\n")


def _sheet(path: Path) -> None:
    from midback.domain.loader import catalogue
    from midback.figures.sheet import SheetError, contact_sheet, png_of

    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise typer.BadParameter("the sheet is FILE.svg or FILE.png", param_hint="--sheet")
    svg = contact_sheet(catalogue())
    try:
        data = png_of(svg) if suffix == ".png" else (svg + "\n").encode("utf-8")
    except SheetError as error:
        raise typer.BadParameter(str(error), param_hint="--sheet") from None
    _write(path, data, option="--sheet")
    sys.stdout.write(f"Contact sheet written to {path}\n")


def handout(
    program_or_plan: Annotated[
        str,
        typer.Argument(
            metavar="PROGRAM_OR_PLAN",
            help="A program id, 'all' (every program), or a plan file from 'midback plan --json'.",
        ),
    ],
    pdf: Annotated[Path, typer.Option("--pdf", metavar="FILE", help="Write the PDF here.")],
    start: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="First day of the tick grid (e.g. 2026-11-23)."),
    ] = None,
    cleared: Annotated[
        bool,
        typer.Option(
            "--cleared", help="A plan file: a clinician has cleared you (as for midback plan)."
        ),
    ] = False,
) -> None:
    """Write a printable handout: a page per program, figures, dose, a two-week tick grid.

    A plan file is checked against your stored safety screen first, as a plan is.
    """
    from midback.domain.loader import catalogue
    from midback.handout import handout_pages, pdf_bytes, plan_page, plan_path, read_plan

    first = _date(start) if start is not None else None
    cat = catalogue()
    plan_file = plan_path(cat, program_or_plan)
    if plan_file is None:
        pages = handout_pages(cat, program_or_plan)
    else:
        from midback.cli.plan_cmds import refuse
        from midback.cli.store import now, store
        from midback.errors import ScreenBlocked
        from midback.services import LOCAL_PERSON
        from midback.services.screening import check_plan

        plan = read_plan(plan_file)
        try:
            check_plan(store(), cat, LOCAL_PERSON, plan, now=now(), cleared=cleared)
        except ScreenBlocked as blocked:
            raise refuse(blocked, as_json=False) from None
        pages = [plan_page(cat, plan, slug=plan_file.stem)]
    _write(pdf, pdf_bytes(pages, start=first), option="--pdf")
    count = len(pages)
    sys.stdout.write(f"Handout written to {pdf} ({count} page{'s' if count != 1 else ''})\n")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date like 2026-11-23", param_hint="--start"
        ) from None


def _write(path: Path, data: bytes, *, option: str) -> None:
    if not path.parent.is_dir():
        raise typer.BadParameter(f"folder {path.parent} does not exist", param_hint=option)
    partial = path.with_name(path.name + ".part")
    try:
        partial.write_bytes(data)
        partial.replace(path)
    except OSError as error:
        raise typer.BadParameter(
            f"cannot write {path}: {error.strerror}", param_hint=option
        ) from None


def register(app: typer.Typer) -> None:
    """Add ``figure`` and ``handout`` to ``app``."""
    app.command("figure")(figure)
    app.command("handout")(handout)
