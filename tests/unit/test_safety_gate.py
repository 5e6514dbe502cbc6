"""The one safety gate of every face (``services.planning.screened_request``), on the fake store.

Its limits are checked here against a table of movement tags written from the guidelines,
not through ``contraindications``, so a rule that the planner bypasses or that clearance lifts
makes these tests fail.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from midback.domain.answers import Answers
from midback.domain.candidates import GENTLE_KINDS, LOADED_KIT
from midback.domain.catalogue import Catalogue
from midback.domain.contraindications import Form, forms
from midback.domain.plans import Plan, PlanRequest
from midback.domain.questions import RedFlag
from midback.domain.vocab import Condition, Demand, Equipment, Focus, Level, Place, Position
from midback.domain.week import WeekPlan
from midback.errors import PainTooHigh, PlanError, ScreenBlocked, ScreenRequired
from midback.services.planning import make_plan_for, make_week_for
from midback.services.screening import take_screen
from tests.fakes import FakeRepository

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)
PERSON = 1
D = Demand

FRAGILE = {D.LOADED_FLEXION, D.REPEATED_FLEXION, D.END_RANGE_FLEXION, D.LEVERED_ROTATION,
           D.SPINAL_LOAD}  # fmt: skip
"""Too Fit To Fracture: no loaded or repeated flexion, no sustained end-range flexion, no
levered twist, no weight loading a bent-forward spine."""
DISC = {D.LOADED_FLEXION, D.REPEATED_FLEXION, D.SPINAL_LOAD, D.LEVERED_ROTATION}


def pregnancy_limits(weeks: int | None) -> tuple[set[Demand], set[Position], set[Equipment]]:
    """ACOG 804 by stage; without weeks, 20 or more."""
    weeks = 20 if weeks is None else weeks
    demands = {D.HANGING, D.BREATH_HOLD, D.SPINAL_LOAD, D.CLOSED_TWIST, D.LEVERED_ROTATION}
    positions = {Position.HANGING}
    if weeks >= 13:
        demands |= {D.LOADED_FLEXION, D.BELLY_PRESSURE}
        positions.add(Position.PRONE)
    if weeks >= 20:
        positions.add(Position.SUPINE)
    return demands, positions, {Equipment.BARBELL, Equipment.PULL_UP_BAR}


def form_of(cat: Catalogue, exercise_id: str, variant: str | None) -> Form:
    for form in forms(cat.exercises[exercise_id]):
        if (form.variant.id if form.variant else None) == variant:
            return form
    raise AssertionError(f"{exercise_id} has no variant {variant}")


def breaches(cat: Catalogue, plan: Plan, answers: Answers) -> list[str]:
    """Every block of ``plan`` that the answers' limits rule out, by the table above."""
    fragile = (
        Condition.OSTEOPOROSIS in answers.conditions
        or RedFlag.STEROIDS in answers.red_flags
        or (RedFlag.MINOR_TRAUMA in answers.red_flags and answers.age >= 50)
        or Condition.FRAGILE_BONES in answers.conditions
    )
    found = []
    for block in plan.blocks:
        form = form_of(cat, block.exercise_id, block.variant)
        demands, positions, kit = set(form.demands), set(form.positions), set(form.equipment)
        if fragile and demands & FRAGILE:
            found.append(f"{block.exercise_id}: fragile bones")
        if Condition.DISC_HERNIATION in answers.conditions and demands & DISC:
            found.append(f"{block.exercise_id}: disc")
        if Condition.PREGNANCY in answers.conditions:
            no_demands, no_positions, no_kit = pregnancy_limits(answers.pregnancy_weeks)
            if demands & no_demands or positions & no_positions or kit & no_kit:
                found.append(f"{block.exercise_id}: pregnancy")
        if Condition.HIGH_BLOOD_PRESSURE in answers.conditions and demands & {
            D.BREATH_HOLD,
            D.HEAD_BELOW_HEART,
        }:
            found.append(f"{block.exercise_id}: blood pressure")
        if answers.pain_now >= 6 and (block.kind not in GENTLE_KINDS or kit & LOADED_KIT):
            found.append(f"{block.exercise_id}: not gentle")
    return found


def answers(**changes: Any) -> Answers:
    fields: dict[str, Any] = {"age": 40, "pain_now": 3, "pain_duration_days": 10,
                              "improving": True}  # fmt: skip
    fields.update(changes)
    return Answers(**fields)


