"""The planner: every plan is safe, fits the budget and the place, is one a physiotherapist
would write (few exercises, the focus served, proper doses, no repeats, down to the floor once,
a walk in minutes, another mix on request, reasons in plain words), and is the best there is."""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from midback.domain import candidates as candidates_module
from midback.domain.assemble import ONLY_MIX_NOTE, plan_program
from midback.domain.candidates import FOCUS_SHARE, Option, candidates, fits_place
from midback.domain.catalogue import Catalogue, Program, ProgramEntry
from midback.domain.contraindications import Form, violations
from midback.domain.planner import (
    MIN_DIRECTIONS,
    PER_FAMILY,
    Limits,
    Mixes,
    breaks,
    gross_points,
    is_near,
    limits_of,
    mixes,
    most_focus_steps,
    near_by_one_change,
    plan,
    score_of,
    search,
    seed_points,
)
from midback.domain.plans import PLACE_KIT, SEATED_OR_STANDING, Block, Phase, Plan, PlanRequest
from midback.domain.prescription import GET_READY_S, STEP_S, Prescription
from midback.domain.vocab import (
    Condition,
    Demand,
    Direction,
    Equipment,
    Focus,
    Kind,
    Level,
    Place,
    Position,
)
from midback.errors import PlanError

C = Condition
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PHASE_ORDER = [Phase.WARM_UP, Phase.MAIN, Phase.COOL_DOWN]
UPRIGHT = {Position.STANDING, Position.SEATED_CHAIR, Position.HANGING}

ANY_MINUTES = st.integers(1, 90)
ANY_PLACE = st.sampled_from(Place)
ANY_KIT = st.none() | st.frozensets(st.sampled_from(Equipment))
ANY_CONDITIONS = st.frozensets(st.sampled_from(C))
ANY_FOCUS = st.sampled_from(Focus)


# --- builders ------------------------------------------------------------------------------


@st.composite
def requests(
    draw: st.DrawFn,
    *,
    minutes: st.SearchStrategy[int] = ANY_MINUTES,
    places: st.SearchStrategy[Place] = ANY_PLACE,
    equipment: st.SearchStrategy[frozenset[Equipment] | None] = ANY_KIT,
    conditions: st.SearchStrategy[frozenset[Condition]] = ANY_CONDITIONS,
    focuses: st.SearchStrategy[Focus] = ANY_FOCUS,
) -> PlanRequest:
    """Any request a person could make; narrow a field by passing its strategy."""
    return PlanRequest(
        minutes=draw(minutes),
        place=draw(places),
        equipment=draw(equipment),
        conditions=draw(conditions),
        focus=draw(focuses),
        level=draw(st.sampled_from(Level)),
        seed=draw(st.integers(0, 2**16)),
        cleared=draw(st.booleans()),
        gentle=draw(st.sampled_from([False, False, False, True])),
        walk=draw(st.sampled_from([False, False, False, True])),
    )


def request(minutes: int = 20, place: Place = Place.HOME, **changes: object) -> PlanRequest:
    """A request with sensible defaults and just the fields a test cares about."""
    return PlanRequest.model_validate({"minutes": minutes, "place": place, **changes})


def only(cat: Catalogue, *exercise_ids: str) -> Catalogue:
    """The shipped catalogue cut down to ``exercise_ids`` (and no programs)."""
    kept = {i: cat.exercises[i] for i in exercise_ids}
    return cat.model_copy(update={"exercises": kept, "programs": {}})


def nothing_is_allowed(request: PlanRequest) -> bool:
    """Recent spine surgery without a clinician's clearance rules out every exercise."""
    return C.RECENT_SPINE_SURGERY in request.conditions and not request.cleared


def too_short(request: PlanRequest, error: PlanError) -> bool:
    """A minute or two can be shorter than every exercise a gentle session allows."""
    found = re.search(r"the shortest exercise here takes (\d+) s", str(error))
    return found is not None and int(found[1]) > request.budget_s and request.gentle


def plan_or_none(cat: Catalogue, request: PlanRequest) -> Plan | None:
    """The plan, or None when the request rightly has none (and then say why)."""
    try:
        return plan(cat, request)
    except PlanError as error:
        assert nothing_is_allowed(request) or too_short(request, error), (
            f"unexpected PlanError for {request}: {error}"
        )
        return None


def form_of(cat: Catalogue, exercise_id: str, variant: str | None) -> Form:
    """The form a block was planned in, rebuilt from the catalogue."""
    exercise = cat.exercise(exercise_id)
    return Form(exercise, exercise.variant(variant) if variant else None)


def block_forms(cat: Catalogue, planned: Plan) -> list[Form]:
    return [form_of(cat, b.exercise_id, b.variant) for b in planned.blocks]


def mix(planned: Plan) -> set[str]:
    """The exercises of a plan, whatever their doses and order."""
    return {b.exercise_id for b in planned.blocks}


def is_upright(block: Block) -> bool:
    return set(block.positions) <= UPRIGHT


def changes_of_position(blocks: Sequence[Block]) -> int:
    """How often the plan goes from upright (standing, chair, hanging) to the floor or back."""
    ups = [is_upright(b) for b in blocks]
    return sum(1 for a, b in itertools.pairwise(ups) if a != b)


def static_stretch(block: Block) -> bool:
    dose = block.dose
    return (
        block.kind is Kind.STRETCH
        and dose.hold_s is not None
        and not dose.reps
        and not dose.breaths
    )


