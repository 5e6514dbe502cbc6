"""The planner: a safe, balanced routine for the minutes, place and body a person has.

How a plan is chosen
--------------------
1. **Candidates.** Each exercise is offered in its first *form* (the exercise itself, or one of
   its variants) that the person's conditions allow (``contraindications``) and that fits the
   place: at a desk or in a car only standing or chair-seated forms with no kit beyond a chair
   or a doorway; elsewhere the place's usual kit, or exactly the ``equipment`` named.
2. **Options.** A candidate is offered at the person's level (the low, middle or high end of
   each dose range) and, above beginner, also at the beginner's dose; a walk is also offered in
   5-minute steps across its range. ``Prescription.seconds`` prices each option with the same
   arithmetic as the timeline.
3. **Score.** The plan maximises::

       score = [>= 3 directions]      * DIRECTIONS_RULE_POINTS   (when the budget is >= 5 min)
             + [fills >= 90 % budget] * FILL_RULE_POINTS
             + DIRECTION_POINTS * (number of movement directions covered)
             + sum over blocks of seconds * weight(block)

   where ``weight`` starts at 1, adds FOCUS_WEIGHT when the exercise serves the focus, takes off
   RECENT_WEIGHT when it was done in the person's recent sessions (variety), takes off
   BELOW_LEVEL_WEIGHT for an option below the person's level, and uses CARDIO_WEIGHT for cardio
   unless the focus asks for it. Among plans with the same score, the seed decides which one
   is kept: each option gets a key, a hash of the seed, the exercise and the option, and the
   plan whose keys sum highest wins; so the same inputs and seed give the same plan, and
   another seed may give another plan of the same score. The two rule terms are large enough
   to act as hard constraints whenever the catalogue allows them; the budget itself is a hard
   limit.
4. **Search.** Exact: a knapsack on 5-second steps by dynamic programming, with a row per set
   of movement directions covered for only the directions whose coverage is in question
   (``midback.domain.knapsack`` explains how, and why that is exact). Scores are compared as
   whole numbers (tenths of a point with today's weights), with the seeded key in the low
   bits. It returns the same score as trying every combination (a test checks this against
   exhaustive search).
5. **Order.** Warm-up first (mobility and cardio), strength and breathing in the middle,
   stretches last (article "5 Easy Middle Back Pain Exercises": stretch after every workout);
   within a phase, positions go from standing down to the floor so a person gets down once.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from midback.domain.catalogue import Catalogue, Exercise, Program
from midback.domain.contraindications import (
    CONDITION_LABELS,
    Form,
    extra_cues,
    preferring_caution,
    safe_forms,
    violations,
)
from midback.domain.dose import Dose, Level
from midback.domain.knapsack import Bonus, Group, best_choice
from midback.domain.prescription import GET_READY_S, STEP_S, Prescription
from midback.domain.vocab import (
    Condition,
    Direction,
    Equipment,
    Kind,
    Place,
    Position,
)
from midback.domain.vocab import Focus as Focus  # re-exported: Focus used to live here
from midback.errors import PlanError


class Phase(StrEnum):
    """Where a block sits in the session."""

    WARM_UP = "warm-up"
    MAIN = "main"
    COOL_DOWN = "cool-down"


DIRECTIONS_RULE_POINTS = 1_000_000.0
FILL_RULE_POINTS = 100_000.0
DIRECTION_POINTS = 60.0
FOCUS_WEIGHT = 0.5
RECENT_WEIGHT = 0.3
BELOW_LEVEL_WEIGHT = 0.2
CARDIO_WEIGHT = 0.6
MIN_DIRECTIONS = 3
DIRECTIONS_RULE_FROM_S = 5 * 60
FILL_RATIO = 0.9
WALK_STEP_S = 5 * 60
_KEY_BITS = 8
"""Bits of an option's seeded tie-break key (a byte)."""
_SCALES = (10, 100, 1_000, 10_000)
"""Units per point the search may count in: the first that makes every score whole."""