def stored(repo: FakeRepository, given: Answers, *, days_ago: int = 0) -> None:
    take_screen(repo, PERSON, given, at=NOW - timedelta(days=days_ago))


def plan_for(
    repo: FakeRepository, cat: Catalogue, *, given: Answers | None = None, **request: Any
) -> Plan:
    fields: dict[str, Any] = {"minutes": 20, "place": Place.HOME}
    fields.update(request)
    pain_before = fields.pop("pain_before", None)
    program = fields.pop("program", None)
    return make_plan_for(repo, cat, PERSON, PlanRequest(**fields), now=NOW, answers=given,
                         program_id=program, pain_before=pain_before)  # fmt: skip


# --- the gate ------------------------------------------------------------------------------


def test_without_a_stored_screen_nothing_is_planned(cat: Catalogue) -> None:
    with pytest.raises(ScreenRequired) as caught:
        plan_for(FakeRepository(), cat)
    assert caught.value.verdict == "unscreened"


@pytest.mark.parametrize(("days", "verdict"), [(30, None), (31, "expired")])
def test_a_stored_screen_counts_for_30_days(cat: Catalogue, days: int, verdict: str | None) -> None:
    repo = FakeRepository()
    stored(repo, answers(), days_ago=days)
    if verdict is None:
        assert plan_for(repo, cat).blocks
    else:
        with pytest.raises(ScreenRequired) as caught:
            plan_for(repo, cat)
        assert caught.value.verdict == verdict


@pytest.mark.parametrize("cleared", [False, True])
def test_a_stored_emergency_refuses_every_plan_and_week_cleared_or_not(
    cat: Catalogue, cleared: bool
) -> None:
    repo = FakeRepository()
    stored(repo, answers(red_flags=["chest_pain"]))
    with pytest.raises(ScreenBlocked) as caught:
        plan_for(repo, cat, cleared=cleared)
    assert caught.value.verdict == "emergency"
    with pytest.raises(ScreenBlocked):
        make_week_for(repo, cat, PERSON, PlanRequest(minutes=10, place=Place.HOME,
                      cleared=cleared), days=7, start=NOW.date(), now=NOW)  # fmt: skip


@pytest.mark.parametrize(
    ("flags", "verdict"), [(["cancer_history"], "urgent"), (["night_pain"], "doctor")]
)
def test_urgent_and_doctor_refuse_until_cleared(
    cat: Catalogue, flags: list[str], verdict: str
) -> None:
    repo = FakeRepository()
    stored(repo, answers(red_flags=flags))
    with pytest.raises(ScreenBlocked) as caught:
        plan_for(repo, cat)
    assert caught.value.verdict == verdict
    assert plan_for(repo, cat, cleared=True).blocks


@pytest.mark.parametrize(
    "given",
    [
        answers(red_flags=["steroids"]),
        answers(age=55, red_flags=["minor_trauma"], assessed_by_clinician=True),
    ],
)
def test_clearance_keeps_the_fragile_bone_limits(cat: Catalogue, given: Answers) -> None:
    repo = FakeRepository()
    stored(repo, given)
    for place, focus in ((Place.HOME, Focus.STRENGTH), (Place.GYM, Focus.STRENGTH),
                         (Place.HOME, Focus.MOBILITY)):  # fmt: skip
        plan = plan_for(repo, cat, place=place, focus=focus, minutes=30, cleared=True)
        ids = {b.exercise_id for b in plan.blocks}
        assert not ids & {"crunch", "bent-over-row", "childs-pose"}
        assert breaches(cat, plan, given) == []


def test_pregnancy_at_the_gym_gets_no_barbell_hanging_or_bent_over_work(cat: Catalogue) -> None:
    repo = FakeRepository()
    stored(repo, answers(conditions=["pregnancy"]))
    banned = {"pull-up", "bent-over-row", "reverse-fly", "renegade-row", "crunch"}
    for minutes, focus in ((20, Focus.RELIEF), (30, Focus.STRENGTH)):
        plan = plan_for(repo, cat, place=Place.GYM, minutes=minutes, focus=focus)
        assert not {b.exercise_id for b in plan.blocks} & banned
        assert not [b for b in plan.blocks if Equipment.BARBELL in b.equipment]


@pytest.mark.parametrize(("weeks", "bridge"), [(10, True), (19, True), (20, False), (None, False)])
def test_lying_on_the_back_is_left_out_from_20_weeks(
    cat: Catalogue, weeks: int | None, bridge: bool
) -> None:
    repo = FakeRepository()
    given = answers(conditions=["pregnancy"], pregnancy_weeks=weeks)
    stored(repo, given)
    plan = plan_for(repo, cat, program="core-foundation")
    assert ("bridge" in {b.exercise_id for b in plan.blocks}) is bridge
    assert breaches(cat, plan, given) == []


