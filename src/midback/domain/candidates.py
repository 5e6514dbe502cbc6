"""The candidates of a plan: for a request, each exercise in its first form the person's limits
allow and the place fits (``allowed_forms``, ``fits_place``), offered at each dose from the
level's to the top of the article's range, with the points the planner scores it by
(``Option``). ``domain.planner`` explains the rules and the score."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar, cast

from midback.domain.catalogue import Catalogue, Exercise
from midback.domain.contraindications import (
    Form,
    safe_forms,
    violations,
)
from midback.domain.dose import Dose
from midback.domain.plans import SEATED_OR_STANDING, UPRIGHT, Phase, PlanRequest
from midback.domain.prescription import (
    DEFAULT_REST_S,
    Prescription,
    marking,
)
from midback.domain.vocab import (
    Direction,
    Equipment,
    Focus,
    Kind,
    Level,
    Place,
)

T = TypeVar("T")

FOCUS_KIND_POINTS = 20


FOCUS_DIRECTION_POINTS = 14


OTHER_POINTS = 10


LACKING_POINTS = 12
"""For each spine direction an exercise moves in that none of the focus work here does."""


WARM_UP_POINTS = 10
"""For mobility work in a session of PROPER_DOSE_FROM_MINUTES or more whose focus work it is
not: it warms the back up for the main work."""


LADDER_POINTS = 4


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


PROPER_DOSE_FROM_MINUTES = 10


LEAST_STRENGTH_SETS = 2
"""Sets of strength work from intermediate level, in plans of PROPER_DOSE_FROM_MINUTES or more
(ACSM: 2-3 sets once past the novice stage)."""


LEAST_HOLD_S = 30
"""Seconds a static stretch is held a side in all, in plans of PROPER_DOSE_FROM_MINUTES or more
(ACSM: holds of 10-30 s, about 60 s a stretch in all)."""


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


PHASE_ORDER = {Phase.WARM_UP: 0, Phase.MAIN: 1, Phase.COOL_DOWN: 2}


DIRECTION_BIT = {d: 1 << i for i, d in enumerate(Direction)}


SPINE_DIRECTIONS = frozenset(Direction) - {Direction.AEROBIC}
"""The directions the spine moves in (walking moves the body, not the spine one way)."""


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
        return 2 * PHASE_ORDER[self.phase] + (0 if self.upright else 1)


def candidates(cat: Catalogue, request: PlanRequest, budget: int) -> list[list[Option]]:
    """Per exercise that fits, its priced options within ``budget`` seconds of work.

    A plan holds at most one option of each group. ``budget`` excludes the get-ready countdown
    (``request.budget_s - GET_READY_S``); tests use this to search exhaustively. What fits and
    each exercise's options are kept (``_KEPT``): requests of other shapes share them.
    """
    fitting = _fitting(cat, request)
    lacking = lacking_directions([e for e, _ in fitting], request.focus)
    groups: list[list[Option]] = []
    for exercise, form in fitting:
        options = [
            o for o in _kept_options(exercise, form, request, lacking) if o.seconds <= budget
        ]
        if options:
            groups.append(options)
    return groups


KEPT_SIZE = 8192
"""At most this many kept answers (``_KEPT``); past it they are all let go at once."""

_KEPT: dict[tuple[object, ...], tuple[object, object]] = {}
"""Answers of ``_fitting`` and ``_options`` by what they read of their arguments: the catalogue
or exercise by identity (``id``), the rest by value. Each answer holds the object whose ``id``
is in its key, so no other object can take that ``id`` while it is kept."""


def _kept(key: tuple[object, ...], owner: object, make: Callable[[], T]) -> T:
    """``make()``, kept under ``key`` for ``owner`` (the object whose ``id`` the key holds)."""
    held = _KEPT.get(key)
    if held is not None and held[0] is owner:
        return cast(T, held[1])
    made = make()
    if len(_KEPT) >= KEPT_SIZE:
        _KEPT.clear()
    _KEPT[key] = (owner, made)
    return made


def _fitting(cat: Catalogue, request: PlanRequest) -> list[tuple[Exercise, Form]]:
    """Each exercise of ``cat`` (by id) in its first form the person's limits allow and the
    place fits, leaving out those with none."""
    kit = request.kit
    key = ("fitting", id(cat), request.place, kit, request.conditions, request.cleared,
           request.pregnancy_weeks, request.gentle)  # fmt: skip

    def make() -> list[tuple[Exercise, Form]]:
        found = []
        for exercise in sorted(cat.exercises.values(), key=lambda e: e.id):
            form = _fitting_form(exercise, request, kit)
            if form is not None:
                found.append((exercise, form))
        return found

    return _kept(key, cat, make)


def _kept_options(
    exercise: Exercise, form: Form, request: PlanRequest, lacking: frozenset[Direction]
) -> list[Option]:
    """``_options``, kept by what it reads of the request: the focus, how many lacking
    directions the exercise moves in, whether the session is long enough for proper doses, the
    level doses are taken at, the earned dose, and for a walk the minutes and whether the person
    asked for one."""
    walk = (request.minutes, request.walk) if exercise.kind is Kind.CARDIO else None
    key = ("options", id(exercise), form.variant.id if form.variant else None, request.focus,
           len(lacking & set(exercise.directions)), request.minutes >= PROPER_DOSE_FROM_MINUTES,
           request.dose_level, earned_dose(exercise, request), walk)  # fmt: skip
    return _kept(key, exercise, lambda: _options(exercise, form, request, lacking))


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


def problems(exercise: Exercise, request: PlanRequest) -> list[str]:
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
    if earned_dose(exercise, request) is not None:
        points += LADDER_POINTS
    return points


def earned_dose(exercise: Exercise, request: PlanRequest) -> Prescription | None:
    return None if request.gentle else request.doses.get(exercise.id)


def _options(
    exercise: Exercise, form: Form, request: PlanRequest, lacking: frozenset[Direction]
) -> list[Option]:
    fit = _fit(exercise, request, lacking)
    serves = asks_for(exercise, request.focus)
    mask = 0
    for direction in exercise.directions:
        mask |= DIRECTION_BIT[direction]
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
    earned = earned_dose(exercise, request)
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