GENTLE_KINDS = frozenset({Kind.MOBILITY, Kind.STRETCH, Kind.BREATHING, Kind.CARDIO})
"""What a gentle plan holds: irritable pain calls for gentle movement and short, pain-free
doses; loading builds as it settles (irritability, shared/CLINICAL.md)."""
LOADED_KIT = frozenset(
    {
        Equipment.DUMBBELLS,
        Equipment.BARBELL,
        Equipment.CABLE_MACHINE,
        Equipment.RESISTANCE_BAND,
        Equipment.BENCH,
        Equipment.PULL_UP_BAR,
    }
)
"""Kit that loads the body; a gentle plan uses none of it."""
GENTLE_NOTE = (
    "Gentle session for irritable pain: mobility, stretching, breathing and walking only, at "
    "beginner doses, with no weights or bands. Strength work comes back as the pain settles."
)

SEATED_OR_STANDING = frozenset({Position.STANDING, Position.SEATED_CHAIR})
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

FOCUS_MATCH: dict[Focus, tuple[frozenset[Kind], frozenset[Direction]]] = {
    Focus.RELIEF: (frozenset({Kind.MOBILITY, Kind.STRETCH, Kind.BREATHING}), frozenset()),
    Focus.MOBILITY: (
        frozenset({Kind.MOBILITY, Kind.STRETCH}),
        frozenset({Direction.ROTATION, Direction.EXTENSION, Direction.SIDE_BEND}),
    ),
    Focus.STRENGTH: (
        frozenset({Kind.STRENGTH}),
        frozenset({Direction.CORE_STABILITY, Direction.RETRACTION}),
    ),
    Focus.POSTURE: (frozenset(), frozenset({Direction.RETRACTION, Direction.EXTENSION})),
}
"""An exercise serves a focus when its kind or one of its directions is listed here."""

PHASE_OF_KIND: dict[Kind, Phase] = {
    Kind.MOBILITY: Phase.WARM_UP,
    Kind.CARDIO: Phase.WARM_UP,
    Kind.STRENGTH: Phase.MAIN,
    Kind.BREATHING: Phase.MAIN,
    Kind.STRETCH: Phase.COOL_DOWN,
}
_PHASE_ORDER = {Phase.WARM_UP: 0, Phase.MAIN: 1, Phase.COOL_DOWN: 2}
_POSITION_ORDER = {p: i for i, p in enumerate(Position)}
_DIRECTION_BIT = {d: 1 << i for i, d in enumerate(Direction)}


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
    """Exercise ids done in the person's recent sessions (for variety)."""
    cleared: bool = False
    """A clinician cleared the person (relaxes the recent-spine-surgery rule, and no other)."""
    pregnancy_weeks: int | None = Field(default=None, ge=1, le=42)
    """Weeks of pregnancy, for its staged limits; None assumes 20 or more."""
    gentle: bool = False
    """Irritable pain (6/10 or more): only mobility, stretching, breathing and walking, with no
    loaded kit, at beginner doses (``GENTLE_KINDS``, ``LOADED_KIT``)."""
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

    def to_json(self) -> dict[str, Any]:
        """The JSON contract of ``midback plan --json``."""
        return self.model_dump(mode="json")


@dataclass(frozen=True)
class Option:
    """One way to include an exercise: its form, concrete dose, seconds and value."""

    exercise: Exercise
    form: Form
    dose: Prescription
    seconds: int
    value: float
    mask: int
    below_level: bool


def plan(cat: Catalogue, request: PlanRequest) -> Plan:
    """The best plan for ``request``; raises PlanError when nothing fits."""
    budget = request.budget_s - GET_READY_S
    groups = candidates(cat, request, budget)
    if not groups:
        any_length = candidates(cat, request, 24 * 3600)
        if any_length:
            shortest = min(o.seconds for g in any_length for o in g) + GET_READY_S
            raise PlanError(
                f"{request.minutes} min is too short; the shortest exercise here takes {shortest} s"
            )
        raise PlanError(
            f"no exercise fits {request.minutes} min at {request.place.value}"
            " with this kit and these conditions"
        )
    chosen, score = _search(groups, budget, request.budget_s, seed=request.seed)
    return _assemble(chosen, request, score)


def score_of(options: Sequence[Option], budget: int, full_budget_s: int) -> float:
    """The documented score of a set of options (shared by the search and the tests)."""
    mask = 0
    seconds = 0
    value = 0.0
    for option in options:
        mask |= option.mask
        seconds += option.seconds
        value += option.value
    fill = FILL_RULE_POINTS if _fills(seconds, full_budget_s) else 0.0
    return value + _direction_points(mask.bit_count(), full_budget_s) + fill


