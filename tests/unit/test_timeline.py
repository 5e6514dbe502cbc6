"""The timeline: a plan compiled to back-to-back cues that add up to the planner's estimate."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from midback.domain.assemble import plan_program
from midback.domain.catalogue import Catalogue
from midback.domain.planner import plan
from midback.domain.plans import Plan, PlanRequest
from midback.domain.prescription import BREATH_S, GET_READY_S, STEP_S, SWITCH_S, TRANSITION_S
from midback.domain.timeline import (
    BREATHE_IN_S,
    TIMELINE_VERSION,
    WORK_KINDS,
    Cue,
    CueKind,
    Timeline,
    compile_plan,
    timeline_json,
)
from midback.domain.vocab import Condition, Equipment, Focus, Level, Place
from midback.errors import PlanError

C = Condition
CONDITION_SETS: list[frozenset[Condition]] = [
    frozenset(),
    frozenset({C.KNEE_PAIN}),
    frozenset({C.WRIST_PAIN, C.PREGNANCY}),
    frozenset({C.OSTEOPOROSIS, C.HIGH_BLOOD_PRESSURE, C.SHOULDER_PAIN}),
]


# --- builders ------------------------------------------------------------------------------


@st.composite
def requests(draw: st.DrawFn) -> PlanRequest:
    """Any request a person could make that leaves something to plan."""
    conditions = draw(st.frozensets(st.sampled_from(C)))
    return PlanRequest(
        minutes=draw(st.integers(1, 90)),
        place=draw(st.sampled_from(Place)),
        equipment=draw(st.none() | st.frozensets(st.sampled_from(Equipment))),
        conditions=conditions,
        focus=draw(st.sampled_from(Focus)),
        level=draw(st.sampled_from(Level)),
        seed=draw(st.integers(0, 2**16)),
        cleared=draw(st.booleans()) or C.RECENT_SPINE_SURGERY in conditions,
    )


def some_requests(count: int, seed: int = 7) -> Iterator[PlanRequest]:
    """A fixed, varied set of requests (seeded, so the corpus never changes between runs)."""
    rng = random.Random(seed)
    for _ in range(count):
        yield PlanRequest(
            minutes=rng.randint(1, 60),
            place=rng.choice(list(Place)),
            equipment=None if rng.random() < 0.6 else frozenset(rng.sample(list(Equipment), 4)),
            conditions=frozenset(c for c in C if rng.random() < 0.15),
            focus=rng.choice(list(Focus)),
            level=rng.choice(list(Level)),
            seed=rng.randint(0, 999),
            cleared=True,
        )


def program_plans(cat: Catalogue) -> Iterator[Plan]:
    """Every program, as written and adapted to a few sets of conditions and each level."""
    for program in cat.programs.values():
        for conditions in CONDITION_SETS:
            for level in Level:
                req = PlanRequest(minutes=10, place=Place.HOME, conditions=conditions, level=level)
                try:
                    yield plan_program(cat, program, req)
                except PlanError:
                    continue


@pytest.fixture(scope="module")
def compiled(cat: Catalogue) -> list[tuple[Plan, Timeline]]:
    """Plans from seeded requests and from every program, each with its timeline."""
    plans = [plan(cat, r) for r in some_requests(40)] + list(program_plans(cat))
    return [(p, compile_plan(p, cat)) for p in plans]


def block_cues(timeline: Timeline, index: int) -> list[Cue]:
    return [c for c in timeline.cues if c.block == index]


def work_cues(cues: list[Cue], **where: object) -> list[Cue]:
    return [
        c
        for c in cues
        if c.kind in WORK_KINDS and all(getattr(c, k) == v for k, v in where.items())
    ]


# --- what every timeline promises (each check takes a plan and its timeline) --------------


def totals_the_plans_estimate(planned: Plan, timeline: Timeline) -> None:
    assert timeline.total_s == planned.total_seconds
    last = timeline.cues[-1]
    assert last.start_s + last.duration_s == timeline.total_s


def starts_with_get_ready_then_runs_back_to_back(planned: Plan, timeline: Timeline) -> None:
    first = timeline.cues[0]
    assert (first.kind, first.start_s, first.duration_s) == (CueKind.GET_READY, 0, GET_READY_S)
    assert first.block is None
    for before, after in itertools.pairwise(timeline.cues):
        assert after.start_s == before.start_s + before.duration_s
        assert after.duration_s > 0


def keeps_each_blocks_cues_inside_it(planned: Plan, timeline: Timeline) -> None:
    assert [b.seconds for b in timeline.blocks] == [b.seconds for b in planned.blocks]
    for index, block in enumerate(timeline.blocks):
        cues = block_cues(timeline, index)
        assert cues[0].kind is CueKind.INTRO
        assert cues[0].start_s == block.start_s
        assert TRANSITION_S <= cues[0].duration_s < TRANSITION_S + STEP_S
        assert cues[0].duration_s == block.dose.transition_s
        assert block.seconds % STEP_S == 0
        for cue in cues:
            assert block.start_s <= cue.start_s < block.start_s + block.seconds
            assert cue.start_s + cue.duration_s <= block.start_s + block.seconds


def works_left_then_right_with_a_switch_between(planned: Plan, timeline: Timeline) -> None:
    for index, block in enumerate(planned.blocks):
        cues = block_cues(timeline, index)
        switches = [c for c in cues if c.kind is CueKind.SWITCH]
        if not block.dose.per_side:
            assert switches == []
            assert {c.side for c in cues} == {None}
            continue
        assert len(switches) == block.dose.sets
        for set_no in range(1, block.dose.sets + 1):
            work = work_cues(cues, set=set_no)
            sides = [c.side for c in work]
            half = len(sides) // 2
            assert sides == ["left"] * half + ["right"] * half
            (switch,) = [c for c in switches if c.set == set_no]
            last_left = work[half - 1]
            assert switch.start_s == last_left.start_s + last_left.duration_s
            assert switch.duration_s == SWITCH_S
            assert work[half].start_s == switch.start_s + SWITCH_S


def rests_between_sets(planned: Plan, timeline: Timeline) -> None:
    for index, block in enumerate(planned.blocks):
        rests = [c for c in block_cues(timeline, index) if c.kind is CueKind.REST]
        dose = block.dose
        assert len(rests) == (dose.sets - 1 if dose.rest_s > 0 else 0)
        assert all(r.duration_s == dose.rest_s for r in rests)
        assert [r.set for r in rests] == list(range(1, len(rests) + 1))


def alternates_breathing_in_and_out(planned: Plan, timeline: Timeline) -> None:
    for index, block in enumerate(planned.blocks):
        dose = block.dose
        breaths = [
            c
            for c in block_cues(timeline, index)
            if c.kind in (CueKind.BREATHE_IN, CueKind.BREATHE_OUT)
        ]
        if dose.breaths is None:
            assert breaths == []
            continue
        expected = dose.breaths * (dose.reps or 1) * dose.sets * dose.sides
        assert [c.kind for c in breaths] == [CueKind.BREATHE_IN, CueKind.BREATHE_OUT] * expected
        for cue in breaths:
            inhale = cue.kind is CueKind.BREATHE_IN
            assert cue.duration_s == (BREATHE_IN_S if inhale else BREATH_S - BREATHE_IN_S)


def counts_the_reps_of_the_dose(planned: Plan, timeline: Timeline) -> None:
    for index, block in enumerate(planned.blocks):
        dose = block.dose
        work = work_cues(block_cues(timeline, index))
        if dose.reps is None:
            assert all(c.rep is None for c in work)
            if dose.breaths is None:
                holds = [c for c in work if c.kind is CueKind.HOLD]
                assert len(holds) == dose.sets * dose.sides
                assert all(h.duration_s == dose.hold_s for h in holds)
            continue
        reps = {(c.set, c.side, c.rep) for c in work}
        assert len(reps) == dose.total_reps
        assert {c.rep for c in work} == set(range(1, dose.reps + 1))
        assert all(c.reps == dose.reps and c.sets == dose.sets for c in work)


def survives_a_json_round_trip(planned: Plan, timeline: Timeline) -> None:
    data = timeline.model_dump(mode="json")
    assert data["version"] == TIMELINE_VERSION == 1
    assert Timeline.model_validate(data) == timeline


def finds_the_cue_at_any_offset(planned: Plan, timeline: Timeline) -> None:
    last = len(timeline.cues) - 1
    for i, cue in enumerate(timeline.cues):
        end = cue.start_s + cue.duration_s
        assert timeline.cue_at(cue.start_s) == i
        assert timeline.cue_at(cue.start_s + cue.duration_s / 2) == i
        assert timeline.cue_at(end - 0.001) == i
        assert timeline.cue_at(end) == min(i + 1, last)
    assert timeline.cue_at(timeline.total_s + 60) == last


PROMISES: list[Callable[[Plan, Timeline], None]] = [
    totals_the_plans_estimate,
    starts_with_get_ready_then_runs_back_to_back,
    keeps_each_blocks_cues_inside_it,
    works_left_then_right_with_a_switch_between,
    rests_between_sets,
    alternates_breathing_in_and_out,
    counts_the_reps_of_the_dose,
    survives_a_json_round_trip,
    finds_the_cue_at_any_offset,
]


# --- tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("promise", PROMISES, ids=lambda p: p.__name__)
def test_every_timeline_of_the_corpus(
    compiled: list[tuple[Plan, Timeline]], promise: Callable[[Plan, Timeline], None]
) -> None:
    for planned, timeline in compiled:
        promise(planned, timeline)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(req=requests())
def test_every_timeline_of_any_plan_keeps_every_promise(cat: Catalogue, req: PlanRequest) -> None:
    planned = plan(cat, req)
    timeline = compile_plan(planned, cat)
    for promise in PROMISES:
        promise(planned, timeline)
    assert timeline_json(planned, cat) == timeline.model_dump_json().encode()


def test_the_served_json_is_the_compiled_timelines_byte_for_byte(
    cat: Catalogue, compiled: list[tuple[Plan, Timeline]]
) -> None:
    programs = [plan_program(cat, program, PlanRequest(minutes=10, place=Place.HOME))
                for program in cat.programs.values()]  # fmt: skip
    pairs = [*compiled, *((p, compile_plan(p, cat)) for p in programs)]
    for planned, timeline in pairs:
        assert timeline_json(planned, cat) == timeline.model_dump_json().encode()
    assert len(pairs) > 50


def test_the_corpus_holds_per_side_breath_counted_and_multi_set_blocks(
    compiled: list[tuple[Plan, Timeline]],
) -> None:
    doses = [b.dose for p, _ in compiled for b in p.blocks]
    assert any(d.per_side for d in doses)
    assert any(d.breaths is not None for d in doses)
    assert any(d.sets > 1 and d.rest_s > 0 for d in doses)
    assert any(d.reps is not None and d.hold_s is not None for d in doses)
    assert any(d.reps is None and d.breaths is None for d in doses)


def test_every_program_compiles_to_its_own_length(cat: Catalogue) -> None:
    for program in cat.programs.values():
        planned = plan_program(cat, program, PlanRequest(minutes=10, place=Place.HOME))
        assert compile_plan(planned, cat).total_s == planned.total_seconds


def test_a_per_side_hold_reads_left_switch_right(cat: Catalogue) -> None:
    planned = plan_program(
        cat, cat.program("three-for-relief"), PlanRequest(minutes=10, place=Place.HOME)
    )
    timeline = compile_plan(planned, cat)
    index = [b.exercise_id for b in planned.blocks].index("seated-rotation")
    first_set = [(c.kind, c.side, c.duration_s) for c in block_cues(timeline, index) if c.set == 1]
    assert first_set == [
        (CueKind.HOLD, "left", 15),
        (CueKind.SWITCH, None, SWITCH_S),
        (CueKind.HOLD, "right", 15),
        (CueKind.REST, None, 10),
    ]


def test_the_get_ready_cue_announces_the_count_and_the_minutes(cat: Catalogue) -> None:
    planned = plan(cat, PlanRequest(minutes=10, place=Place.HOME))
    say = compile_plan(planned, cat).cues[0].say
    assert f"{len(planned.blocks)} exercises" in say
    assert "about 10 minutes" in say


def test_a_walk_is_cued_in_minutes_not_as_a_hold(cat: Catalogue) -> None:
    from midback.domain.planner import plan
    from midback.domain.plans import PlanRequest
    from midback.domain.timeline import compile_plan
    from midback.domain.vocab import Focus, Place

    made = plan(cat, PlanRequest(minutes=30, place=Place.HOME, focus=Focus.CARDIO))
    walk = next(b for b in made.blocks if b.exercise_id == "brisk-walk")
    timeline = compile_plan(made, cat)
    texts = [cue.text for cue in timeline.cues]
    minutes = walk.dose.hold_s // 60  # type: ignore[operator]
    assert f"{walk.name}: {minutes} min" in texts
    assert not any(text.startswith("Hold ") and text.endswith(f"{walk.dose.hold_s} s")
                   for text in texts)  # fmt: skip
    assert walk.describe == f"{walk.name} {minutes} min"