def can_cover_directions(groups: Sequence[Sequence[Option]], limits: Limits, wanted: int) -> bool:
    """Whether some choice of at most ``wanted`` options that keeps the rules covers ``wanted``
    directions (a choice that covers them needs no more)."""
    for size in range(1, wanted + 1):
        for combo in itertools.combinations(groups, size):
            for options in itertools.product(*combo):
                mask = 0
                for option in options:
                    mask |= option.mask
                if mask.bit_count() >= wanted and not breaks(options, limits):
                    return True
    return False


def every_choice(groups: Sequence[Sequence[Option]], limits: Limits) -> Iterator[list[Option]]:
    """Every choice of at most one option per group that keeps the rules."""
    chosen: list[Option] = []

    def walk(i: int, used: int) -> Iterator[list[Option]]:
        if i == len(groups):
            if not breaks(chosen, limits):
                yield list(chosen)
            return
        yield from walk(i + 1, used)
        if len(chosen) >= limits.max_exercises:
            return
        for option in groups[i]:
            if used + option.seconds <= limits.budget_s:
                chosen.append(option)
                yield from walk(i + 1, used + option.seconds)
                chosen.pop()

    return walk(0, 0)


def positions_of(forms: Iterable[Form]) -> set[Position]:
    return {p for f in forms for p in f.positions}


def demands_of(forms: Iterable[Form]) -> set[Demand]:
    return {d for f in forms for d in f.demands}


# --- properties over any request -----------------------------------------------------------


@PROPERTY
@given(req=requests())
def test_no_block_is_ruled_out_by_the_persons_conditions(cat: Catalogue, req: PlanRequest) -> None:
    planned = plan_or_none(cat, req)
    if planned is None:
        return
    for form in block_forms(cat, planned):
        assert violations(form, req.conditions, cleared=req.cleared) == [], form.name


@PROPERTY
@given(req=requests(minutes=st.integers(1, 90)))
def test_plan_fails_only_when_recent_spine_surgery_is_not_cleared(
    cat: Catalogue, req: PlanRequest
) -> None:
    if nothing_is_allowed(req):
        with pytest.raises(PlanError, match="no exercise fits"):
            plan(cat, req)
    else:
        planned = plan_or_none(cat, req)
        assert planned is None or planned.blocks


@PROPERTY
@given(req=requests())
def test_plan_fits_the_budget_and_totals_get_ready_plus_its_blocks(
    cat: Catalogue, req: PlanRequest
) -> None:
    planned = plan_or_none(cat, req)
    if planned is None:
        return
    assert planned.total_seconds <= req.minutes * 60
    assert planned.total_seconds == GET_READY_S + sum(b.seconds for b in planned.blocks)
    for block in planned.blocks:
        assert block.seconds == block.dose.seconds


@PROPERTY
@given(req=requests(minutes=st.integers(5, 90)))
def test_plan_covers_three_directions_whenever_a_plan_that_keeps_the_rules_can(
    cat: Catalogue, req: PlanRequest
) -> None:
    planned = plan_or_none(cat, req)
    if planned is None or len(planned.directions) >= MIN_DIRECTIONS:
        return
    assert any("movement directions" in note for note in planned.notes)
    groups = candidates(cat, req, req.budget_s - GET_READY_S)
    assert not can_cover_directions(groups, limits_of(groups, req), MIN_DIRECTIONS)


@PROPERTY
@given(req=requests())
def test_every_block_fits_the_place_and_the_kit(cat: Catalogue, req: PlanRequest) -> None:
    planned = plan_or_none(cat, req)
    if planned is None:
        return
    for form in block_forms(cat, planned):
        assert fits_place(form, req.place, req.kit), form.name


@PROPERTY
@given(req=requests())
def test_phases_run_warm_up_then_main_then_cool_down(cat: Catalogue, req: PlanRequest) -> None:
    planned = plan_or_none(cat, req)
    if planned is None:
        return
    phases = [PHASE_ORDER.index(b.phase) for b in planned.blocks]
    assert phases == sorted(phases)


@PROPERTY
@given(
    req=requests(
        minutes=st.integers(5, 30),
        places=st.sampled_from([Place.HOME, Place.GYM]),
        equipment=st.none(),
        conditions=st.just(frozenset()),
    )
)
def test_plan_fills_at_least_90_percent_at_home_or_gym_without_conditions(
    cat: Catalogue, req: PlanRequest
) -> None:
    planned = plan(cat, req)
    assert planned.total_seconds >= 0.9 * req.budget_s
    assert not any("fill" in note for note in planned.notes)


# --- properties 1-7 of issue 13: plans a physiotherapist would write ------------------------