def _direction_points(count: int, full_budget_s: int) -> float:
    """DIRECTION_POINTS per direction covered, and the >= 3 directions rule from 5 minutes up."""
    points = DIRECTION_POINTS * count
    if full_budget_s >= DIRECTIONS_RULE_FROM_S and count >= MIN_DIRECTIONS:
        points += DIRECTIONS_RULE_POINTS
    return points


def _fills(seconds: int, full_budget_s: int) -> bool:
    """The fill rule: blocks and the get-ready countdown take >= 90 % of the budget."""
    return seconds + GET_READY_S >= FILL_RATIO * full_budget_s


def candidates(cat: Catalogue, request: PlanRequest, budget: int) -> list[list[Option]]:
    """Per exercise that fits, its priced options within ``budget`` seconds of work.

    A plan holds at most one option of each group. ``budget`` excludes the get-ready countdown
    (``request.budget_s - GET_READY_S``); tests use this to search exhaustively.
    """
    groups: list[list[Option]] = []
    kit = request.kit
    for exercise in sorted(cat.exercises.values(), key=lambda e: e.id):
        form = _fitting_form(exercise, request, kit)
        if form is None:
            continue
        options = [
            o for o in _options(exercise, form, request, exercise.dose) if o.seconds <= budget
        ]
        if options:
            groups.append(options)
    return groups


def _fitting_form(
    exercise: Exercise, request: PlanRequest, kit: frozenset[Equipment]
) -> Form | None:
    for form in allowed_forms(exercise, request):
        if fits_place(form, request.place, kit):
            return form
    return None


def allowed_forms(exercise: Exercise, request: PlanRequest) -> list[Form]:
    """The forms of ``exercise`` the person's limits allow (conditions, pregnancy stage, and a
    gentle session's kinds and kit), preferred first; empty when none is."""
    if request.gentle and exercise.kind not in GENTLE_KINDS:
        return []
    found = safe_forms(
        exercise,
        request.conditions,
        cleared=request.cleared,
        pregnancy_weeks=request.pregnancy_weeks,
    )
    if request.gentle:
        found = [f for f in found if not set(f.equipment) & LOADED_KIT]
    return found


def _problems(exercise: Exercise, request: PlanRequest) -> list[str]:
    """Why the usual form of ``exercise`` is not allowed for this request (empty: it is)."""
    if request.gentle and exercise.kind not in GENTLE_KINDS:
        return [f"a gentle session for irritable pain leaves out {exercise.kind.value} work"]
    found = violations(
        Form(exercise, None),
        request.conditions,
        cleared=request.cleared,
        pregnancy_weeks=request.pregnancy_weeks,
    )
    problems = [v.message for v in found]
    if request.gentle and set(exercise.equipment) & LOADED_KIT:
        problems.append("a gentle session for irritable pain uses no weights or bands")
    return problems


def fits_place(form: Form, place: Place, kit: Collection[Equipment]) -> bool:
    """Whether a form can be done at ``place`` with ``kit``."""
    if place not in form.places:
        return False
    if place in (Place.DESK, Place.CAR) and not set(form.positions) <= SEATED_OR_STANDING:
        return False
    return set(form.equipment) <= set(kit) | {Equipment.NONE}


def _options(exercise: Exercise, form: Form, request: PlanRequest, dose: Dose) -> list[Option]:
    earned = None if request.gentle else request.doses.get(exercise.id)
    at_level = earned or Prescription.from_dose(dose, exercise.kind, request.dose_level)
    doses: list[tuple[Prescription, bool]] = [(at_level, False)]
    if earned is None and request.dose_level is not Level.BEGINNER:
        easier = Prescription.from_dose(dose, exercise.kind, Level.BEGINNER)
        if easier != at_level:
            doses.append((easier, True))
    if exercise.kind is Kind.CARDIO and dose.hold_s is not None and not dose.hold_s.is_single:
        low = int(dose.hold_s.min)
        steps = range(low - low % WALK_STEP_S + WALK_STEP_S, int(dose.hold_s.max) + 1, WALK_STEP_S)
        for hold in [low, *steps]:
            candidate = at_level.model_copy(update={"hold_s": hold})
            if candidate not in (d for d, _ in doses):
                doses.append((candidate, False))
    weight = _weight(exercise, request)
    mask = 0
    for direction in exercise.directions:
        mask |= _DIRECTION_BIT[direction]
    options = []
    for prescription, below in doses:
        seconds = prescription.seconds
        w = weight - (BELOW_LEVEL_WEIGHT if below else 0.0)
        options.append(Option(exercise, form, prescription, seconds, seconds * w, mask, below))
    return options


