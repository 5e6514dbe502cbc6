"""The planner: every plan is safe, fits the budget and the place, and is the best there is."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from midback.domain.catalogue import Catalogue, Program, ProgramEntry
from midback.domain.contraindications import Form, violations
from midback.domain.dose import Level
from midback.domain.planner import (
    MIN_DIRECTIONS,
    PLACE_KIT,
    SEATED_OR_STANDING,
    Focus,
    Option,
    Phase,
    Plan,
    PlanRequest,
    candidates,
    fits_place,
    plan,
    plan_program,
    score_of,
)
from midback.domain.prescription import GET_READY_S
from midback.domain.vocab import Condition, Demand, Equipment, Place, Position
from midback.errors import PlanError

C = Condition
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PHASE_ORDER = [Phase.WARM_UP, Phase.MAIN, Phase.COOL_DOWN]

ANY_MINUTES = st.integers(1, 90)
ANY_PLACE = st.sampled_from(Place)
ANY_KIT = st.none() | st.frozensets(st.sampled_from(Equipment))
ANY_CONDITIONS = st.frozensets(st.sampled_from(C))


# --- builders ------------------------------------------------------------------------------


@st.composite
def requests(
    draw: st.DrawFn,
    *,
    minutes: st.SearchStrategy[int] = ANY_MINUTES,
    places: st.SearchStrategy[Place] = ANY_PLACE,
    equipment: st.SearchStrategy[frozenset[Equipment] | None] = ANY_KIT,
    conditions: st.SearchStrategy[frozenset[Condition]] = ANY_CONDITIONS,
) -> PlanRequest:
    """Any request a person could make; narrow a field by passing its strategy."""
    return PlanRequest(
        minutes=draw(minutes),
        place=draw(places),
        equipment=draw(equipment),
        conditions=draw(conditions),
        focus=draw(st.sampled_from(Focus)),
        level=draw(st.sampled_from(Level)),
        seed=draw(st.integers(0, 2**16)),
        cleared=draw(st.booleans()),
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


def plan_or_none(cat: Catalogue, request: PlanRequest) -> Plan | None:
    """The plan, or None when the request rightly has none (and then say why)."""
    try:
        return plan(cat, request)
    except PlanError as error:
        assert nothing_is_allowed(request), f"unexpected PlanError for {request}: {error}"
        return None


def form_of(cat: Catalogue, exercise_id: str, variant: str | None) -> Form:
    """The form a block was planned in, rebuilt from the catalogue."""
    exercise = cat.exercise(exercise_id)
    return Form(exercise, exercise.variant(variant) if variant else None)


def block_forms(cat: Catalogue, planned: Plan) -> list[Form]:
    return [form_of(cat, b.exercise_id, b.variant) for b in planned.blocks]


def can_cover_directions(groups: Sequence[Sequence[Option]], budget: int, wanted: int) -> bool:
    """Whether some choice (at most one option per group) covers ``wanted`` directions in time.

    Any such choice needs at most ``wanted`` groups, each cheapest at its shortest option.
    """
    cheapest = [(min(o.seconds for o in g), g[0].mask) for g in groups]
    for size in range(1, wanted + 1):
        for combo in itertools.combinations(cheapest, size):
            mask = 0
            for _, m in combo:
                mask |= m
            if mask.bit_count() >= wanted and sum(s for s, _ in combo) <= budget:
                return True
    return False


def best_score_by_brute_force(
    groups: Sequence[Sequence[Option]], budget: int, full_budget_s: int
) -> tuple[float, list[Option]]:
    """The best ``score_of`` over every choice of at most one option per group within budget."""
    best: tuple[float, list[Option]] = (score_of([], budget, full_budget_s), [])

    def walk(i: int, chosen: list[Option], used: int) -> None:
        nonlocal best
        if i == len(groups):
            score = score_of(chosen, budget, full_budget_s)
            if score > best[0]:
                best = (score, list(chosen))
            return
        walk(i + 1, chosen, used)
        for option in groups[i]:
            if used + option.seconds <= budget:
                chosen.append(option)
                walk(i + 1, chosen, used + option.seconds)
                chosen.pop()

    walk(0, [], 0)
    return best


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
        assert plan(cat, req).blocks


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
def test_plan_covers_three_directions_whenever_the_candidates_can(
    cat: Catalogue, req: PlanRequest
) -> None:
    planned = plan_or_none(cat, req)
    if planned is None:
        return
    budget = req.budget_s - GET_READY_S
    if can_cover_directions(candidates(cat, req, budget), budget, MIN_DIRECTIONS):
        assert len(planned.directions) >= MIN_DIRECTIONS
    else:
        assert any("movement directions" in note for note in planned.notes)


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
@given(req=requests())
def test_same_request_gives_the_same_plan(cat: Catalogue, req: PlanRequest) -> None:
    first = plan_or_none(cat, req)
    assert plan_or_none(cat, req) == first


def test_another_seed_can_pick_another_plan_of_the_same_score(cat: Catalogue) -> None:
    plans = [plan(cat, request(10, Place.GYM, focus=Focus.STRENGTH, seed=s)) for s in range(10)]
    assert len({p.score for p in plans}) == 1
    assert len({tuple(b.exercise_id for b in p.blocks) for p in plans}) > 1


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


# --- exact: the search finds the best score there is ------------------------------------


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
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
        st.lists(st.sampled_from(sorted(cat.exercises)), min_size=4, max_size=8, unique=True)
    )
    small = only(cat, *ids)
    budget = req.budget_s - GET_READY_S
    groups = candidates(small, req, budget)
    event(f"{len(groups)} candidate groups")
    best, _ = best_score_by_brute_force(groups, budget, req.budget_s)
    try:
        planned = plan(small, req)
    except PlanError:
        assert best == score_of([], budget, req.budget_s), "no plan, yet something fits"
        return
    assert planned.score == pytest.approx(best, abs=1e-3)


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
