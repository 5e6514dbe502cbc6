"""Progression: the dose ladders, and the step-up/step-down rules replayed over outcomes.

Each rule is a row of a table: a history of ``Outcome``s built with the helpers below, the
step it leaves a person on, what the last decision did, and words its reason must contain.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from midback.domain.catalogue import Catalogue, Exercise
from midback.domain.prescription import Prescription
from midback.domain.progression import (
    ACCEPTABLE_PAIN,
    CRUNCH_CAP,
    Change,
    Outcome,
    Standing,
    ladder,
    standing,
)
from midback.domain.vocab import Level

MONDAY = datetime(2024, 5, 6, 18, 0)
UP, DOWN, HOLD, START = Change.UP, Change.DOWN, Change.HOLD, Change.START
DOSE_FIELDS = ("sets", "reps", "hold_s", "breaths", "rest_s", "tempo_s")

# -- outcome builders ------------------------------------------------------------------------


def good(day: int = 0, *, pain: int | None = 2, **changes: Any) -> Outcome:
    """A session done completely at the target dose, with mild pain and a calm next morning."""
    base = Outcome(
        at=MONDAY + timedelta(days=day),
        completed=True,
        at_target=True,
        stopped_for_pain=False,
        pain=pain,
        morning_before=2,
        morning_after=2,
    )
    return replace(base, **changes)


def painful(pain: int = ACCEPTABLE_PAIN + 1) -> Outcome:
    """Done at target, but with pain above the acceptable level."""
    return good(pain=pain)


def stopped() -> Outcome:
    """The person pressed "it hurts"."""
    return good(completed=False, at_target=False, stopped_for_pain=True, pain=None)


def flared(before: int = 2, after: int = 4) -> Outcome:
    """A good session followed by a worse morning."""
    return good(morning_before=before, morning_after=after)


def short() -> Outcome:
    """Completed, but below the target dose."""
    return good(at_target=False)


def unfinished() -> Outcome:
    """Not completed (skipped or quit), for no reason of pain."""
    return good(completed=False)


def goods(n: int) -> list[Outcome]:
    return [good(day) for day in range(n)]


def exercise(cat: Catalogue, exercise_id: str) -> Exercise:
    return cat.exercises[exercise_id]


# -- ladders ---------------------------------------------------------------------------------


def test_the_crunch_ladder_follows_the_article(cat: Catalogue) -> None:
    rungs = ladder(exercise(cat, "crunch"))

    assert [(s.dose.sets, s.dose.reps) for s in rungs] == [
        (2, 15),
        (2, 20),
        (3, 20),
        (4, 20),
        (4, 25),
    ]
    assert [s.label for s in rungs] == ["2 x 15", "2 x 20", "3 x 20", "4 x 20", "4 x 25"]


def test_no_crunch_rung_exceeds_a_hundred_reps(cat: Catalogue) -> None:
    totals = [s.dose.total_reps for s in ladder(exercise(cat, "crunch"))]

    assert max(totals) == CRUNCH_CAP == 100
    assert totals == sorted(totals)


def test_the_bridge_ladder_is_ten_second_holds_two_to_four_times_then_on_the_ball(
    cat: Catalogue,
) -> None:
    rungs = ladder(exercise(cat, "bridge"))

    assert [(s.variant, s.dose.reps) for s in rungs] == [
        (None, 2),
        (None, 3),
        (None, 4),
        ("ball", 2),
        ("ball", 3),
        ("ball", 4),
    ]
    assert {(s.dose.sets, s.dose.hold_s) for s in rungs} == {(1, 10)}
    assert rungs[-1].label == "10 s hold x 4 on an exercise ball"


def test_a_bridge_without_a_ball_variant_stops_at_four_holds(cat: Catalogue) -> None:
    no_ball = exercise(cat, "bridge").model_copy(update={"variants": []})

    assert [(s.variant, s.dose.reps) for s in ladder(no_ball)] == [(None, 2), (None, 3), (None, 4)]


RANGE_LADDERS = [
    "cobra",
    "doorway-stretch",
    "seated-rotation",
    "neck-side-bend",
    "bird-dog",
    "band-pull-apart",
    "leg-swing-lateral",
    "thoracic-extension-roll",
    "childs-pose",
    "brisk-walk",
]


@pytest.mark.parametrize("exercise_id", RANGE_LADDERS)
def test_a_range_ladder_runs_from_the_low_end_of_the_dose_to_the_high_end(
    cat: Catalogue, exercise_id: str
) -> None:
    ex = exercise(cat, exercise_id)
    rungs = ladder(ex)

    assert rungs[0].dose == Prescription.from_dose(ex.dose, ex.kind, Level.BEGINNER)
    assert rungs[-1].dose == Prescription.from_dose(ex.dose, ex.kind, Level.ADVANCED)


@pytest.mark.parametrize("exercise_id", [*RANGE_LADDERS, "shoulder-roll"])
def test_a_range_ladder_never_lowers_any_number_and_every_rung_differs(
    cat: Catalogue, exercise_id: str
) -> None:
    rungs = ladder(exercise(cat, exercise_id))

    for lower, higher in pairwise(rungs):
        assert lower.dose != higher.dose
        assert lower.dose.per_side == higher.dose.per_side
        for name in DOSE_FIELDS:
            before, after = getattr(lower.dose, name), getattr(higher.dose, name)
            assert (before is None) == (after is None), name
            if before is not None:
                assert after >= before, f"{name} fell from {before} to {after}"


def test_a_range_ladder_raises_the_work_before_the_sets(cat: Catalogue) -> None:
    assert [(s.dose.sets, s.dose.hold_s) for s in ladder(exercise(cat, "cobra"))] == [
        (2, 20),
        (2, 25),
        (2, 30),
        (3, 30),
        (4, 30),
    ]


def test_a_fixed_dose_is_a_ladder_of_one_rung(cat: Catalogue) -> None:
    ex = exercise(cat, "seated-rotation")

    assert [s.dose for s in ladder(ex)] == [
        Prescription.from_dose(ex.dose, ex.kind, Level.BEGINNER)
    ]


def test_every_exercise_has_a_ladder_labelled_by_its_dose(cat: Catalogue) -> None:
    for ex in cat.exercises.values():
        rungs = ladder(ex)
        assert rungs, ex.id
        if ex.id not in ("crunch", "bridge"):
            assert [s.label for s in rungs] == [s.dose.describe() for s in rungs], ex.id


# -- rules -----------------------------------------------------------------------------------
# On cobra's ladder: five rungs, no progression named.

RULES: list[tuple[str, list[Outcome], int, Change, list[str]]] = [
    ("no history starts at the first step", [], 0, START, ["starting", "first step"]),
    ("one good session is not enough", goods(1), 0, HOLD, ["1 good session", "2 needed"]),
    ("two good sessions step up", goods(2), 1, UP, ["2 sessions in a row", "<= 5", "step up"]),
    ("pain of exactly 5 still counts", [good(pain=5), good(pain=5)], 1, UP, ["step up"]),
    ("no pain rating still counts", [good(pain=None), good(pain=None)], 1, UP, ["step up"]),
    ("four good sessions step up twice", goods(4), 2, UP, ["step up"]),
    ("three good sessions step up once", goods(3), 1, HOLD, ["1 good session"]),
    ("pain 6 steps down", [*goods(2), painful(6)], 0, DOWN, ["pain was 6/10", "above 5", "down"]),
    ("it hurts steps down", [*goods(2), stopped()], 0, DOWN, ["'it hurts'", "one step down"]),
    (
        "a worse next morning steps down",
        [*goods(2), flared(2, 4)],
        0,
        DOWN,
        ["next-morning pain rose from 2 to 4", "one step down"],
    ),
    ("an equal next morning is no rise", [flared(3, 3), flared(3, 3)], 1, UP, ["step up"]),
    ("a better next morning is no rise", [flared(4, 1), flared(4, 1)], 1, UP, ["step up"]),
    (
        "a missing next-morning check-in does not block a step up",
        [good(morning_after=None), good(1, morning_after=None)],
        1,
        UP,
        ["step up"],
    ),
    (
        "a missing earlier check-in is no evidence of a rise",
        [good(morning_before=None, morning_after=9), good(1, morning_before=None)],
        1,
        UP,
        ["step up"],
    ),
    ("pain at the first step holds", [painful(8)], 0, HOLD, ["pain was 8/10", "first step"]),
    ("it hurts at the first step holds", [stopped()], 0, HOLD, ["'it hurts'", "first step"]),
    ("a short session holds", [*goods(2), short()], 1, HOLD, ["not completed at target"]),
    ("an unfinished session holds", [*goods(2), unfinished()], 1, HOLD, ["hold this step"]),
    ("a short session resets the streak", [good(), short(), good()], 0, HOLD, ["1 good"]),
    ("pain resets the streak", [*goods(3), painful(), good()], 0, HOLD, ["1 good"]),
    ("the streak restarts after a step down", [*goods(4), painful(), *goods(2)], 2, UP, ["up"]),
    ("a rise outweighs low pain", [*goods(2), flared(0, 1)], 0, DOWN, ["rose from 0 to 1"]),
    (
        "it hurts outweighs the rest",
        [*goods(2), replace(flared(), pain=9, stopped_for_pain=True)],
        0,
        DOWN,
        ["'it hurts'"],
    ),
    ("steps never go below the first", [*goods(2), *[painful()] * 5], 0, HOLD, ["first step"]),
    ("the top is step 4", goods(8), 4, UP, ["step up"]),
    ("past the top, good sessions hold", goods(12), 4, HOLD, ["at the top of the ladder"]),
    ("one step down from the top", [*goods(8), painful()], 3, DOWN, ["one step down"]),
]


@pytest.mark.parametrize(
    ("history", "step", "change", "words"),
    [pytest.param(*row[1:], id=row[0]) for row in RULES],
)
def test_the_rules_on_cobra(
    cat: Catalogue, history: list[Outcome], step: int, change: Change, words: list[str]
) -> None:
    result = standing(exercise(cat, "cobra"), history)

    assert (result.step, result.change) == (step, change)
    for word in words:
        assert word in result.reason
    assert result.dose == ladder(exercise(cat, "cobra"))[step].dose
    assert result.next_exercise is None


def test_a_step_up_starts_a_new_streak(cat: Catalogue) -> None:
    assert standing(exercise(cat, "cobra"), goods(2)).streak == 0
    assert standing(exercise(cat, "cobra"), goods(3)).streak == 1


def test_the_standing_names_the_exercise_and_its_ladder(cat: Catalogue) -> None:
    result = standing(exercise(cat, "bridge"), goods(6))

    assert result == Standing(
        exercise_id="bridge",
        step=3,
        steps=6,
        change=UP,
        reason=result.reason,
        dose=ladder(exercise(cat, "bridge"))[3].dose,
        variant="ball",
        next_exercise=None,
        streak=0,
    )


def test_crunches_step_up_to_four_by_twenty_five_and_no_further(cat: Catalogue) -> None:
    result = standing(exercise(cat, "crunch"), goods(20))

    assert (result.dose.sets, result.dose.reps) == (4, 25)
    assert result.dose.total_reps <= CRUNCH_CAP


def test_at_the_top_good_sessions_hold_and_suggest_the_next_exercise(cat: Catalogue) -> None:
    shoulder_roll = exercise(cat, "shoulder-roll")
    top = len(ladder(shoulder_roll)) - 1

    result = standing(shoulder_roll, goods(2 * top + 4))

    assert (result.step, result.change) == (top, HOLD)
    assert result.next_exercise == shoulder_roll.progressions[0] == "scapular-squeeze"
    assert "at the top of the ladder" in result.reason
    assert "ready to try scapular-squeeze" in result.reason


def test_reaching_the_top_suggests_the_next_exercise_at_once(cat: Catalogue) -> None:
    shoulder_roll = exercise(cat, "shoulder-roll")
    top = len(ladder(shoulder_roll)) - 1

    result = standing(shoulder_roll, goods(2 * top))

    assert (result.step, result.change) == (top, UP)
    assert result.next_exercise == "scapular-squeeze"
    assert result.reason.endswith("ready to try scapular-squeeze")


def test_a_step_down_from_the_top_withdraws_the_suggestion(cat: Catalogue) -> None:
    shoulder_roll = exercise(cat, "shoulder-roll")
    top = len(ladder(shoulder_roll)) - 1

    result = standing(shoulder_roll, [*goods(2 * top), stopped()])

    assert (result.step, result.change) == (top - 1, DOWN)
    assert result.next_exercise is None
    assert "ready to try" not in result.reason


def test_a_one_rung_ladder_leads_on_to_the_next_exercise(cat: Catalogue) -> None:
    result = standing(exercise(cat, "cat-cow"), goods(2))

    assert (result.step, result.steps, result.change) == (0, 1, HOLD)
    assert result.next_exercise == "thread-the-needle"
    assert "at the top of the ladder" in result.reason
    assert "ready to try thread-the-needle" in result.reason


def test_the_top_of_the_sphinx_ladder_leads_to_cobra(cat: Catalogue) -> None:
    sphinx = exercise(cat, "sphinx")
    result = standing(sphinx, goods(2 * len(ladder(sphinx)) + 2))

    assert result.step == result.steps - 1
    assert result.next_exercise == "cobra"
    assert "ready to try cobra" in result.reason


def test_an_exercise_with_no_progression_suggests_none_at_the_top(cat: Catalogue) -> None:
    cobra = exercise(cat, "cobra")

    assert standing(cobra, goods(20)).next_exercise is None
    assert cobra.progressions == []


# -- any history -----------------------------------------------------------------------------

LADDER_KINDS = ["crunch", "bridge", "cobra", "shoulder-roll", "sphinx", "neck-side-bend"]
pain_scores = st.none() | st.integers(min_value=0, max_value=10)
outcomes = st.builds(
    Outcome,
    at=st.just(MONDAY),
    completed=st.booleans(),
    at_target=st.booleans(),
    stopped_for_pain=st.booleans(),
    pain=pain_scores,
    morning_before=pain_scores,
    morning_after=pain_scores,
)


@given(st.sampled_from(LADDER_KINDS), st.lists(outcomes, max_size=40))
def test_any_history_leaves_a_step_on_the_ladder_with_its_dose(
    cat: Catalogue, exercise_id: str, history: list[Outcome]
) -> None:
    ex = exercise(cat, exercise_id)
    rungs = ladder(ex)

    result = standing(ex, history)

    assert 0 <= result.step < result.steps == len(rungs)
    assert result.dose == rungs[result.step].dose
    assert result.variant == rungs[result.step].variant
    assert result.reason


@given(st.lists(outcomes, max_size=30), outcomes)
def test_a_bad_session_never_moves_a_person_up(
    cat: Catalogue, history: list[Outcome], last: Outcome
) -> None:
    ex = exercise(cat, "cobra")
    bad = replace(last, stopped_for_pain=True)

    before, after = standing(ex, history), standing(ex, [*history, bad])

    assert after.step == max(0, before.step - 1)
    assert after.change in (DOWN, HOLD)


# -- known bugs ------------------------------------------------------------------------------


def test_a_ladder_that_adds_sets_ends_with_the_rest_of_the_high_end(cat: Catalogue) -> None:
    ex = exercise(cat, "shoulder-roll")

    top = ladder(ex)[-1].dose

    assert top == Prescription.from_dose(ex.dose, ex.kind, Level.ADVANCED)
    assert top.rest_s > 0


@pytest.mark.parametrize(
    "bad", [stopped(), painful(8), flared(2, 6)], ids=["hurts", "pain", "rise"]
)
def test_pain_on_a_one_rung_ladder_does_not_invite_a_harder_exercise(
    cat: Catalogue, bad: Outcome
) -> None:
    result = standing(exercise(cat, "sphinx"), [bad])

    assert "ready to try" not in result.reason