def serves_focus(exercise: Exercise, focus: Focus) -> bool:
    """Whether the exercise's kind or one of its directions serves ``focus``."""
    kinds, directions = FOCUS_MATCH[focus]
    return exercise.kind in kinds or bool(directions & set(exercise.directions))


def _weight(exercise: Exercise, request: PlanRequest) -> float:
    weight = 1.0
    if exercise.kind is Kind.CARDIO:
        weight = CARDIO_WEIGHT
    if serves_focus(exercise, request.focus):
        weight += FOCUS_WEIGHT
    if exercise.id in request.recent:
        weight -= RECENT_WEIGHT
    return weight


def _search(
    groups: list[list[Option]], budget: int, full_budget_s: int, *, seed: int = 0
) -> tuple[list[Option], float]:
    """Exact: the best set of options (at most one per group) within ``budget`` seconds.

    The score, in whole units with the seeded tie-break key below it, is maximised by
    ``knapsack.best_choice``; among equal scores the largest sum of keys wins.
    """
    scale = _score_scale(groups)
    key_shift = _KEY_BITS + len(groups).bit_length()  # a sum of keys never reaches the score

    def units(points: float) -> int:
        return round(points * scale) << key_shift

    problem = [
        Group(
            group[0].mask,
            tuple(
                (o.seconds // STEP_S, units(o.value) | key)
                for o, key in zip(group, _keys(seed, group), strict=True)
            ),
        )
        for group in groups
    ]
    bonus = Bonus(
        by_count=lambda count: units(_direction_points(count, full_budget_s)),
        fill_from=_fill_steps(full_budget_s),
        fill_bonus=units(FILL_RULE_POINTS),
    )
    chosen = [groups[g][i] for g, i in best_choice(problem, budget // STEP_S, bonus)]
    return chosen, score_of(chosen, budget, full_budget_s)


def _keys(seed: int, group: list[Option]) -> bytes:
    """The seeded tie-break keys of an exercise's options: a hash of the seed and its id."""
    text = f"{seed}:{group[0].exercise.id}".encode()
    return hashlib.shake_128(text).digest(len(group))


def _score_scale(groups: list[list[Option]]) -> int:
    """Units per point that make every option's value and every bonus whole (10 today).

    Weights are tenths and block lengths whole seconds, so values are whole tenths; should a
    weight ever need finer steps, scores are counted in 1e-4 points (a plan's score is rounded
    to 4 places anyway).
    """
    points = [DIRECTION_POINTS, DIRECTIONS_RULE_POINTS, FILL_RULE_POINTS]
    points += [o.value for group in groups for o in group]
    for scale in _SCALES[:-1]:
        if all(abs(p * scale - round(p * scale)) < 1e-6 for p in points):
            return scale
    return _SCALES[-1]


def _fill_steps(full_budget_s: int) -> int:
    """The fewest STEP_S steps of blocks that meet the fill rule."""
    steps = max(0, math.ceil((FILL_RATIO * full_budget_s - GET_READY_S) / STEP_S))
    while steps > 0 and _fills((steps - 1) * STEP_S, full_budget_s):
        steps -= 1
    while not _fills(steps * STEP_S, full_budget_s):
        steps += 1
    return steps


def _assemble(chosen: list[Option], request: PlanRequest, score: float) -> Plan:
    def order(option: Option) -> tuple[int, int, int, str]:
        phase = PHASE_OF_KIND[option.exercise.kind]
        cardio_first = 0 if option.exercise.kind is Kind.CARDIO else 1
        lowest = max(_POSITION_ORDER[p] for p in option.form.positions)
        return (_PHASE_ORDER[phase], cardio_first, lowest, option.exercise.id)

    blocks: list[Block] = []
    swaps: list[Swap] = []
    notes: list[str] = []
    for option in sorted(chosen, key=order):
        block, swap = _block(option, request)
        blocks.append(block)
        if swap is not None:
            swaps.append(swap)
    directions = sorted(
        {d for b in blocks for d in b.directions}, key=lambda d: list(Direction).index(d)
    )
    total = GET_READY_S + sum(b.seconds for b in blocks)
    if request.budget_s >= DIRECTIONS_RULE_FROM_S and len(directions) < MIN_DIRECTIONS:
        notes.append(
            f"Only {len(directions)} movement directions fit here; a routine should move the"
            ' spine in at least 3 ("Powerful, simple exercises for mid-back muscles").'
        )
    if request.gentle:
        notes.append(GENTLE_NOTE)
    if total < FILL_RATIO * request.budget_s:
        notes.append(
            f"The exercises that fit here fill {total // 60} of {request.minutes} minutes;"
            " add kit or another place for a longer session."
        )
    notes.append("Stop any exercise that hurts; pain above 5/10 is the signal to stop.")
    return Plan(
        minutes=request.minutes,
        total_seconds=total,
        blocks=blocks,
        directions=directions,
        swaps=swaps,
        notes=notes,
        score=round(score, 4),
    )


def _block(option: Option, request: PlanRequest) -> tuple[Block, Swap | None]:
    exercise, form = option.exercise, option.form
    reasons = [f"{exercise.kind.value}, moves " + ", ".join(d.value for d in exercise.directions)]
    if serves_focus(exercise, request.focus):
        reasons.append(f"for {request.focus.value}")
    if option.below_level:
        reasons.append("beginner dose to fit the time")
    swap = None
    if form.variant is not None:
        base_problems = _problems(exercise, request)
        caution = preferring_caution(exercise, form.variant.id, request.conditions)
        if base_problems or caution is not None:
            why = "; ".join(base_problems)
            if not why and caution is not None:
                why = f"{CONDITION_LABELS[caution.condition].lower()}: {caution.text}"
            swap = Swap(exercise_id=exercise.id, variant=form.variant.id, reason=why)
            reasons.append(f"variant: {why}")
        else:
            reasons.append("variant suits the place")
    block = Block(
        phase=PHASE_OF_KIND[exercise.kind],
        exercise_id=exercise.id,
        name=form.variant.name if form.variant else exercise.name,
        variant=form.variant.id if form.variant else None,
        kind=exercise.kind,
        positions=list(form.positions),
        equipment=list(form.equipment),
        directions=list(exercise.directions),
        dose=option.dose,
        seconds=option.seconds,
        why="; ".join(reasons),
        cues=extra_cues(form, request.conditions),
    )
    return block, swap


def plan_program(cat: Catalogue, program: Program, request: PlanRequest) -> Plan:
    """A program as written, adapted to the person's conditions and place.

    Each exercise takes the form the program names when the conditions allow it, else the first
    safe form (a variant a caution prefers for the person's conditions comes first), preferring
    one that fits the place; an exercise with no safe form is left out with a note.
    ``request.minutes`` is ignored: the plan takes as long as the program does.
    """
    blocks: list[Block] = []
    swaps: list[Swap] = []
    notes: list[str] = []
    kit = request.kit
    for entry in program.entries:
        exercise = cat.exercises[entry.exercise_id]
        forms = allowed_forms(exercise, request)
        named = [f for f in forms if entry.variant and f.variant and f.variant.id == entry.variant]
        fitting = [f for f in forms if fits_place(f, request.place, kit)]
        choices = named or fitting or forms
        form = choices[0] if choices else None
        if form is not None and not fits_place(form, request.place, kit):
            notes.append(f"{exercise.name} needs {', '.join(form.equipment)} or another place.")
        if form is None:
            why = "; ".join(_problems(exercise, request)) or "ruled out by your conditions"
            notes.append(f"Left out {exercise.name}: {why}.")
            continue
        dose = Prescription.from_dose(
            entry.dose or exercise.dose, exercise.kind, request.dose_level
        )
        option = Option(exercise, form, dose, dose.seconds, 0.0, 0, False)
        block, swap = _block(option, request)
        blocks.append(block)
        if swap is not None:
            swaps.append(swap)
    if not blocks:
        raise PlanError(f"every exercise of {program.id} is ruled out by your conditions")
    if request.gentle:
        notes.append(GENTLE_NOTE)
    directions = sorted(
        {d for b in blocks for d in b.directions}, key=lambda d: list(Direction).index(d)
    )
    total = GET_READY_S + sum(b.seconds for b in blocks)
    notes.append("Stop any exercise that hurts; pain above 5/10 is the signal to stop.")
    return Plan(
        minutes=-(-total // 60),
        total_seconds=total,
        blocks=blocks,
        directions=directions,
        swaps=swaps,
        notes=notes,
        score=0.0,
        program_id=program.id,
    )
