"""The planner: a few exercises that suit the person, properly dosed, for the minutes, place and
body they have; the plan a physiotherapist would hand out.

How a plan is chosen
--------------------
1. **Candidates.** Each exercise is offered in its first *form* (the exercise itself, or one of
   its variants) that the person's limits allow (``allowed_forms``: conditions, pregnancy stage,
   a gentle session) and that fits the place: at a desk or in a car only standing or
   chair-seated forms with no kit beyond a chair or a doorway; elsewhere the place's usual kit,
   or exactly the ``equipment`` named.
2. **Doses.** Each candidate is offered at the person's level (the low end, middle or high end
   of each range), or at the dose earned on its progression ladder (``request.doses``), and
   dosed up set by set to the top of the article's range: time is filled by dosing the chosen
   exercises up rather than by adding more. From 10 minutes up every dose is a proper one: at
   least 2 sets of strength work at intermediate and advanced level (ACSM: 2-3 sets), and a
   static stretch held at least 30 s a side in all (ACSM: holds of 10-30 s, about 60 s a
   stretch); where that takes more sets than the article gives, the added sets (and the rest
   between them) are marked as midback's own in ``Prescription.defaults``. Under 10 minutes a
   dose may have fewer sets than the level's, and above beginner level the beginner's dose is
   offered too, to fit the time. A walk is offered in 5-minute steps, for at most a third of
   the session unless the focus is cardio or the person asked for a walk
   (``PlanRequest.walk``). ``Prescription.seconds`` prices each dose with the timeline's
   arithmetic.
3. **Rules.** Every plan
   - holds at least one exercise and fits the budget (blocks and the get-ready countdown);
   - has at most ``max_exercises(minutes)``: max(4, minutes // 2), and never more than 10 up
     to 45 minutes (12 above);
   - serves its focus (``FOCUS_SHARE``): strength work takes at least 40% of a strength
     session; mobility and stretching 60% of a mobility session; mobility, stretching and
     breathing 70% of a relief session. The share is of the budget, so also of the plan. When
     the most focus work that fits (within the budget, the count and the family rule) is less
     than that share of the budget, it must all be there and the budget shrinks until it is
     the share (a note says so). A focus whose work the person's limits rule out (strength in
     a gentle session) has no share;
   - has at most 2 exercises in one phase whose movement is the same single direction (a
     *family*: e.g. cobra, prone chest lift and sphinx, the extension-only stretches);
   - gets down to the floor and up again at most once: at most 2 changes between upright
     (standing, chair, hanging) and floor positions. Phases come in a fixed order and the
     blocks of a phase can be ordered freely, so this holds exactly when at least one of the
     six *slots* (a phase, upright or floor) holds no block.
4. **Score.** Among the plans that keep the rules the plan maximises::

       score = [>= 3 directions]      * DIRECTIONS_RULE_POINTS   (when the budget is >= 5 min)
             + [fills >= 90 % budget] * FILL_RULE_POINTS
             + sum over blocks of (fit + dose points - EXERCISE_COST)

   a score per exercise, not per second. ``fit`` is FOCUS_KIND_POINTS when the exercise is the
   work the focus asks for (``asks_for``: strength work for strength, retraction or extension
   work for posture), FOCUS_DIRECTION_POINTS when it only moves in a direction the focus
   names, else OTHER_POINTS; plus LACKING_POINTS for each spine direction it moves in that
   none of the focus work here does (turning, in a strength session at home: the direction the
   session lacks); plus WARM_UP_POINTS for mobility work that warms up for other work (from 10
   minutes up); plus LADDER_POINTS when the person is climbing its ladder (an earned dose:
   repeating an exercise is how it progresses, so what was done recently is never pushed
   away). ``dose points`` reward a proper dose of the work the focus asks for:
   STRENGTH_SET_POINTS for a second and a third set of strength work, HOLD_POINTS for a static
   stretch held 30 and 60 s a side in all, SET_POINTS for each further set of other work and
   WALK_STEP_POINTS for each 5 minutes of a walk past the first; a beginner's dose offered
   above beginner level loses BELOW_LEVEL_POINTS. Every exercise costs EXERCISE_COST
   (attention, and getting into position), so an exercise joins a plan when it is the focus's
   work, moves the spine in a direction the session lacks, warms up, or is needed to fill the
   time. The two rule terms are large enough to act as hard constraints whenever the rules
   allow them.
5. **Another mix.** An even seed gives the best plan. An odd seed gives the best plan with
   another set of exercises, scored with 0 to SEED_POINTS more per exercise (a hash of
   ``seed // 2`` and the exercise's id: ``seed_points``), when its score is *near* the best:
   within NEAR_EQUAL (2%) of the best plan's points before costs and rules; else the best
   plan with another set of exercises by the score alone, when that one is near; else nothing
   else fits and an odd seed gives the best plan too. So a seed and the next one give
   different plans whenever another plan within 2% exists, and ``Plan.alternatives`` says
   whether one does ("Try a different mix").
6. **Search.** Exact: a knapsack on 5-second steps by dynamic programming over the rules'
   states (``midback.domain.knapsack`` explains how, and why that is exact); points are whole
   numbers. It returns the same score as trying every combination (a test checks this against
   exhaustive search).
7. **Order.** Warm-up first (mobility and walking), then the main work, then the cool-down:
   strength and breathing are the main work and stretches the cool-down (article "5 Easy
   Middle Back Pain Exercises": stretch after every workout), except in relief and mobility
   sessions, where the stretches are the main work and slow breathing cools down. Within a
   phase the upright and the floor blocks are grouped, and the groups ordered so the plan
   changes between upright and floor as few times as possible; a walk comes first; in a
   posture session retraction and extension work comes first; then from standing down to the
   floor.
8. **Why.** Each block says in plain words what it does, what it adds that no other block does,
   how it serves the focus, and why its dose and form (``midback.domain.why``).
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from midback.domain import why as words
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
from midback.domain.knapsack import Group, Rules, best_choice
from midback.domain.prescription import (
    DEFAULT_REST_S,
    GET_READY_S,
    STEP_S,
    Prescription,
    marking,
)
from midback.domain.vocab import (
    Condition,
    Direction,
    Equipment,
    Kind,
    Place,
    Position,
)
from midback.domain.vocab import Focus as Focus  # re-exported: Focus used to live here
from midback.errors import NothingFits


class Phase(StrEnum):
    """Where a block sits in the session."""

    WARM_UP = "warm-up"
    MAIN = "main"
    COOL_DOWN = "cool-down"


DIRECTIONS_RULE_POINTS = 1_000_000
FILL_RULE_POINTS = 100_000
FOCUS_KIND_POINTS = 20
FOCUS_DIRECTION_POINTS = 14
OTHER_POINTS = 10
LACKING_POINTS = 12
"""For each spine direction an exercise moves in that none of the focus work here does."""
WARM_UP_POINTS = 10
"""For mobility work in a session of PROPER_DOSE_FROM_MINUTES or more whose focus work it is
not: it warms the back up for the main work."""
LADDER_POINTS = 4
EXERCISE_COST = 20
STRENGTH_SET_POINTS = (12, 8)
"""For the second and the third set of strength work."""
HOLD_POINTS = ((30, 4), (60, 8))
"""(seconds a side in all, points) for a static stretch held at least that long."""
SET_POINTS = 4
"""For each set past the first of other work."""
WALK_STEP_POINTS = 4
"""For each 5 minutes of walking past the first."""
BELOW_LEVEL_POINTS = 2
"""Taken off a beginner's dose offered above beginner level to fit a short plan."""
SEED_POINTS = 3
"""An odd seed's points per exercise range over 0 .. SEED_POINTS."""
NEAR_EQUAL = Fraction(1, 50)
"""Another plan is near when its score is within this share of the best plan's points before
costs and rules (its fit and dose points)."""

