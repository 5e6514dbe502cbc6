"""What a plan is: the request a person makes (``PlanRequest``), and the plan the planner
returns (``Plan``: its ``Block``s, swaps and notes), with the place kit and positions they
use. How a plan is chosen is in ``domain.planner``."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from midback.domain.prescription import (
    Prescription,
)
from midback.domain.vocab import (
    Condition,
    Direction,
    Equipment,
    Focus,
    Kind,
    Level,
    Place,
    Position,
)


class Phase(StrEnum):
    """Where a block sits in the session."""

    WARM_UP = "warm-up"
    MAIN = "main"
    COOL_DOWN = "cool-down"


SEATED_OR_STANDING = frozenset({Position.STANDING, Position.SEATED_CHAIR})


UPRIGHT = frozenset({Position.STANDING, Position.SEATED_CHAIR, Position.HANGING})
"""Positions a person is up in; the others are on the floor."""


DESK_KIT = frozenset({Equipment.NONE, Equipment.CHAIR, Equipment.DOORWAY})


PLACE_KIT: dict[Place, frozenset[Equipment]] = {
    Place.DESK: DESK_KIT,
    Place.CAR: DESK_KIT,
    Place.HOME: frozenset(
        {Equipment.NONE, Equipment.CHAIR, Equipment.MAT, Equipment.DOORWAY, Equipment.TOWEL_ROLL}
    ),
    Place.GYM: frozenset(Equipment),
}
"""The kit a place has when the person names none."""


class PlanRequest(BaseModel):
    """What a person asks for: minutes, place, kit, body, focus and level."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    minutes: int = Field(ge=1, le=240)
    place: Place
    equipment: frozenset[Equipment] | None = None
    """Kit at hand; None means the place's usual kit (PLACE_KIT)."""
    conditions: frozenset[Condition] = frozenset()
    focus: Focus = Focus.RELIEF
    level: Level = Level.BEGINNER
    seed: int = 0
    recent: frozenset[str] = frozenset()
    """Exercise ids done in the person's recent sessions. The score does not push them away:
    repeating an exercise is how its dose climbs (its earned dose, ``doses``, earns points)."""
    cleared: bool = False
    """A clinician cleared the person (relaxes the recent-spine-surgery rule, and no other)."""
    pregnancy_weeks: int | None = Field(default=None, ge=1, le=42)
    """Weeks of pregnancy, for its staged limits; None assumes 20 or more."""
    gentle: bool = False
    """Irritable pain (6/10 or more): only mobility, stretching, breathing and walking, with no
    loaded kit, at beginner doses (``GENTLE_KINDS``, ``LOADED_KIT``)."""
    walk: bool = False
    """The person asked for a walk: it may take more than a third of the session."""
    doses: dict[str, Prescription] = Field(default_factory=dict)
    """Doses earned on the progression ladder, by exercise id; they replace the level's dose."""

    @property
    def dose_level(self) -> Level:
        """The level doses are taken at: beginner in a gentle session, else ``level``."""
        return Level.BEGINNER if self.gentle else self.level

    @property
    def budget_s(self) -> int:
        """The time budget in seconds."""
        return self.minutes * 60

    @property
    def kit(self) -> frozenset[Equipment]:
        """Equipment the person can use here."""
        kit = PLACE_KIT[self.place] if self.equipment is None else self.equipment | {Equipment.NONE}
        if self.place in (Place.DESK, Place.CAR):
            kit = kit & DESK_KIT
        return kit


class Block(BaseModel):
    """One exercise of a plan, with its concrete dose and how long it takes."""

    model_config = ConfigDict(frozen=True)

    phase: Phase
    exercise_id: str
    name: str
    variant: str | None
    kind: Kind
    positions: list[Position]
    equipment: list[Equipment]
    directions: list[Direction]
    dose: Prescription
    seconds: int
    why: str
    cues: list[str] = Field(default_factory=list)
    """Extra cues for this person (e.g. breathing out on effort with high blood pressure)."""
    note: str | None = None
    """The clinician's note on this exercise of a programme (None: no note)."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def describe(self) -> str:
        """The dose as a face shows it: ``Brisk walk 10 min`` for a walk (a face counts it down
        as mm:ss), else the dose's own text (``2 x 30 s, each side, 10 s rest``)."""
        if self.kind is Kind.CARDIO and self.dose.reps is None and self.dose.hold_s:
            minutes, seconds = divmod(self.dose.hold_s, 60)
            length = f"{minutes} min" if not seconds else f"{minutes} min {seconds} s"
            return f"{self.name} {length}"
        return self.dose.describe()


class Swap(BaseModel):
    """A variant used instead of an exercise's usual form because of a condition."""

    model_config = ConfigDict(frozen=True)

    exercise_id: str
    variant: str
    reason: str


class Plan(BaseModel):
    """A session: ordered blocks that fit the budget, with what they cover and why."""

    model_config = ConfigDict(frozen=True)

    minutes: int
    total_seconds: int
    blocks: list[Block]
    directions: list[Direction]
    swaps: list[Swap]
    notes: list[str]
    score: float
    program_id: str | None = None
    alternatives: bool = False
    """Whether another mix of exercises scores within 2% of this one: then the next seed
    ("Try a different mix") gives a different plan; else it gives this plan again."""

    def to_json(self) -> dict[str, Any]:
        """The JSON contract of ``midback plan --json``."""
        return self.model_dump(mode="json")