@PROPERTY
@given(req=requests())
def test_1_a_plan_holds_a_few_exercises(cat: Catalogue, req: PlanRequest) -> None:
    planned = plan_or_none(cat, req)
    if planned is None:
        return
    assert len(planned.blocks) <= max(4, req.minutes // 2)
    assert len(planned.blocks) <= (10 if req.minutes <= 45 else 12)


@PROPERTY
@given(req=requests())
def test_2_a_plan_serves_its_focus_where_the_persons_limits_allow_its_work(
    cat: Catalogue, req: PlanRequest
) -> None:
    planned = plan_or_none(cat, req)
    if planned is None or req.focus not in FOCUS_SHARE:
        return
    kinds, share = FOCUS_SHARE[req.focus]
    groups = candidates(cat, req, req.budget_s - GET_READY_S)
    if not any(g[0].exercise.kind in kinds for g in groups):
        event(f"no {req.focus.value} work allowed")
        return
    work = sum(b.seconds for b in planned.blocks if b.kind in kinds)
    assert work >= share * sum(b.seconds for b in planned.blocks)
    if sum(b.seconds for b in planned.blocks) < 0.9 * req.budget_s - GET_READY_S:
        assert any(req.focus.value in note or "fill" in note for note in planned.notes)


@PROPERTY
@given(req=requests(focuses=st.just(Focus.POSTURE)))
def test_2_a_posture_plan_puts_retraction_and_extension_work_first(
    cat: Catalogue, req: PlanRequest
) -> None:
    planned = plan_or_none(cat, req)
    if planned is None:
        return
    posture = {Direction.RETRACTION, Direction.EXTENSION}
    runs = itertools.groupby(planned.blocks, key=lambda b: (b.phase, is_upright(b)))
    for _, run in runs:
        kinds = [bool(posture & set(b.directions)) for b in run if b.kind is not Kind.CARDIO]
        assert kinds == sorted(kinds, reverse=True), "posture work first in each phase"


@PROPERTY
@given(req=requests(minutes=st.integers(10, 90)))
def test_3_from_ten_minutes_every_dose_is_a_proper_one(cat: Catalogue, req: PlanRequest) -> None:
    planned = plan_or_none(cat, req)
    if planned is None:
        return
    for block in planned.blocks:
        if block.kind is Kind.STRENGTH and req.dose_level is not Level.BEGINNER:
            assert block.dose.sets >= 2, block.exercise_id
        if static_stretch(block):
            assert block.dose.sets * (block.dose.hold_s or 0) >= 30, block.exercise_id


@PROPERTY
@given(req=requests())
def test_4_no_phase_holds_three_exercises_moving_one_single_way(
    cat: Catalogue, req: PlanRequest
) -> None:
    planned = plan_or_none(cat, req)
    if planned is None:
        return
    single = Counter((b.phase, b.directions[0]) for b in planned.blocks if len(b.directions) == 1)
    assert max(single.values(), default=0) <= 2, single


@PROPERTY
@given(req=requests())
def test_5_a_plan_gets_down_to_the_floor_and_up_again_at_most_once(
    cat: Catalogue, req: PlanRequest
) -> None:
    planned = plan_or_none(cat, req)
    if planned is None:
        return
    assert changes_of_position(planned.blocks) <= 2, [b.positions for b in planned.blocks]


@PROPERTY
@given(req=requests(minutes=st.integers(10, 90)))
def test_6_a_walk_is_shown_in_minutes_and_takes_at_most_a_third_unless_asked_for(
    cat: Catalogue, req: PlanRequest
) -> None:
    planned = plan_or_none(cat, req)
    if planned is None:
        return
    for block in planned.blocks:
        if block.kind is not Kind.CARDIO:
            continue
        assert re.fullmatch(r"Brisk walk \d+ min", block.describe), block.describe
        assert block.dose.hold_s is not None and block.dose.hold_s % 300 == 0
        if req.focus is not Focus.CARDIO and not req.walk:
            assert block.dose.hold_s <= req.budget_s / 3


@PROPERTY
@given(req=requests())
def test_7_same_request_gives_the_same_plan(cat: Catalogue, req: PlanRequest) -> None:
    first = plan_or_none(cat, req)
    assert plan_or_none(cat, req) == first


@PROPERTY
@given(req=requests())
def test_7_the_next_seed_gives_another_mix_or_the_plan_says_nothing_else_fits(
    cat: Catalogue, req: PlanRequest
) -> None:
    planned = plan_or_none(cat, req)
    if planned is None:
        return
    following = plan(cat, req.model_copy(update={"seed": req.seed + 1}))
    event(f"alternatives: {planned.alternatives}")
    if planned.alternatives:
        assert mix(following) != mix(planned)
        assert ONLY_MIX_NOTE not in planned.notes
    else:
        assert mix(following) == mix(planned)
        assert ONLY_MIX_NOTE in planned.notes


@PROPERTY
@given(req=requests(), other_seed=st.integers(0, 1000))
def test_7_the_search_made_for_one_seed_serves_every_other_seed(
    cat: Catalogue, req: PlanRequest, other_seed: int
) -> None:
    try:
        found = mixes(cat, req)
    except PlanError:
        return
    other = req.model_copy(update={"seed": other_seed})
    assert plan(cat, other, found) == plan(cat, other)
    assert plan(cat, req, found) == plan(cat, req)


def mixes_or_none(cat: Catalogue, request: PlanRequest) -> Mixes | None:
    """``mixes``, or None when nothing fits (``plan_or_none`` checks why)."""
    try:
        return mixes(cat, request)
    except PlanError:
        return None


def best_other_is_near(found: Mixes) -> bool:
    """Whether the best mix of other exercises is near the best, searched for here."""
    avoid = frozenset(o.exercise.id for o in found.best)
    other, _ = search(found.groups, found.request, found.limits, avoid=avoid)
    return other is not None and is_near(other, found.best, found.request)


@PROPERTY
@given(req=requests())
def test_7_another_mix_is_near_exactly_when_the_best_other_mix_is(
    cat: Catalogue, req: PlanRequest
) -> None:
    found = mixes_or_none(cat, req)
    if found is None:
        return
    near = best_other_is_near(found)
    one_change = near_by_one_change(found.groups, found.best, req, found.limits)
    event(f"near: {near}, shown by one change: {one_change}")
    assert found.near is near
    assert near or not one_change  # one change is near only when another mix is
    assert (found.other() is not None) is near


@PROPERTY
@given(req=requests())
def test_7_one_change_tells_another_mix_is_near_when_any_one_change_is(
    cat: Catalogue, req: PlanRequest
) -> None:
    found = mixes_or_none(cat, req)
    if found is None:
        return
    best, ids = found.best, {o.exercise.id for o in found.best}
    outside = [o for g in found.groups if g[0].exercise.id not in ids for o in g]
    changes = [[*best[:i], *best[i + 1 :]] for i in range(len(best))]
    changes += [[*best, o] for o in outside]
    changes += [[*best[:i], o, *best[i + 1 :]] for i in range(len(best)) for o in outside]
    near = any(c and not breaks(c, found.limits) and is_near(c, best, req) for c in changes)
    event(f"one change near: {near}")
    assert near_by_one_change(found.groups, best, req, found.limits) is near


@pytest.mark.parametrize("minutes", [10, 15, 20, 30])
@pytest.mark.parametrize("place", [Place.HOME, Place.GYM])
@pytest.mark.parametrize("focus", list(Focus))
def test_7_try_a_different_mix_changes_common_plans_or_says_nothing_else_fits(
    cat: Catalogue, minutes: int, place: Place, focus: Focus
) -> None:
    req = request(minutes, place, focus=focus, level=Level.INTERMEDIATE)
    planned, different = plan(cat, req), plan(cat, req.model_copy(update={"seed": 1}))
    assert (mix(different) != mix(planned)) is planned.alternatives
    assert (ONLY_MIX_NOTE in planned.notes) is not planned.alternatives


def test_7_most_common_plans_have_another_mix(cat: Catalogue) -> None:
    reqs = [
        request(minutes, place, focus=focus, level=level)
        for minutes in (10, 15, 20, 30)
        for place in (Place.HOME, Place.GYM)
        for focus in Focus
        for level in Level
    ]
    changed = sum(
        mix(plan(cat, r)) != mix(plan(cat, r.model_copy(update={"seed": 1}))) for r in reqs
    )
    assert changed >= 0.9 * len(reqs)


def test_another_seed_can_pick_another_plan(cat: Catalogue) -> None:
    plans = [plan(cat, request(10, Place.GYM, focus=Focus.STRENGTH, seed=s)) for s in range(10)]
    assert len({frozenset(mix(p)) for p in plans}) > 1
    assert all(mix(a) != mix(b) for a, b in itertools.pairwise(plans) if a.alternatives)


@st.composite
def earned_requests(draw: st.DrawFn, cat: Catalogue) -> PlanRequest:
    """Any request, to 4 hours, sometimes pregnant, with doses earned on some exercises."""
    req = draw(requests(minutes=st.integers(1, 240)))
    ids = draw(st.lists(st.sampled_from(sorted(cat.exercises)), max_size=3, unique=True))
    doses = {}
    for exercise_id in ids:
        exercise = cat.exercises[exercise_id]
        base = Prescription.from_dose(exercise.dose, exercise.kind, draw(st.sampled_from(Level)))
        doses[exercise_id] = base.model_copy(update={"sets": draw(st.integers(1, 4))})
    weeks = draw(st.none() | st.integers(1, 42))
    return req.model_copy(update={"doses": doses, "pregnancy_weeks": weeks})


@PROPERTY
@given(data=st.data())
def test_kept_candidates_are_the_ones_made_anew(cat: Catalogue, data: st.DataObject) -> None:
    """What fits and each exercise's options are kept between requests of other shapes
    (``candidates._KEPT``): a run of requests gets from them exactly what it would get with
    nothing kept, whatever the requests before it kept."""
    reqs = data.draw(st.lists(earned_requests(cat), min_size=2, max_size=6))
    kept = [candidates(cat, r, r.budget_s - GET_READY_S) for r in reqs]
    for r, found in zip(reqs, kept, strict=True):
        candidates_module._KEPT.clear()
        assert candidates(cat, r, r.budget_s - GET_READY_S) == found, r


# --- exact: the search finds the best score there is ------------------------------------


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.data(),
    req=requests(
        minutes=st.sampled_from(range(1, 21)),
        places=st.sampled_from(
            [Place.HOME, Place.GYM, Place.HOME, Place.GYM, Place.DESK, Place.CAR]
        ),
        equipment=st.none() | st.none() | st.frozensets(st.sampled_from(Equipment), min_size=3),
        conditions=st.frozensets(st.sampled_from(C), max_size=2),
    ),
)
def test_plan_scores_as_well_as_exhaustive_search_on_small_catalogues(
    cat: Catalogue, data: st.DataObject, req: PlanRequest
) -> None:
    ids = data.draw(
        st.lists(st.sampled_from(sorted(cat.exercises)), min_size=4, max_size=7, unique=True)
    )
    small = only(cat, *ids)
    groups = candidates(small, req, req.budget_s - GET_READY_S)
    event(f"{len(groups)} candidate groups")
    if not groups:
        with pytest.raises(PlanError):
            plan(small, req)
        return
    limits = limits_of(groups, req)
    assert_focus_share_is_as_documented(groups, req, limits)
    choices = list(every_choice(groups, limits))
    if not choices:  # the focus share needs every slot: the planner gives up the share
        event("focus share given up")
        limits = dataclasses.replace(
            limits, budget_s=req.budget_s - GET_READY_S, focus_s=0, share=None
        )
        choices = list(every_choice(groups, limits))
    key = req.seed // 2
    best_plan = plan(small, req.model_copy(update={"seed": 2 * key}))
    other_plan = plan(small, req.model_copy(update={"seed": 2 * key + 1}))

    scores = [score_of(c, req) for c in choices]
    best = max(scores)
    assert best_plan.score == best

    first = next(
        c for c, s in zip(choices, scores, strict=True) if s == best and ids_of(c) == mix(best_plan)
    )
    tolerance = gross_points(first) / 50
    others = [(c, s) for c, s in zip(choices, scores, strict=True) if ids_of(c) != mix(best_plan)]
    near = [(c, s) for c, s in others if best - s <= tolerance]
    event(f"alternatives: {bool(near)}")
    assert best_plan.alternatives is bool(near) is other_plan.alternatives
    if not near:
        assert mix(other_plan) == mix(best_plan)
        return
    assert mix(other_plan) != mix(best_plan)
    assert best - other_plan.score <= tolerance
    seeded = max(s + sum(seed_points(key, o.exercise.id) for o in c) for c, s in others)
    mine = other_plan.score + sum(seed_points(key, i) for i in mix(other_plan))
    best_other = max(s for _, s in others)
    assert mine == seeded or other_plan.score == best_other


