"""The options several commands share, defined once (kept light: imported at start-up)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from midback.domain.vocab import Focus, Level, Place

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]

Minutes = Annotated[int | None, typer.Option(min=1, max=240, help="Minutes you have (1-240).")]
PlaceOpt = Annotated[Place | None, typer.Option(help="Where you are.")]
EquipmentOpt = Annotated[
    list[str] | None,
    typer.Option(
        help="Kit at hand, comma-separated or repeated (default: the place's usual kit).",
        metavar="LIST",
    ),
]
ConditionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--condition",
        help="Conditions to plan around, comma-separated or repeated.",
        metavar="LIST",
    ),
]
FocusOpt = Annotated[Focus, typer.Option(help="What you most want.")]
LevelOpt = Annotated[Level, typer.Option(help="Your training level.")]
AnswersOpt = Annotated[
    Path | None,
    typer.Option(
        "--answers",
        metavar="FILE",
        help="Safety-screen answers (JSON) to screen with, instead of your stored screen.",
    ),
]
ClearedOpt = Annotated[
    bool,
    typer.Option(
        "--cleared",
        help="A doctor or physiotherapist has cleared you to exercise: lifts an 'urgent' or "
        "'see a doctor' refusal, never a condition's limits.",
    ),
]
SeedOpt = Annotated[int, typer.Option(help="Seed for tie-breaks: same inputs and seed, same plan.")]
ProgramOpt = Annotated[
    str | None, typer.Option("--program", metavar="ID", help="Plan this program as written.")
]
Score = Annotated[int | None, typer.Option(min=0, max=10)]
"""A 0-10 rating given on the command line (pain, effort)."""
