"""Progression with the one tap after each exercise (too easy / about right / too hard).

Pain still rules: a painful session steps down whatever the person tapped; "too easy" only
speeds a step up the pain rules would allow; "too hard" never lets a step up happen.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from midback.domain.catalogue import Catalogue
from midback.domain.progression import ACCEPTABLE_PAIN, Change, Outcome, standing
from midback.domain.records import Effort

MONDAY = datetime(2024, 5, 6, 18, 0)


def good(day: int = 0, **changes: Any) -> Outcome:
    """Done completely at the target dose, mild pain, a calm next morning."""
    base = Outcome(
        at=MONDAY + timedelta(days=day),
        completed=True,
        at_target=True,
        stopped_for_pain=False,
        pain=2,
        morning_before=2,
        morning_after=2,
    )
    return replace(base, **changes)


def test_too_easy_steps_up_after_one_good_session(cat: Catalogue) -> None:
    result = standing(cat.exercises["crunch"], [good(effort=Effort.EASY)])

    assert (result.step, result.change) == (1, Change.UP)
    assert "too easy" in result.reason


def test_without_a_tap_one_good_session_is_not_enough(cat: Catalogue) -> None:
    result = standing(cat.exercises["crunch"], [good()])

    assert (result.step, result.change) == (0, Change.HOLD)


def test_about_right_follows_the_pain_rules_alone(cat: Catalogue) -> None:
    tapped = standing(cat.exercises["crunch"], [good(0, effort=Effort.RIGHT), good(1)])
    untapped = standing(cat.exercises["crunch"], [good(0), good(1)])

    assert (tapped.step, tapped.change) == (untapped.step, untapped.change) == (1, Change.UP)


@pytest.mark.parametrize(
    "hurt",
    [
        {"pain": ACCEPTABLE_PAIN + 1},
        {"stopped_for_pain": True, "completed": False, "at_target": False},
        {"morning_before": 2, "morning_after": 5},
    ],
    ids=["pain-above-5", "it-hurts", "worse-next-morning"],
)
def test_pain_wins_over_too_easy(cat: Catalogue, hurt: dict[str, Any]) -> None:
    history = [good(0, effort=Effort.EASY), good(1, effort=Effort.EASY, **hurt)]

    result = standing(cat.exercises["crunch"], history)

    assert (result.step, result.change) == (0, Change.DOWN)
    assert "too easy" not in result.reason


def test_too_easy_does_not_step_up_a_dose_not_done_in_full(cat: Catalogue) -> None:
    result = standing(cat.exercises["crunch"], [good(effort=Effort.EASY, at_target=False)])

    assert (result.step, result.change) == (0, Change.HOLD)


def test_too_hard_steps_back_and_never_up(cat: Catalogue) -> None:
    climbed = [good(0), good(1), good(2), good(3)]  # two steps up: step 2
    result = standing(cat.exercises["crunch"], [*climbed, good(4, effort=Effort.HARD)])

    assert (result.step, result.change) == (1, Change.DOWN)
    assert "too hard" in result.reason


def test_too_hard_breaks_the_streak_that_would_step_up(cat: Catalogue) -> None:
    result = standing(cat.exercises["crunch"], [good(0), good(1, effort=Effort.HARD)])

    assert (result.step, result.change) == (0, Change.HOLD)
    assert result.streak == 0
    assert "first step" in result.reason


def test_too_easy_at_the_top_of_the_ladder_stays_there(cat: Catalogue) -> None:
    top = len([good(d) for d in range(8)])  # crunch has 5 steps: 8 good sessions reach the top
    history = [good(d) for d in range(top)] + [good(top, effort=Effort.EASY)]

    result = standing(cat.exercises["crunch"], history)

    assert result.step == result.steps - 1
    assert result.change is not Change.DOWN