MIN_DIRECTIONS = 3
DIRECTIONS_RULE_FROM_S = 5 * 60
FILL_RATIO = 0.9
FEWEST_EXERCISES_ALLOWED = 4
MAX_EXERCISES = 10
MAX_EXERCISES_LONG = 12
LONG_FROM_MINUTES = 46
PROPER_DOSE_FROM_MINUTES = 10
LEAST_STRENGTH_SETS = 2
"""Sets of strength work from intermediate level, in plans of PROPER_DOSE_FROM_MINUTES or more
(ACSM: 2-3 sets once past the novice stage)."""
LEAST_HOLD_S = 30
"""Seconds a static stretch is held a side in all, in plans of PROPER_DOSE_FROM_MINUTES or more
(ACSM: holds of 10-30 s, about 60 s a stretch in all)."""
PER_FAMILY = 2
"""Most exercises in one phase whose movement is the same single direction."""
MAX_CHANGES = 2
"""Most changes between upright and floor positions (down to the floor and up once)."""
WALK_STEP_S = 5 * 60
WALK_SHARE = Fraction(1, 3)
"""Most of the session's minutes a walk takes, unless the focus is cardio or a walk is asked."""

FOCUS_SHARE: dict[Focus, tuple[frozenset[Kind], Fraction]] = {
    Focus.STRENGTH: (frozenset({Kind.STRENGTH}), Fraction(2, 5)),
    Focus.MOBILITY: (frozenset({Kind.MOBILITY, Kind.STRETCH}), Fraction(3, 5)),
    Focus.RELIEF: (frozenset({Kind.MOBILITY, Kind.STRETCH, Kind.BREATHING}), Fraction(7, 10)),
}
"""The kinds of work a focus asks for, and the least share of the session they take."""

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
ONLY_MIX_NOTE = (
    "Nothing else fits as well: any other mix of exercises would be more than 2% worse, so"
    " another mix gives this plan again."
)

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
    Focus.CARDIO: (frozenset({Kind.CARDIO}), frozenset({Direction.AEROBIC})),
}
"""An exercise serves a focus when its kind or one of its directions is listed here."""