@pytest.mark.parametrize("pain", [6, 7])
def test_pain_of_6_or_7_before_a_session_makes_it_gentle(cat: Catalogue, pain: int) -> None:
    repo = FakeRepository()
    stored(repo, answers())
    plan = plan_for(repo, cat, place=Place.GYM, focus=Focus.STRENGTH, minutes=30,
                    level=Level.ADVANCED, pain_before=pain)  # fmt: skip
    assert plan.blocks
    assert breaches(cat, plan, answers(pain_now=pain)) == []
    assert any("Gentle session" in note for note in plan.notes)


def test_a_screen_at_pain_7_makes_every_plan_gentle(cat: Catalogue) -> None:
    repo = FakeRepository()
    stored(repo, answers(pain_now=7))
    plan = plan_for(repo, cat, place=Place.GYM, focus=Focus.STRENGTH, minutes=20)
    assert breaches(cat, plan, answers(pain_now=7)) == []
    assert not {"barbell-shrug-behind-back", "pull-up"} & {b.exercise_id for b in plan.blocks}


@pytest.mark.parametrize("pain", [8, 10])
def test_pain_of_8_or_more_before_a_session_advises_not_to_exercise(
    cat: Catalogue, pain: int
) -> None:
    repo = FakeRepository()
    stored(repo, answers())
    with pytest.raises(PainTooHigh) as caught:
        plan_for(repo, cat, pain_before=pain)
    assert "When to see a doctor" in caught.value.reasons[0][1]


def test_answers_given_to_a_plan_are_used_instead_of_the_stored_screen(cat: Catalogue) -> None:
    repo = FakeRepository()
    stored(repo, answers(red_flags=["chest_pain"]))
    assert plan_for(repo, cat, given=answers()).blocks


# --- properties: no limited exercise for any answers, cleared or not -----------------------

random_answers = st.builds(
    answers,
    age=st.integers(18, 90),
    pain_now=st.integers(0, 7),
    red_flags=st.lists(st.sampled_from(["steroids", "minor_trauma", "night_pain"]), max_size=2),
    conditions=st.lists(
        st.sampled_from([c for c in Condition if c is not Condition.RECENT_SPINE_SURGERY]),
        max_size=3,
        unique=True,
    ),
    assessed_by_clinician=st.just(True),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    given_answers=random_answers,
    weeks=st.none() | st.integers(1, 42),
    minutes=st.integers(3, 60),
    place=st.sampled_from(Place),
    focus=st.sampled_from(Focus),
    program=st.none()
    | st.sampled_from(
        ["mid-back-gym", "core-foundation", "top-mobility", "mid-back-pain-strength"]
    ),
    pain_before=st.none() | st.integers(0, 7),
)
def test_no_plan_or_program_ever_holds_a_limited_exercise(
    cat: Catalogue,
    given_answers: Answers,
    weeks: int | None,
    minutes: int,
    place: Place,
    focus: Focus,
    program: str | None,
    pain_before: int | None,
) -> None:
    if Condition.PREGNANCY in given_answers.conditions:
        given_answers = given_answers.model_copy(update={"pregnancy_weeks": weeks})
    repo = FakeRepository()
    stored(repo, given_answers)
    worst = given_answers.model_copy(
        update={"pain_now": max(given_answers.pain_now, pain_before or 0)}
    )
    try:
        plan = plan_for(repo, cat, minutes=minutes, place=place, focus=focus, cleared=True,
                        program=program, pain_before=pain_before)  # fmt: skip
    except PlanError:
        return
    assert breaches(cat, plan, worst) == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(given_answers=random_answers, place=st.sampled_from([Place.HOME, Place.GYM]))
def test_no_week_ever_holds_a_limited_exercise(
    cat: Catalogue, given_answers: Answers, place: Place
) -> None:
    repo = FakeRepository()
    stored(repo, given_answers)
    try:
        request = PlanRequest(minutes=20, place=place, cleared=True)
        week: WeekPlan = make_week_for(
            repo, cat, PERSON, request, days=7, start=NOW.date(), now=NOW
        )
    except PlanError:
        return
    for session in week.sessions:
        if session.plan is not None:
            assert breaches(cat, session.plan, given_answers) == []
