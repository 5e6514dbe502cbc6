"""Programmes a clinician builds for one person: exercises from the catalogue, each with a
dose inside the catalogue's range and an optional note, done some days a week (pure).

The person's limits (their screen's conditions, pregnancy stage, irritable pain) are checked
with the planner's own rule (``planner.allows``); a limited exercise is refused, naming the
rule (``contraindications.violations``). ``to_plan`` turns a programme into a ``Plan`` so the
timeline and the player run it like any other session.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from midback.domain.candidates import GENTLE_KINDS, LOADED_KIT, PHASE_OF_KIND, allows
from midback.domain.catalogue import Catalogue, Exercise
from midback.domain.contraindications import Form, extra_cues, violations
from midback.domain.dose import Range
from midback.domain.plans import Block, Plan, PlanRequest
from midback.domain.prescription import DEFAULT_REST_S, GET_READY_S, Prescription
from midback.domain.vocab import Level
from midback.errors import MidbackError

MAX_ITEMS = 12
"""Exercises in one programme, at most (a session of about 30-40 minutes)."""
MAX_NOTE = 500
DEFAULT_DAYS_PER_WEEK = 3
"""ACSM's advice for resistance and flexibility work: 2-3 days a week (see CLINICAL.md)."""


class ProgrammeError(MidbackError):
    """A programme that cannot be built as asked (says which exercise and why)."""