PHASE_OF_KIND: dict[Kind, Phase] = {
    Kind.MOBILITY: Phase.WARM_UP,
    Kind.CARDIO: Phase.WARM_UP,
    Kind.STRENGTH: Phase.MAIN,
    Kind.BREATHING: Phase.MAIN,
    Kind.STRETCH: Phase.COOL_DOWN,
}
STRETCHING_FOCUSES = frozenset({Focus.RELIEF, Focus.MOBILITY})
"""Sessions whose main work is stretching: stretches are the main phase, breathing cools down."""
_PHASE_ORDER = {Phase.WARM_UP: 0, Phase.MAIN: 1, Phase.COOL_DOWN: 2}
_POSITION_ORDER = {p: i for i, p in enumerate(Position)}
_DIRECTION_BIT = {d: 1 << i for i, d in enumerate(Direction)}
SPINE_DIRECTIONS = frozenset(Direction) - {Direction.AEROBIC}
"""The directions the spine moves in (walking moves the body, not the spine one way)."""
_POSTURE_WORK = FOCUS_MATCH[Focus.POSTURE][1]


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


@dataclass(frozen=True)
class Option:
    """One way to include an exercise: its form, concrete dose, seconds and points."""

    exercise: Exercise
    form: Form
    dose: Prescription
    seconds: int
    fit: int
    """Points for the exercise itself (focus, ladder)."""
    dose_points: int
    """Points for this dose (sets, holds, walking minutes)."""
    mask: int
    """Its directions, as bits."""
    phase: Phase
    upright: bool
    family: tuple[Phase, Direction] | None
    """Its phase and single direction, when it moves in one direction only."""
    focus_work: bool
    """It is the kind of work the focus asks for (``FOCUS_SHARE``)."""
    below_level: bool = False
    """A beginner's dose offered above beginner level to fit a short plan."""

    @property
    def value(self) -> int:
        """Its points in the score, before EXERCISE_COST."""
        return self.fit + self.dose_points

    @property
    def slot(self) -> int:
        """Its phase and position, as one of six slots (phase, upright or floor)."""
        return 2 * _PHASE_ORDER[self.phase] + (0 if self.upright else 1)


@dataclass(frozen=True)
class Limits:
    """The rules' numbers for one request and its candidates."""

    budget_s: int
    """Most seconds of blocks: the budget less the get-ready countdown, or less when the focus
    work that fits cannot take its share of the whole budget."""
    full_budget_s: int
    """The request's whole budget (the fill rule measures against it)."""
    max_exercises: int
    focus_s: int
    """Fewest seconds of focus work (0: no share applies)."""
    share: Fraction | None
    """The focus's share, when it applies."""


