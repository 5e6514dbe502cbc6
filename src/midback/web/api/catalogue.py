"""Exercises and programs, read-only."""

from __future__ import annotations

from typing import Any

from midback.domain.catalogue import Exercise, Program
from midback.domain.vocab import Equipment, Kind, Place
from midback.web.api import PREFIX
from midback.web.deps import Cat
from midback.web.routing import SegmentRouter

router = SegmentRouter(under=PREFIX, tags=["catalogue"])


@router.get("/exercises")
def list_exercises(
    cat: Cat,
    place: Place | None = None,
    equipment: Equipment | None = None,
    kind: Kind | None = None,
) -> list[Exercise]:
    """Exercises, filtered by place, equipment (the exercise or a variant uses it) and kind."""
    return cat.filter(place=place, equipment=equipment, kind=kind)


@router.get("/exercises/{exercise_id}")
def get_exercise(cat: Cat, exercise_id: str) -> Exercise:
    """One exercise by id or alias (404 names close ids)."""
    return cat.exercise(exercise_id)


@router.get("/programs")
def list_programs(cat: Cat) -> list[Program]:
    """The eight programs from the source articles."""
    return list(cat.programs.values())


@router.get("/programs/{program_id}")
def get_program(cat: Cat, program_id: str) -> Program:
    """One program (404 names close ids)."""
    return cat.program(program_id)


@router.get("/sources")
def list_sources(cat: Cat) -> list[dict[str, Any]]:
    """The five articles midback is built from."""
    return [s.model_dump(mode="json") for s in cat.sources.values()]