class ProgrammeLimited(ProgrammeError):
    """An exercise the person's limits rule out; ``rule`` names the rule."""

    def __init__(self, exercise_id: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.exercise_id = exercise_id
        self.rule = rule


class ProgrammeItem(BaseModel):
    """One exercise of a programme: its form, its dose and the clinician's note."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    exercise_id: str = Field(min_length=1, max_length=100)
    variant: str | None = Field(default=None, max_length=100)
    sets: int = Field(default=1, ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=100)
    hold_s: int | None = Field(default=None, ge=1, le=3600)
    breaths: int | None = Field(default=None, ge=1, le=100)
    note: str | None = Field(default=None, max_length=MAX_NOTE)


class ProgrammeDraft(BaseModel):
    """What a clinician asks for: a title, days a week and the exercises in order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(default="Your programme", min_length=1, max_length=120)
    days_per_week: int = Field(default=DEFAULT_DAYS_PER_WEEK, ge=1, le=7)
    items: list[ProgrammeItem] = Field(min_length=1, max_length=MAX_ITEMS)


class ProgrammeAction(StrEnum):
    """What happened to a programme."""

    STARTED = "started"
    EDITED = "edited"
    ENDED = "ended"


class ProgrammeEvent(BaseModel):
    """One change of a programme, with what it held afterwards."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    by_id: int | None
    action: ProgrammeAction
    snapshot: ProgrammeDraft


class Programme(BaseModel):
    """A stored programme of one person (``active``: the one they follow now)."""

    model_config = ConfigDict(frozen=True)

    id: int
    person_id: int
    clinician_id: int | None
    title: str
    days_per_week: int
    items: list[ProgrammeItem]
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    active: bool
    version: int
    events: list[ProgrammeEvent] = Field(default_factory=list)

    @property
    def draft(self) -> ProgrammeDraft:
        """The programme's content, as a clinician edits it."""
        return ProgrammeDraft(title=self.title, days_per_week=self.days_per_week, items=self.items)


def dose_range(exercise: Exercise) -> dict[str, Range]:
    """The ranges a clinician may set for ``exercise``: sets (1 when the catalogue gives
    none), and whichever of reps, hold_s and breaths its dose counts."""
    dose = exercise.dose
    ranges = {"sets": dose.sets or Range(min=1, max=1)}
    for field in ("reps", "hold_s", "breaths"):
        value = getattr(dose, field)
        if value is not None:
            ranges[field] = value
    return ranges


def default_item(exercise: Exercise) -> ProgrammeItem:
    """``exercise`` at the low end of its ranges (a beginner's dose), without a note."""
    low = {name: max(1, int(-(-r.min // 1))) for name, r in dose_range(exercise).items()}
    return ProgrammeItem(exercise_id=exercise.id, **low)


def dose_problems(exercise: Exercise, item: ProgrammeItem) -> list[str]:
    """Why ``item``'s dose is outside ``exercise``'s ranges (empty: it is inside)."""
    ranges = dose_range(exercise)
    problems: list[str] = []
    for field in ("sets", "reps", "hold_s", "breaths"):
        value = getattr(item, field)
        allowed = ranges.get(field)
        if allowed is None:
            if value is not None:
                problems.append(f"{_FIELD_WORDS[field]}: {exercise.name} is not dosed in them")
            continue
        if value is None:
            problems.append(f"{_FIELD_WORDS[field]}: needed, within {allowed}")
        elif not allowed.min <= value <= allowed.max:
            problems.append(f"{_FIELD_WORDS[field]}: {value} is outside the range {allowed}")
    return problems


_FIELD_WORDS = {"sets": "sets", "reps": "reps", "hold_s": "hold (seconds)", "breaths": "breaths"}


def check_item(cat: Catalogue, item: ProgrammeItem, limits: PlanRequest) -> Exercise:
    """The item's exercise when ``limits`` allow its form and its dose is in range.

    UnknownIdError for an exercise or variant the catalogue lacks; ProgrammeLimited naming the
    rule when the person's limits rule the form out; ProgrammeError for a dose outside the
    catalogue's range.
    """
    exercise = cat.exercise(item.exercise_id)
    variant = exercise.variant(item.variant) if item.variant else None
    if not allows(exercise, item.variant, limits):
        found = violations(
            Form(exercise, variant),
            limits.conditions,
            cleared=limits.cleared,
            pregnancy_weeks=limits.pregnancy_weeks,
        )
        if found:
            first = found[0]
            raise ProgrammeLimited(
                exercise.id,
                first.rule,
                f"{exercise.name} is ruled out for this person by the rule {first.rule}: "
                f"{first.message}",
            )
        rule, why = _gentle_rule(exercise, variant, limits)
        raise ProgrammeLimited(exercise.id, rule, f"{exercise.name} is ruled out: {why}")
    problems = dose_problems(exercise, item)
    if problems:
        raise ProgrammeError(f"{exercise.name}: " + "; ".join(problems))
    return exercise


def _gentle_rule(
    exercise: Exercise, variant: object | None, limits: PlanRequest
) -> tuple[str, str]:
    """The rule behind a refusal no condition explains: the gentle session of irritable pain."""
    if limits.gentle and exercise.kind not in GENTLE_KINDS:
        return "gentle", f"irritable pain (gentle work only) leaves out {exercise.kind.value} work"
    if limits.gentle and set(exercise.equipment) & LOADED_KIT:
        return "gentle", "irritable pain (gentle work only) uses no weights or bands"
    return "limits", "the person's safety screen rules this form out"


def check_draft(cat: Catalogue, draft: ProgrammeDraft, limits: PlanRequest) -> None:
    """Check every item of ``draft`` (``check_item``), and that no exercise is in it twice."""
    seen: set[tuple[str, str | None]] = set()
    for item in draft.items:
        check_item(cat, item, limits)
        key = (item.exercise_id, item.variant)
        if key in seen:
            raise ProgrammeError(f"{item.exercise_id}: in the programme twice")
        seen.add(key)


def prescription(exercise: Exercise, item: ProgrammeItem) -> Prescription:
    """The item's concrete dose: the clinician's numbers, the catalogue's rest, tempo and
    sides (at a beginner's level where the catalogue gives a range)."""
    base = Prescription.from_dose(exercise.dose, exercise.kind, Level.BEGINNER)
    rest = base.rest_s if item.sets > 1 else 0
    if item.sets > 1 and rest == 0:
        rest = DEFAULT_REST_S[exercise.kind]
    return base.model_copy(
        update={
            "sets": item.sets,
            "reps": item.reps,
            "hold_s": item.hold_s,
            "breaths": item.breaths,
            "rest_s": rest,
        }
    )


def to_plan(cat: Catalogue, programme: ProgrammeDraft, limits: PlanRequest) -> Plan:
    """The programme as a session ``Plan``, in the clinician's order, each block carrying the
    clinician's note; checked against ``limits`` first (as ``check_draft``), so a programme a
    later screen rules out is refused rather than played."""
    check_draft(cat, programme, limits)
    blocks: list[Block] = []
    for item in programme.items:
        exercise = cat.exercise(item.exercise_id)
        variant = exercise.variant(item.variant) if item.variant else None
        form = Form(exercise, variant)
        dose = prescription(exercise, item)
        blocks.append(
            Block(
                phase=PHASE_OF_KIND[exercise.kind],
                exercise_id=exercise.id,
                name=form.name,
                variant=item.variant,
                kind=exercise.kind,
                positions=list(form.positions),
                equipment=list(form.equipment),
                directions=list(exercise.directions),
                dose=dose,
                seconds=dose.seconds,
                why="Chosen by your clinician for your programme.",
                cues=extra_cues(form, limits.conditions),
                note=item.note or None,
            )
        )
    total = GET_READY_S + sum(b.seconds for b in blocks)
    directions = list(dict.fromkeys(d for b in blocks for d in b.directions))
    return Plan(
        minutes=-(-total // 60),
        total_seconds=total,
        blocks=blocks,
        directions=directions,
        swaps=[],
        notes=[
            f"{programme.title}: {programme.days_per_week} day(s) a week, as your clinician set.",
            "Stop any exercise that hurts; pain above 5/10 is the signal to stop.",
        ],
        score=0.0,
    )