def max_exercises(minutes: int) -> int:
    """max(4, minutes // 2), and never more than 10 up to 45 minutes (12 above)."""
    ceiling = MAX_EXERCISES_LONG if minutes >= LONG_FROM_MINUTES else MAX_EXERCISES
    return min(max(FEWEST_EXERCISES_ALLOWED, minutes // 2), ceiling)


def plan(cat: Catalogue, request: PlanRequest) -> Plan:
    """The best plan for ``request`` (or, for an odd seed, the best other mix within 2%);
    raises PlanError when nothing fits."""
    budget = request.budget_s - GET_READY_S
    groups = candidates(cat, request, budget)
    if not groups:
        any_length = candidates(cat, request, 24 * 3600)
        if any_length:
            shortest = min(o.seconds for g in any_length for o in g) + GET_READY_S
            raise NothingFits(
                f"{request.minutes} min is too short; the shortest exercise here takes {shortest} s"
            )
        raise NothingFits(
            f"no exercise fits {request.minutes} min at {request.place.value}"
            " with this kit and these conditions"
        )
    limits = limits_of(groups, request)
    best = search(groups, request, limits)
    if best is None:  # the focus share needs every slot: give up the share, not the plan
        limits = replace(limits, budget_s=budget, focus_s=0, share=None)
        best = search(groups, request, limits)
    assert best is not None, "any one candidate keeps every rule but the focus share"
    other = alternative(groups, request, limits, best)
    chosen = other if other is not None and request.seed % 2 == 1 else best
    return _assemble(chosen, request, limits, alternatives=other is not None)


def alternative(
    groups: Sequence[Sequence[Option]], request: PlanRequest, limits: Limits, best: list[Option]
) -> list[Option] | None:
    """The odd seed's plan: the best other mix, seeded, when it is near ``best``; else the best
    other mix by the score alone when that is near; else None (nothing else fits)."""
    avoid = frozenset(o.exercise.id for o in best)
    seeded = search(groups, request, limits, seed_key=request.seed // 2, avoid=avoid)
    if seeded is None:
        return None
    if is_near(seeded, best, request):
        return seeded
    second = search(groups, request, limits, avoid=avoid)
    if second is not None and is_near(second, best, request):
        return second
    return None


def is_near(other: Sequence[Option], best: Sequence[Option], request: PlanRequest) -> bool:
    """Whether ``other`` scores within NEAR_EQUAL of ``best``'s points before costs and rules."""
    gap = score_of(best, request) - score_of(other, request)
    return gap <= NEAR_EQUAL * gross_points(best)


def gross_points(options: Sequence[Option]) -> int:
    """A plan's fit and dose points (its score before costs and rules)."""
    return sum(o.value for o in options)


def score_of(options: Sequence[Option], request: PlanRequest) -> int:
    """The documented score of a set of options (shared by the search and the tests)."""
    seconds = sum(o.seconds for o in options)
    fill = FILL_RULE_POINTS if _fills(seconds, request.budget_s) else 0
    blocks = sum(o.value - EXERCISE_COST for o in options)
    return blocks + _directions_rule(_directions(options).bit_count(), request.budget_s) + fill


def seed_points(seed_key: int, exercise_id: str) -> int:
    """An odd seed's extra points for an exercise: 0 .. SEED_POINTS from a hash."""
    digest = hashlib.shake_128(f"{seed_key}:{exercise_id}".encode()).digest(1)
    return digest[0] % (SEED_POINTS + 1)


def breaks(options: Sequence[Option], limits: Limits) -> list[str]:
    """The rules a set of options breaks (empty when it keeps them all)."""
    broken = []
    if not options:
        broken.append("no exercise")
    ids = [o.exercise.id for o in options]
    if len(set(ids)) != len(ids):
        broken.append("an exercise twice")
    if sum(o.seconds for o in options) > limits.budget_s:
        broken.append("over the budget")
    if len(options) > limits.max_exercises:
        broken.append("too many exercises")
    if sum(o.seconds for o in options if o.focus_work) < limits.focus_s:
        broken.append("too little focus work")
    families: dict[tuple[Phase, Direction], int] = {}
    for option in options:
        if option.family is not None:
            families[option.family] = families.get(option.family, 0) + 1
    if any(n > PER_FAMILY for n in families.values()):
        broken.append("three exercises of one direction in a phase")
    if {o.slot for o in options} >= set(range(6)):
        broken.append("down to the floor and up more than once")
    return broken


def limits_of(groups: Sequence[Sequence[Option]], request: PlanRequest) -> Limits:
    """The rules' numbers for ``request`` with these candidates."""
    budget = request.budget_s - GET_READY_S
    count = max_exercises(request.minutes)
    shared = FOCUS_SHARE.get(request.focus)
    base = Limits(budget, request.budget_s, count, 0, None)
    if shared is None:
        return base
    share = shared[1]
    steps = budget // STEP_S
    most = most_focus_steps(groups, steps, count)
    least = min(math.ceil(share * steps), most)
    if least <= 0:
        return base
    limit = min(steps, math.floor(least / share))
    return Limits(limit * STEP_S, request.budget_s, count, least * STEP_S, share)


def most_focus_steps(groups: Sequence[Sequence[Option]], limit: int, count: int) -> int:
    """The most steps of focus work any choice of focus options takes within ``limit`` steps,
    ``count`` exercises and the family rule (reachable times as bitsets)."""
    focus = [g for g in groups if g[0].focus_work]
    families: dict[tuple[Phase, Direction], int] = {}
    for group in focus:
        if group[0].family is not None:
            families.setdefault(group[0].family, len(families))
    within = (1 << (limit + 1)) - 1
    reach: dict[tuple[int, tuple[int, ...]], int] = {(0, (0,) * len(families)): 1}
    for group in focus:
        family = group[0].family
        added = dict(reach)
        for (used, counts), times in reach.items():
            if used >= count:
                continue
            if family is not None:
                index = families[family]
                if counts[index] >= PER_FAMILY:
                    continue
                counts = (*counts[:index], counts[index] + 1, *counts[index + 1 :])
            moved = 0
            for option in group:
                moved |= times << (option.seconds // STEP_S)
            moved &= within
            if moved:
                key = (used + 1, counts)
                added[key] = added.get(key, 0) | moved
        reach = added
    return max(times.bit_length() - 1 for times in reach.values())


def search(
    groups: Sequence[Sequence[Option]],
    request: PlanRequest,
    limits: Limits,
    *,
    seed_key: int | None = None,
    avoid: frozenset[str] | None = None,
) -> list[Option] | None:
    """Exact: the options (at most one per group) that keep the rules with the best score, plus
    ``seed_points(seed_key, ...)`` per exercise when ``seed_key`` is given, among the choices
    whose exercises are not exactly ``avoid``; None when no choice keeps the rules."""
    family_ids: dict[tuple[Phase, Direction], int] = {}
    problem = []
    for group in groups:
        first = group[0]
        extra = 0 if seed_key is None else seed_points(seed_key, first.exercise.id)
        family = None
        if first.family is not None:
            family = family_ids.setdefault(first.family, len(family_ids))
        problem.append(
            Group(
                items=tuple((o.seconds // STEP_S, o.value + extra) for o in group),
                mask=first.mask,
                spare=EXERCISE_COST,
                focus=first.focus_work,
                slot=first.slot,
                family=family,
            )
        )
    differ = None
    if avoid is not None:
        differ = frozenset(i for i, g in enumerate(groups) if g[0].exercise.id in avoid)
        if len(differ) != len(avoid):
            differ = None  # no choice here is exactly ``avoid``
    rules = Rules(
        limit=limits.budget_s // STEP_S,
        min_directions=MIN_DIRECTIONS,
        directions_bonus=(
            DIRECTIONS_RULE_POINTS if limits.full_budget_s >= DIRECTIONS_RULE_FROM_S else 0
        ),
        fill_from=_fill_steps(limits.full_budget_s),
        fill_bonus=FILL_RULE_POINTS,
        max_count=limits.max_exercises,
        focus_from=limits.focus_s // STEP_S,
        per_family=PER_FAMILY,
        slots=6,
        differ_from=differ,
        nonempty=True,
    )
    choice = best_choice(problem, rules)
    if choice is None:
        return None
    return [groups[g][i] for g, i in choice]


def _directions(options: Sequence[Option]) -> int:
    mask = 0
    for option in options:
        mask |= option.mask
    return mask


def _directions_rule(count: int, full_budget_s: int) -> int:
    """The >= 3 directions rule's points, from 5 minutes up."""
    if full_budget_s >= DIRECTIONS_RULE_FROM_S and count >= MIN_DIRECTIONS:
        return DIRECTIONS_RULE_POINTS
    return 0


def _fills(seconds: int, full_budget_s: int) -> bool:
    """The fill rule: blocks and the get-ready countdown take >= 90 % of the budget."""
    return seconds + GET_READY_S >= FILL_RATIO * full_budget_s


def _fill_steps(full_budget_s: int) -> int:
    """The fewest STEP_S steps of blocks that meet the fill rule."""
    steps = max(0, math.ceil((FILL_RATIO * full_budget_s - GET_READY_S) / STEP_S))
    while steps > 0 and _fills((steps - 1) * STEP_S, full_budget_s):
        steps -= 1
    while not _fills(steps * STEP_S, full_budget_s):
        steps += 1
    return steps


# --- candidates and their doses --------------------------------------------------------------


def candidates(cat: Catalogue, request: PlanRequest, budget: int) -> list[list[Option]]:
    """Per exercise that fits, its priced options within ``budget`` seconds of work.

    A plan holds at most one option of each group. ``budget`` excludes the get-ready countdown
    (``request.budget_s - GET_READY_S``); tests use this to search exhaustively.
    """
    kit = request.kit
    fitting = []
    for exercise in sorted(cat.exercises.values(), key=lambda e: e.id):
        form = _fitting_form(exercise, request, kit)
        if form is not None:
            fitting.append((exercise, form))
    lacking = lacking_directions([e for e, _ in fitting], request.focus)
    groups: list[list[Option]] = []
    for exercise, form in fitting:
        options = [o for o in _options(exercise, form, request, lacking) if o.seconds <= budget]
        if options:
            groups.append(options)
    return groups


def lacking_directions(exercises: Sequence[Exercise], focus: Focus) -> frozenset[Direction]:
    """The spine directions none of the focus's work among ``exercises`` moves in (none when
    no focus work moves the spine)."""
    moved = {d for e in exercises if asks_for(e, focus) for d in e.directions}
    if not moved & SPINE_DIRECTIONS:
        return frozenset()  # no focus work, or none that moves the spine (a walk)
    return SPINE_DIRECTIONS - moved


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


def allows(exercise: Exercise, variant: str | None, request: PlanRequest) -> bool:
    """Whether the person's limits allow ``exercise`` in the form ``variant`` (None: the
    exercise itself); an unknown variant is not allowed."""
    return any(
        (f.variant.id if f.variant else None) == variant for f in allowed_forms(exercise, request)
    )


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


def serves_focus(exercise: Exercise, focus: Focus) -> bool:
    """Whether the exercise's kind or one of its directions serves ``focus``."""
    kinds, directions = FOCUS_MATCH[focus]
    return exercise.kind in kinds or bool(directions & set(exercise.directions))


def asks_for(exercise: Exercise, focus: Focus) -> bool:
    """Whether the exercise is the work ``focus`` asks for: its kind (strength work for
    strength), or for a focus named by directions only (posture) one of its directions."""
    kinds, directions = FOCUS_MATCH[focus]
    if kinds:
        return exercise.kind in kinds
    return bool(directions & set(exercise.directions))


def phase_of(kind: Kind, focus: Focus) -> Phase:
    """The phase of a kind of work in a session with ``focus``."""
    if focus in STRETCHING_FOCUSES:
        if kind is Kind.STRETCH:
            return Phase.MAIN
        if kind is Kind.BREATHING:
            return Phase.COOL_DOWN
    return PHASE_OF_KIND[kind]


def is_static_stretch(kind: Kind, dose: Prescription) -> bool:
    """A stretch held still: a stretch dosed by a hold, without reps or breaths."""
    return (
        kind is Kind.STRETCH and dose.hold_s is not None and dose.reps is None and not dose.breaths
    )


def _fit(exercise: Exercise, request: PlanRequest, lacking: frozenset[Direction]) -> int:
    if asks_for(exercise, request.focus):
        points = FOCUS_KIND_POINTS
    elif serves_focus(exercise, request.focus):
        points = FOCUS_DIRECTION_POINTS
    else:
        points = OTHER_POINTS
    points += LACKING_POINTS * len(lacking & set(exercise.directions))
    if (
        exercise.kind is Kind.MOBILITY
        and not asks_for(exercise, request.focus)
        and request.minutes >= PROPER_DOSE_FROM_MINUTES
    ):
        points += WARM_UP_POINTS
    if _earned(exercise, request) is not None:
        points += LADDER_POINTS
    return points


def _earned(exercise: Exercise, request: PlanRequest) -> Prescription | None:
    return None if request.gentle else request.doses.get(exercise.id)


def _options(
    exercise: Exercise, form: Form, request: PlanRequest, lacking: frozenset[Direction]
) -> list[Option]:
    fit = _fit(exercise, request, lacking)
    serves = asks_for(exercise, request.focus)
    mask = 0
    for direction in exercise.directions:
        mask |= _DIRECTION_BIT[direction]
    phase = phase_of(exercise.kind, request.focus)
    upright = set(form.positions) <= UPRIGHT
    family = (phase, exercise.directions[0]) if len(exercise.directions) == 1 else None
    shared = FOCUS_SHARE.get(request.focus)
    focus_work = shared is not None and exercise.kind in shared[0]
    options = []
    for dose, points, below in _doses(exercise, request):
        points = (points if serves else 0) - (BELOW_LEVEL_POINTS if below else 0)
        options.append(
            Option(
                exercise=exercise,
                form=form,
                dose=dose,
                seconds=dose.seconds,
                fit=fit,
                dose_points=points,
                mask=mask,
                phase=phase,
                upright=upright,
                family=family,
                focus_work=focus_work,
                below_level=below,
            )
        )
    return options


def _doses(exercise: Exercise, request: PlanRequest) -> list[tuple[Prescription, int, bool]]:
    """The doses offered, each with its dose points and whether it is below the person's level:
    from the level's (or the earned) dose up set by set to the top of the article's range; from
    PROPER_DOSE_FROM_MINUTES up never below a proper dose, and under it the beginner's dose
    too."""
    kind, dose = exercise.kind, exercise.dose
    earned = _earned(exercise, request)
    base = earned or Prescription.from_dose(dose, kind, request.dose_level)
    found = [(d, _dose_points(kind, d), False) for d in _ladder(exercise, base, earned, request)]
    short = request.minutes < PROPER_DOSE_FROM_MINUTES
    if short and earned is None and request.dose_level is not Level.BEGINNER:
        easy = Prescription.from_dose(dose, kind, Level.BEGINNER)
        offered = {d for d, _, _ in found}
        for easier in _ladder(exercise, easy, None, request):
            if easier not in offered:
                found.append((easier, _dose_points(kind, easier), True))
    return found


def _ladder(
    exercise: Exercise, base: Prescription, earned: Prescription | None, request: PlanRequest
) -> list[Prescription]:
    """``base`` dosed set by set up to the top of the article's range (or a walk in 5-minute
    steps); never below a proper dose from PROPER_DOSE_FROM_MINUTES up."""
    kind, dose = exercise.kind, exercise.dose
    if kind is Kind.CARDIO and base.reps is None and base.hold_s is not None:
        return _walks(dose, base, request)
    proper = request.minutes >= PROPER_DOSE_FROM_MINUTES
    top = math.floor(dose.sets.max) if dose.sets is not None else 1
    if earned is not None:
        low = high = earned.sets
    else:
        low = base.sets if proper else max(1, math.ceil(dose.sets.min) if dose.sets else 1)
        high = max(low, top)
    if proper:
        least = _least_sets(kind, base, request.dose_level)
        low, high = max(low, least), max(high, least)
    return [_with_sets(base, sets, top, kind) for sets in range(low, high + 1)]


def _least_sets(kind: Kind, dose: Prescription, level: Level) -> int:
    """The fewest sets of a proper dose (plans of PROPER_DOSE_FROM_MINUTES or more)."""
    if kind is Kind.STRENGTH and level is not Level.BEGINNER:
        return LEAST_STRENGTH_SETS
    if is_static_stretch(kind, dose) and dose.hold_s:
        return math.ceil(LEAST_HOLD_S / dose.hold_s)
    return 1


def _with_sets(base: Prescription, sets: int, top: int, kind: Kind) -> Prescription:
    """``base`` with ``sets`` sets; sets past the article's ``top`` and a rest it does not give
    are marked as midback's own."""
    if sets == base.sets:
        return base
    marked = list(base.defaults)
    update: dict[str, object] = {"sets": sets}
    if sets > top:
        marked.append("sets")
    if sets > 1 and base.rest_s == 0:
        update["rest_s"] = DEFAULT_REST_S[kind]
        marked.append("rest_s")
    update["defaults"] = marking(marked)
    return base.model_copy(update=update)


def _walks(dose: Dose, base: Prescription, request: PlanRequest) -> list[Prescription]:
    """A walk in WALK_STEP_S steps across its range, at most WALK_SHARE of the session unless
    the focus is cardio or the person asked for a walk."""
    assert dose.hold_s is not None
    low, high = math.ceil(dose.hold_s.min), math.floor(dose.hold_s.max)
    if request.focus is not Focus.CARDIO and not request.walk:
        high = min(high, math.floor(WALK_SHARE * request.budget_s))
    holds = [low, *range(low - low % WALK_STEP_S + WALK_STEP_S, high + 1, WALK_STEP_S)]
    return [base.model_copy(update={"hold_s": hold}) for hold in holds if hold <= high]


def _dose_points(kind: Kind, dose: Prescription) -> int:
    """Points for a proper dose: more sets of strength work, longer static holds, more walking."""
    if kind is Kind.STRENGTH:
        return sum(STRENGTH_SET_POINTS[: max(0, dose.sets - 1)])
    if kind is Kind.CARDIO:
        return WALK_STEP_POINTS * max(0, (dose.hold_s or 0) // WALK_STEP_S - 1)
    if is_static_stretch(kind, dose):
        held = dose.sets * (dose.hold_s or 0)
        return sum(points for seconds, points in HOLD_POINTS if held >= seconds)
    return SET_POINTS * (dose.sets - 1)


# --- a plan from the chosen options ----------------------------------------------------------


def _assemble(
    chosen: list[Option], request: PlanRequest, limits: Limits, *, alternatives: bool
) -> Plan:
    blocks: list[Block] = []
    swaps: list[Swap] = []
    notes: list[str] = []
    ordered = order_blocks(chosen, request.focus)
    main = any(o.phase is Phase.MAIN for o in ordered)
    for option in ordered:
        others = _directions([o for o in ordered if o is not option])
        block, swap = _block(option, request, others=others, main=main)
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
    shortened = limits.budget_s < request.budget_s - GET_READY_S
    if shortened and limits.share is not None:
        focus = request.focus.value
        notes.append(
            f"Only {-(-limits.focus_s // 60)} min of {focus} work fits here, and it should take"
            f" at least {float(limits.share):.0%} of a {focus} session, so this session is"
            " shorter; walk or stretch for the rest."
        )
    elif total < FILL_RATIO * request.budget_s:
        notes.append(
            f"The exercises that fit here fill {total // 60} of {request.minutes} minutes;"
            " add kit or another place for a longer session."
        )
    if not alternatives:
        notes.append(ONLY_MIX_NOTE)
    notes.append("Stop any exercise that hurts; pain above 5/10 is the signal to stop.")
    return Plan(
        minutes=request.minutes,
        total_seconds=total,
        blocks=blocks,
        directions=directions,
        swaps=swaps,
        notes=notes,
        score=float(score_of(chosen, request)),
        alternatives=alternatives,
    )


def order_blocks(chosen: Sequence[Option], focus: Focus) -> list[Option]:
    """Phases in order; within a phase the upright and the floor blocks grouped, the groups in
    the order that changes position least often (then posture work first in a posture session,
    then upright first); within a group a walk first, posture work first in a posture session,
    then from standing down to the floor."""

    def within(option: Option) -> tuple[int, int, int, str]:
        walk = 0 if option.exercise.kind is Kind.CARDIO else 1
        posture = 0 if focus is Focus.POSTURE and _posture_work(option) else 1
        lowest = max(_POSITION_ORDER[p] for p in option.form.positions)
        return (walk, posture, lowest, option.exercise.id)

    runs: list[tuple[list[Option], list[Option]]] = []
    for phase in Phase:
        here = sorted((o for o in chosen if o.phase is phase), key=within)
        runs.append(([o for o in here if o.upright], [o for o in here if not o.upright]))
    best: tuple[tuple[int, int, tuple[int, ...]], list[Option]] | None = None
    for flips in itertools.product((0, 1), repeat=len(runs)):
        sequence: list[Option] = []
        for (up, down), flip in zip(runs, flips, strict=True):
            sequence += (down + up) if flip else (up + down)
        changes = sum(1 for a, b in itertools.pairwise(sequence) if a.upright != b.upright)
        late = next((i for i, o in enumerate(sequence) if _posture_work(o)), len(sequence))
        rank = (changes, late if focus is Focus.POSTURE else 0, flips)
        if best is None or rank < best[0]:
            best = (rank, sequence)
    assert best is not None
    return best[1]


def position_changes(blocks: Sequence[Block]) -> int:
    """How many times a plan changes between upright and floor positions."""
    ups = [set(b.positions) <= UPRIGHT for b in blocks]
    return sum(1 for a, b in itertools.pairwise(ups) if a != b)


def _posture_work(option: Option) -> bool:
    return bool(_POSTURE_WORK & set(option.exercise.directions))


def _block(
    option: Option, request: PlanRequest, *, others: int, main: bool = False
) -> tuple[Block, Swap | None]:
    """The block for ``option`` and its swap, if any; ``others`` are the directions the other
    blocks move in, ``main`` whether the plan has main work to warm up for."""
    exercise, form = option.exercise, option.form
    swap = None
    form_note = None
    if form.variant is not None:
        base_problems = _problems(exercise, request)
        caution = preferring_caution(exercise, form.variant.id, request.conditions)
        if base_problems or caution is not None:
            reason = "; ".join(base_problems)
            if not reason and caution is not None:
                reason = f"{CONDITION_LABELS[caution.condition].lower()}: {caution.text}"
            swap = Swap(exercise_id=exercise.id, variant=form.variant.id, reason=reason)
            form_note = f"done as the {form.variant.name.lower()}, because {reason}"
        else:
            form_note = f"done as the {form.variant.name.lower()}, which suits the place"
    only_here = [
        d for d in exercise.directions if d in SPINE_DIRECTIONS and not _DIRECTION_BIT[d] & others
    ]
    why = words.why(
        kind=exercise.kind,
        directions=exercise.directions,
        place=request.place,
        focus=request.focus if asks_for(exercise, request.focus) else None,
        only_here=only_here,
        warm_up=main
        and option.phase is Phase.WARM_UP
        and exercise.kind is Kind.MOBILITY
        and not asks_for(exercise, request.focus),
        dose=_dose_words(option, request),
        form=form_note,
    )
    block = Block(
        phase=option.phase,
        exercise_id=exercise.id,
        name=form.variant.name if form.variant else exercise.name,
        variant=form.variant.id if form.variant else None,
        kind=exercise.kind,
        positions=list(form.positions),
        equipment=list(form.equipment),
        directions=list(exercise.directions),
        dose=option.dose,
        seconds=option.seconds,
        why=why,
        cues=extra_cues(form, request.conditions),
    )
    return block, swap


def _dose_words(option: Option, request: PlanRequest) -> str | None:
    """Why this dose, in words (None when there is nothing to say)."""
    exercise, dose = option.exercise, option.dose
    if option.below_level:
        return "a beginner's dose, to fit the time"
    if _earned(exercise, request) is not None:
        return "at the dose you have worked up to"
    if exercise.kind is Kind.CARDIO and dose.hold_s:
        return f"{dose.hold_s // 60} minutes towards the 150 a week of brisk walking ACSM advises"
    if exercise.kind is Kind.STRENGTH and dose.sets >= LEAST_STRENGTH_SETS:
        return f"{dose.sets} sets, as ACSM advises for building strength"
    if is_static_stretch(exercise.kind, dose) and dose.hold_s:
        side = " a side" if dose.per_side else ""
        held = dose.sets * dose.hold_s
        if held >= LEAST_HOLD_S:
            return f"held {held} s{side} in all, as ACSM advises for a stretch to work"
    if request.gentle:
        return "at a beginner's dose while the pain is irritable"
    return None


def plan_program(cat: Catalogue, program: Program, request: PlanRequest) -> Plan:
    """A program as written, adapted to the person's conditions and place.

    Each exercise takes the form the program names when the conditions allow it, else the first
    safe form (a variant a caution prefers for the person's conditions comes first), preferring
    one that fits the place; an exercise with no safe form is left out with a note. Doses are
    the program's, at the person's level. ``request.minutes`` is ignored: the plan takes as
    long as the program does.
    """
    chosen: list[Option] = []
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
        phase = PHASE_OF_KIND[exercise.kind]
        upright = set(form.positions) <= UPRIGHT
        chosen.append(
            Option(exercise, form, dose, dose.seconds, 0, 0, 0, phase, upright, None, False)
        )
    if not chosen:
        raise NothingFits(f"every exercise of {program.id} is ruled out by your conditions")
    program_request = request.model_copy(update={"doses": {}})
    blocks: list[Block] = []
    swaps: list[Swap] = []
    for option in chosen:
        others = 0
        for other in chosen:
            if other is not option:
                for direction in other.exercise.directions:
                    others |= _DIRECTION_BIT[direction]
        block, swap = _block(option, program_request, others=others)
        blocks.append(block)
        if swap is not None:
            swaps.append(swap)
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