def ids_of(options: Sequence[Option]) -> set[str]:
    return {o.exercise.id for o in options}


def assert_focus_share_is_as_documented(
    groups: Sequence[Sequence[Option]], req: PlanRequest, limits: Limits
) -> None:
    """The least focus work is the focus's share of the budget, or the most focus work that
    fits the budget, the count and the family rule when that is less; the budget shrinks to
    keep the share."""
    budget = req.budget_s - GET_READY_S
    if req.focus not in FOCUS_SHARE:
        assert (limits.focus_s, limits.budget_s) == (0, budget)
        return
    kinds, share = FOCUS_SHARE[req.focus]
    focus_groups = [g for g in groups if g[0].exercise.kind in kinds]
    plain = Limits(budget, req.budget_s, limits.max_exercises, 0, None)
    most = max(
        (sum(o.seconds for o in c) for c in every_choice(focus_groups, plain) if c), default=0
    )
    least = min(math.ceil(share * (budget // STEP_S)) * STEP_S, most)
    assert limits.focus_s == least
    if least:
        assert limits.budget_s == min(budget, math.floor(least / STEP_S / share) * STEP_S)


# --- the examples issue 13 names ---------------------------------------------------------------


def test_20_minutes_at_home_for_strength_is_a_few_properly_dosed_exercises(cat: Catalogue) -> None:
    planned = plan(cat, request(20, Place.HOME, focus=Focus.STRENGTH, level=Level.INTERMEDIATE))
    strength = [b for b in planned.blocks if b.kind is Kind.STRENGTH]
    assert len(planned.blocks) <= 10
    assert sum(b.seconds for b in strength) >= 0.4 * sum(b.seconds for b in planned.blocks)
    assert strength and all(b.dose.sets >= 2 for b in strength)
    assert planned.total_seconds >= 0.9 * 20 * 60


@PROPERTY
@given(
    req=requests(places=st.sampled_from([Place.HOME, Place.GYM]), conditions=st.just(frozenset()))
)
def test_cobra_prone_chest_lift_and_sphinx_are_never_all_in_one_plan(
    cat: Catalogue, req: PlanRequest
) -> None:
    assert not {"cobra", "prone-chest-lift", "sphinx"} <= mix(plan(cat, req))


@pytest.mark.parametrize("focus", list(Focus))
@pytest.mark.parametrize("level", list(Level))
def test_10_minutes_at_home_is_at_most_5_exercises(
    cat: Catalogue, focus: Focus, level: Level
) -> None:
    assert len(plan(cat, request(10, Place.HOME, focus=focus, level=level)).blocks) <= 5


@pytest.mark.parametrize("place", list(Place))
@pytest.mark.parametrize("minutes", [5, 10, 20, 45])
def test_a_relief_plan_is_mostly_mobility_stretching_and_breathing(
    cat: Catalogue, place: Place, minutes: int
) -> None:
    planned = plan(cat, request(minutes, place, focus=Focus.RELIEF))
    gentle = {Kind.MOBILITY, Kind.STRETCH, Kind.BREATHING}
    easing = sum(b.seconds for b in planned.blocks if b.kind in gentle)
    assert easing >= 0.7 * sum(b.seconds for b in planned.blocks)
    assert sum(b.phase is Phase.COOL_DOWN for b in planned.blocks) <= len(planned.blocks) / 2


def test_a_cardio_session_may_walk_for_most_of_it(cat: Catalogue) -> None:
    planned = plan(cat, request(30, Place.HOME, focus=Focus.CARDIO))
    walk = next(b for b in planned.blocks if b.kind is Kind.CARDIO)
    assert walk.dose.hold_s is not None and walk.dose.hold_s > 10 * 60
    assert walk.describe == f"Brisk walk {walk.dose.hold_s // 60} min"
    assert planned.blocks[0] == walk


def test_an_earned_dose_replaces_the_levels_and_earns_its_exercise_a_place(cat: Catalogue) -> None:
    earned = plan(cat, request(20, Place.HOME, focus=Focus.STRENGTH)).blocks
    crunch = next(b for b in earned if b.exercise_id == "crunch").dose
    climbed = crunch.model_copy(update={"sets": 3, "reps": 20})
    planned = plan(cat, request(20, Place.HOME, focus=Focus.STRENGTH, doses={"crunch": climbed}))
    block = next(b for b in planned.blocks if b.exercise_id == "crunch")
    assert block.dose == climbed
    assert "worked up to" in block.why


def test_a_static_stretch_gets_more_sets_than_its_article_gives_marked_as_midbacks_own(
    cat: Catalogue,
) -> None:
    planned = plan(only(cat, "seated-spinal-twist"), request(10, Place.HOME))
    (block,) = planned.blocks
    assert (block.dose.sets, block.dose.hold_s) == (2, 20)
    assert {"sets", "rest_s"} <= set(block.dose.defaults)
    assert cat.exercise("seated-spinal-twist").dose.sets is None


def test_a_strength_session_with_no_strength_allowed_has_no_share_to_keep(cat: Catalogue) -> None:
    planned = plan(cat, request(20, Place.HOME, focus=Focus.STRENGTH, gentle=True))
    assert planned.blocks
    assert all(b.kind is not Kind.STRENGTH for b in planned.blocks)


def test_strength_work_that_cannot_take_its_share_shortens_the_session(cat: Catalogue) -> None:
    desk = only(
        cat, "scapular-squeeze", "side-reach", "neck-side-bend", "shoulder-roll", "seated-rotation"
    )
    planned = plan(desk, request(60, Place.DESK, focus=Focus.STRENGTH))
    strength = sum(b.seconds for b in planned.blocks if b.kind is Kind.STRENGTH)
    assert strength >= 0.4 * sum(b.seconds for b in planned.blocks)
    assert planned.total_seconds < 0.9 * 60 * 60
    assert any("strength work fits here" in note for note in planned.notes)


# --- 8: why, in plain words --------------------------------------------------------------------

CODE_WORDS = {d.value for d in Direction} | {"MET", "METs", "variant:"}


def codes_in(text: str, cat: Catalogue) -> set[str]:
    """Ids and code words a person should never read in a reason."""
    ids = {i for i in cat.exercises if "-" in i}
    ids |= {v.id for e in cat.exercises.values() for v in e.variants if "-" in v.id}
    words = set(re.findall(r"[A-Za-z:-]+", text))
    return (ids | CODE_WORDS) & words


@pytest.mark.parametrize(
    "req",
    [
        request(20, Place.HOME, focus=Focus.STRENGTH, level=Level.INTERMEDIATE),
        request(20, Place.DESK, focus=Focus.RELIEF),
        request(30, Place.GYM, focus=Focus.MOBILITY, level=Level.ADVANCED),
        request(15, Place.CAR, focus=Focus.POSTURE),
        request(30, Place.HOME, focus=Focus.CARDIO),
        request(20, Place.HOME, conditions={C.KNEE_PAIN, C.OSTEOPOROSIS}),
        request(20, Place.HOME, gentle=True, focus=Focus.STRENGTH),
    ],
    ids=[
        "home-strength",
        "desk-relief",
        "gym-mobility",
        "car-posture",
        "cardio",
        "knees",
        "gentle",
    ],
)
def test_8_every_reason_is_in_plain_words(cat: Catalogue, req: PlanRequest) -> None:
    for block in plan(cat, req).blocks:
        assert block.why[0].isupper() and block.why.endswith(".")
        assert codes_in(block.why, cat) == set(), block.why


@pytest.mark.parametrize(
    ("req", "exercise_id", "phrases"),
    [
        (
            request(20, Place.DESK, focus=Focus.STRENGTH, level=Level.INTERMEDIATE),
            "scapular-squeeze",
            ["strengthens the muscles between the shoulder blades that hold you upright at a desk",
             "builds the strength you asked for", "sets, as ACSM advises"],
        ),
        (
            request(20, Place.HOME, focus=Focus.STRENGTH, level=Level.INTERMEDIATE),
            "bird-dog",
            ["strengthens the deep trunk muscles that steady the spine"],
        ),
        (
            request(30, Place.HOME, focus=Focus.CARDIO),
            "brisk-walk",
            ["a brisk walk gets the blood moving", "the walking you asked for",
             "minutes towards the 150 a week"],
        ),
        (
            request(20, Place.DESK, focus=Focus.RELIEF),
            "doorway-stretch",
            ["arches the upper back to open the chest", "eases the back, the relief you asked for",
             "a side in all"],
        ),
    ],
)  # fmt: skip
def test_8_a_reason_says_what_the_exercise_does_for_this_person(
    cat: Catalogue, req: PlanRequest, exercise_id: str, phrases: list[str]
) -> None:
    block = next(b for b in plan(cat, req).blocks if b.exercise_id == exercise_id)
    for phrase in phrases:
        assert phrase.lower() in block.why.lower(), block.why


def test_8_the_one_exercise_that_turns_the_back_says_the_session_would_miss_it(
    cat: Catalogue,
) -> None:
    small = only(cat, "scapular-squeeze", "bird-dog", "crunch", "seated-rotation")
    planned = plan(small, request(15, Place.HOME, focus=Focus.STRENGTH))
    rotation = next(b for b in planned.blocks if b.exercise_id == "seated-rotation")
    assert "the only exercise here that turns the upper back" in rotation.why
    assert "a direction the session would otherwise miss" in rotation.why
    squeeze = next(b for b in planned.blocks if b.exercise_id == "scapular-squeeze")
    assert "at a desk" not in squeeze.why


# --- tables: what particular conditions and places get -----------------------------------


def test_knee_pain_at_home_swaps_kneeling_stretches_for_seated_forms(cat: Catalogue) -> None:
    small = only(cat, "cat-cow", "thread-the-needle", "childs-pose")
    planned = plan(small, request(20, Place.HOME, conditions={C.KNEE_PAIN}))
    variants = {b.exercise_id: b.variant for b in planned.blocks}
    assert variants == {"cat-cow": "seated", "thread-the-needle": "seated", "childs-pose": "chair"}
    swaps = {s.exercise_id: s for s in planned.swaps}
    assert set(swaps) == set(variants)
    for exercise_id, swap in swaps.items():
        assert swap.variant == variants[exercise_id]
        assert "knee pain rules out kneeling" in swap.reason
    for block in planned.blocks:
        assert Position.KNEELING not in block.positions
        assert Position.ALL_FOURS not in block.positions


def test_knee_pain_in_a_full_plan_has_no_kneeling(cat: Catalogue) -> None:
    planned = plan(cat, request(60, Place.HOME, conditions={C.KNEE_PAIN}, focus=Focus.MOBILITY))
    assert not positions_of(block_forms(cat, planned)) & {Position.KNEELING, Position.ALL_FOURS}
    assert all(s.variant for s in planned.swaps)


@pytest.mark.parametrize("place", [Place.HOME, Place.GYM])
@pytest.mark.parametrize("focus", list(Focus))
def test_pregnancy_never_gets_prone_or_supine(cat: Catalogue, place: Place, focus: Focus) -> None:
    req = request(45, place, conditions={C.PREGNANCY}, focus=focus)
    offered = [g[0].form for g in candidates(cat, req, req.budget_s)]
    planned = block_forms(cat, plan(cat, req))
    for forms in (offered, planned):
        assert not positions_of(forms) & {Position.PRONE, Position.SUPINE}


@pytest.mark.parametrize("place", [Place.HOME, Place.GYM])
@pytest.mark.parametrize("focus", list(Focus))
def test_wrist_pain_never_gets_weight_on_hands(cat: Catalogue, place: Place, focus: Focus) -> None:
    req = request(45, place, conditions={C.WRIST_PAIN}, focus=focus)
    offered = [g[0].form for g in candidates(cat, req, req.budget_s)]
    planned = block_forms(cat, plan(cat, req))
    for forms in (offered, planned):
        assert Demand.WEIGHT_ON_HANDS not in demands_of(forms)
        assert Position.ALL_FOURS not in positions_of(forms)


def test_the_crunch_is_offered_without_osteoporosis_but_never_with_it(cat: Catalogue) -> None:
    def crunch_offered(conditions: set[Condition]) -> bool:
        req = request(45, Place.HOME, conditions=conditions, focus=Focus.STRENGTH)
        return any(g[0].exercise.id == "crunch" for g in candidates(cat, req, req.budget_s))

    assert crunch_offered(set())
    assert not crunch_offered({C.OSTEOPOROSIS})
    strength = plan(cat, request(60, Place.HOME, conditions={C.OSTEOPOROSIS}, focus=Focus.STRENGTH))
    assert "crunch" not in {b.exercise_id for b in strength.blocks}


@pytest.mark.parametrize("place", [Place.DESK, Place.CAR])
@pytest.mark.parametrize("equipment", [None, frozenset(Equipment)])
@pytest.mark.parametrize("minutes", [5, 15, 45])
def test_desk_and_car_plans_stay_standing_or_on_a_chair_with_little_kit(
    cat: Catalogue, place: Place, equipment: frozenset[Equipment] | None, minutes: int
) -> None:
    planned = plan(cat, request(minutes, place, equipment=equipment))
    assert planned.blocks
    for block in planned.blocks:
        assert set(block.positions) <= SEATED_OR_STANDING
        assert set(block.equipment) <= {Equipment.NONE, Equipment.CHAIR, Equipment.DOORWAY}


def test_dumbbells_named_at_home_allow_dumbbell_exercises(cat: Catalogue) -> None:
    def dumbbell_work(equipment: set[Equipment] | None) -> set[str]:
        req = request(30, Place.HOME, equipment=equipment, focus=Focus.STRENGTH)
        return {
            g[0].exercise.id
            for g in candidates(cat, req, req.budget_s)
            if Equipment.DUMBBELLS in g[0].form.equipment
        }

    assert Equipment.DUMBBELLS not in PLACE_KIT[Place.HOME]
    assert dumbbell_work(None) == set()
    with_dumbbells = dumbbell_work({Equipment.DUMBBELLS})
    assert {"reverse-fly", "bent-over-row"} <= with_dumbbells
    strength = plan(cat, request(30, Place.HOME, equipment={"dumbbells"}, focus=Focus.STRENGTH))
    assert Equipment.DUMBBELLS in {e for b in strength.blocks for e in b.equipment}


def test_a_one_minute_plan_still_holds_the_short_exercises_that_fit(cat: Catalogue) -> None:
    planned = plan(cat, request(1, Place.HOME))
    assert planned.blocks
    assert planned.total_seconds <= 60


def test_a_plan_too_short_for_any_exercise_raises_plan_error(cat: Catalogue) -> None:
    long_only = only(cat, "brisk-walk", "doorway-stretch", "side-reach", "seated-rotation")
    with pytest.raises(PlanError, match="1 min is too short"):
        plan(long_only, request(1, Place.HOME))


def test_a_place_where_nothing_fits_says_so(cat: Catalogue) -> None:
    floor_only = only(cat, "crunch", "bridge")
    with pytest.raises(PlanError, match="no exercise fits 10 min at desk"):
        plan(floor_only, request(10, Place.DESK))


def test_three_for_relief_keeps_the_article_doses(cat: Catalogue) -> None:
    planned = plan_program(cat, cat.program("three-for-relief"), request())
    blocks = {b.exercise_id: b for b in planned.blocks}
    assert list(blocks) == ["cat-cow", "seated-rotation", "doorway-stretch"]
    assert blocks["cat-cow"].variant is None
    assert blocks["cat-cow"].dose.reps == 10
    assert blocks["cat-cow"].dose.sets == 1
    rotation = blocks["seated-rotation"].dose
    assert (rotation.sets, rotation.hold_s, rotation.per_side) == (3, 15, True)
    assert rotation.describe().startswith("3 x 15 s, each side")
    assert {b.dose.source for b in planned.blocks} == {"three-for-relief"}
    assert planned.program_id == "three-for-relief"
    assert planned.total_seconds == GET_READY_S + sum(b.seconds for b in planned.blocks)
    assert planned.swaps == []


def test_three_for_relief_with_knee_pain_swaps_cat_cow_for_its_seated_form(
    cat: Catalogue,
) -> None:
    planned = plan_program(cat, cat.program("three-for-relief"), request(conditions={C.KNEE_PAIN}))
    cat_cow = next(b for b in planned.blocks if b.exercise_id == "cat-cow")
    assert cat_cow.variant == "seated"
    assert cat_cow.dose.reps == 10
    assert [s.exercise_id for s in planned.swaps] == ["cat-cow"]
    assert "knee pain" in planned.swaps[0].reason


def test_a_program_with_some_exercises_ruled_out_leaves_them_out_with_a_note(
    cat: Catalogue,
) -> None:
    program = Program(
        id="mixed",
        name="Mixed",
        source="default",
        description="A crunch and a shoulder roll.",
        entries=[ProgramEntry(exercise_id="crunch"), ProgramEntry(exercise_id="shoulder-roll")],
    )
    planned = plan_program(cat, program, request(conditions={C.OSTEOPOROSIS}))
    assert [b.exercise_id for b in planned.blocks] == ["shoulder-roll"]
    assert any(note.startswith("Left out Crunch") for note in planned.notes)


def test_a_program_whose_every_exercise_is_ruled_out_raises_plan_error(cat: Catalogue) -> None:
    program = Program(
        id="crunches-only",
        name="Crunches only",
        source="default",
        description="Nothing but crunches.",
        entries=[ProgramEntry(exercise_id="crunch")],
    )
    with pytest.raises(PlanError, match="crunches-only"):
        plan_program(cat, program, request(conditions={C.OSTEOPOROSIS}))


@pytest.mark.parametrize("program_id", ["three-for-relief", "four-directions", "mid-back-gym"])
def test_every_program_is_ruled_out_after_spine_surgery_until_cleared(
    cat: Catalogue, program_id: str
) -> None:
    with pytest.raises(PlanError, match="ruled out"):
        plan_program(cat, cat.program(program_id), request(conditions={C.RECENT_SPINE_SURGERY}))


# --- bugs found and fixed ------------------------------------------------------------------


def test_a_plan_too_short_for_any_exercise_says_the_time_is_too_short(cat: Catalogue) -> None:
    long_only = only(cat, "brisk-walk", "doorway-stretch", "side-reach", "seated-rotation")
    with pytest.raises(PlanError, match="too short"):
        plan(long_only, request(1, Place.HOME))


@pytest.mark.parametrize(
    ("condition", "exercise_id", "variant"),
    [
        (C.PREGNANCY, "seated-spinal-twist", "chair"),
        (C.KNEE_PAIN, "seated-spinal-twist", "chair"),
        (C.OSTEOPOROSIS, "thread-the-needle", "seated"),
    ],
)
def test_a_variant_chosen_for_a_condition_is_listed_as_a_swap(
    cat: Catalogue, condition: Condition, exercise_id: str, variant: str
) -> None:
    planned = plan(only(cat, exercise_id), request(10, Place.HOME, conditions={condition}))
    (block,) = planned.blocks
    assert block.variant == variant
    assert "suits the place" not in block.why
    assert [(s.exercise_id, s.variant) for s in planned.swaps] == [(exercise_id, variant)]


@pytest.mark.parametrize(
    ("condition", "exercise_id", "variant"),
    [
        (C.PREGNANCY, "seated-spinal-twist", "chair"),
        (C.KNEE_PAIN, "seated-spinal-twist", "chair"),
        (C.OSTEOPOROSIS, "thread-the-needle", "seated"),
    ],
)
def test_a_program_uses_the_variant_a_conditions_caution_names(
    cat: Catalogue, condition: Condition, exercise_id: str, variant: str
) -> None:
    req = request(conditions={condition})
    as_planned = plan(only(cat, exercise_id), req).blocks[0].variant
    in_program = plan_program(cat, cat.program("top-mobility"), req)
    block = next(b for b in in_program.blocks if b.exercise_id == exercise_id)
    assert as_planned == variant
    assert block.variant == variant


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    minutes=st.integers(5, 60),
    place=st.sampled_from(list(Place)),
    focus=st.sampled_from(list(Focus)),
    picked=st.randoms(use_true_random=False),
    count=st.integers(1, 6),
)
def test_the_most_focus_work_is_what_an_exhaustive_choice_finds(
    cat: Catalogue, minutes: int, place: Place, focus: Focus, picked: random.Random, count: int
) -> None:
    """``most_focus_steps`` (a reachability search that leaves out of its state the rules that
    cannot bind) against every choice of at most one option per group of up to 6 focus groups."""
    request = PlanRequest(minutes=minutes, place=place, focus=focus)
    budget = request.budget_s - GET_READY_S
    focus_groups = [g for g in candidates(cat, request, budget) if g[0].focus_work]
    groups = picked.sample(focus_groups, min(6, len(focus_groups)))
    by_family: dict[object, list[list[Option]]] = {}
    for g in focus_groups:
        by_family.setdefault(g[0].family, []).append(g)
    crowds = [gs for f, gs in by_family.items() if f is not None and len(gs) > PER_FAMILY]
    if crowds and picked.random() < 0.5:  # half the time: a family the rule binds
        crowd = picked.sample(picked.choice(crowds), PER_FAMILY + 1)
        rest = [g for g in focus_groups if g not in crowd]
        groups = crowd + picked.sample(rest, min(picked.randint(0, 3), len(rest)))
    crowded = Counter(g[0].family for g in groups if g[0].family is not None)
    event(f"a family over the rule: {any(n > PER_FAMILY for n in crowded.values())}")
    event(f"more groups than exercises allowed: {len(groups) > count}")
    limit = picked.randint(0, budget // STEP_S)
    best = 0
    for choice in itertools.product(*[[None, *g] for g in groups]):
        chosen = [o for o in choice if o is not None]
        families = Counter(o.family for o in chosen if o.family is not None)
        steps = sum(o.seconds // STEP_S for o in chosen)
        allowed = all(n <= PER_FAMILY for n in families.values())
        if len(chosen) <= count and steps <= limit and allowed:
            best = max(best, steps)
    assert most_focus_steps(groups, limit, count) == best
