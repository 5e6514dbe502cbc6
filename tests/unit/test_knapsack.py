"""The planner's exact search: the best total there is, on problems small enough to enumerate."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from midback.domain.knapsack import (
    Choice,
    Group,
    Rules,
    Start,
    best_choice,
    best_choice_from,
    total_of,
)

DIRECTIONS = 7
SLOTS = 3


def best_by_brute_force(groups: list[Group], rules: Rules) -> int | None:
    """The best ``total_of`` over every choice of at most one item per group (None: no choice
    obeys the rules)."""
    best = None
    for picks in itertools.product(*[range(-1, len(g.items)) for g in groups]):
        choice = [(g, i) for g, i in enumerate(picks) if i >= 0]
        total = total_of(groups, rules, choice)
        if total is not None and (best is None or total > best):
            best = total
    return best


@st.composite
def problems(draw: st.DrawFn) -> tuple[list[Group], Rules]:
    """Up to 7 groups over up to 7 directions, with every rule switched on or off at random."""
    count = draw(st.integers(1, 7))
    groups = [
        Group(
            items=tuple(
                draw(
                    st.lists(
                        st.tuples(st.integers(1, 12), st.integers(0, 40)), min_size=1, max_size=3
                    )
                )
            ),
            mask=draw(st.integers(0, 2**DIRECTIONS - 1)),
            spare=draw(st.sampled_from([0, 0, 5, 20])),
            focus=draw(st.booleans()),
            slot=draw(st.none() | st.integers(0, SLOTS - 1)),
            family=draw(st.none() | st.integers(0, 1)),
        )
        for _ in range(count)
    ]
    longest = sum(max(s for s, _ in g.items) for g in groups)
    limit = draw(st.integers(0, longest))
    rules = Rules(
        limit=limit,
        min_directions=draw(st.integers(1, 4)),
        directions_bonus=draw(st.sampled_from([0, 7, 1000])),
        fill_from=draw(st.integers(0, limit + 1)),
        fill_bonus=draw(st.sampled_from([0, 5, 1000])),
        max_count=draw(st.none() | st.integers(0, count)),
        focus_from=draw(st.sampled_from([0, 0, 3, 8])),
        per_family=draw(st.integers(0, 2)),
        slots=draw(st.sampled_from([0, SLOTS])),
        differ_from=draw(st.none() | st.frozensets(st.integers(0, count - 1))),
        nonempty=draw(st.booleans()),
    )
    return groups, rules


@settings(max_examples=500, deadline=None)
@given(problem=problems())
def test_best_choice_has_the_best_total_there_is(problem: tuple[list[Group], Rules]) -> None:
    groups, rules = problem
    choice = best_choice(groups, rules)
    best = best_by_brute_force(groups, rules)
    if choice is None:
        event("no choice obeys the rules")
        assert best is None
        return
    event(f"{len(choice)} of {len(groups)} groups chosen")
    assert total_of(groups, rules, choice) == best


@settings(max_examples=300, deadline=None)
@given(problem=problems(), values=st.lists(st.integers(0, 40), min_size=21, max_size=21))
def test_a_search_begun_where_another_ended_has_the_best_total_there_is(
    problem: tuple[list[Group], Rules], values: list[int]
) -> None:
    """The planner's seeded search begins where its search for the best ended: the same
    groups and rules, other values, and ``differ_from`` set (or not) where that search had
    none. The answer is still the best there is."""
    groups, rules = problem
    _, start = best_choice_from(groups, dataclasses.replace(rules, differ_from=None), None)
    if start is None:
        return
    others = iter(values)
    revalued = [
        dataclasses.replace(g, items=tuple((steps, next(others)) for steps, _ in g.items))
        for g in groups
    ]
    assert_best_from(revalued, rules, start)


@settings(max_examples=300, deadline=None)
@given(problem=problems(), reference=st.frozensets(st.integers(0, 6)))
def test_a_search_for_another_choice_begun_where_the_best_ended_has_the_best_total_there_is(
    problem: tuple[list[Group], Rules], reference: frozenset[int]
) -> None:
    """The planner's search for another mix begins where its search for the best ended: the
    same groups and rules but for ``differ_from``. The answer is still the best there is."""
    groups, rules = problem
    _, start = best_choice_from(groups, dataclasses.replace(rules, differ_from=None), None)
    if start is None:
        return
    assert_best_from(groups, dataclasses.replace(rules, differ_from=reference), start)


def assert_best_from(groups: list[Group], rules: Rules, start: Start) -> None:
    """A search begun at ``start`` finds the best total there is (brute force), and says where
    it ended; or finds nothing exactly when nothing obeys the rules."""
    choice, end = best_choice_from(groups, rules, start)
    best = best_by_brute_force(groups, rules)
    event(f"started at {start.need}")
    if choice is None:
        assert best is None and end is None
        return
    assert total_of(groups, rules, choice) == best
    assert end is not None


def test_a_direction_bonus_counts_each_direction_once() -> None:
    # The two cheap groups share a direction: they cover one, not two, so the bonus for two
    # directions needs the costly third group.
    groups = [
        Group(((2, 5),), mask=0b001),
        Group(((2, 4),), mask=0b001),
        Group(((3, 3),), mask=0b010),
    ]
    rules = Rules(limit=5, min_directions=2, directions_bonus=30, fill_from=99, fill_bonus=0)
    assert sorted(best_choice(groups, rules) or []) == [(0, 0), (2, 0)]


def test_a_family_holds_at_most_its_share() -> None:
    groups = [Group(((1, 10),), family=0) for _ in range(4)]
    rules = Rules(limit=10, min_directions=1, directions_bonus=0, fill_from=99, fill_bonus=0)
    assert len(best_choice(groups, rules) or []) == 2


def test_focus_work_reaches_its_least_time_even_when_other_work_is_worth_more() -> None:
    groups = [Group(((4, 1),), focus=True), Group(((4, 50),)), Group(((4, 40),))]
    rules = Rules(
        limit=8, min_directions=1, directions_bonus=0, fill_from=99, fill_bonus=0, focus_from=4
    )
    assert sorted(best_choice(groups, rules) or []) == [(0, 0), (1, 0)]


def test_one_slot_stays_empty() -> None:
    groups = [Group(((1, 10),), slot=s) for s in range(3)]
    rules = Rules(
        limit=10, min_directions=1, directions_bonus=0, fill_from=99, fill_bonus=0, slots=3
    )
    choice: Choice = best_choice(groups, rules) or []
    assert len(choice) == 2


def test_the_best_choice_other_than_a_reference() -> None:
    groups = [Group(((1, 10),)), Group(((1, 9),)), Group(((1, 1),))]
    rules = Rules(
        limit=2,
        min_directions=1,
        directions_bonus=0,
        fill_from=99,
        fill_bonus=0,
        differ_from=frozenset({0, 1}),
    )
    assert sorted(best_choice(groups, rules) or []) == [(0, 0), (2, 0)]


def test_a_choice_worth_less_than_nothing_is_still_made_when_one_must_be() -> None:
    groups = [Group(((1, 0),), spare=5), Group(((1, 2),), spare=5)]
    rules = Rules(
        limit=2, min_directions=1, directions_bonus=0, fill_from=9, fill_bonus=0, nonempty=True
    )
    assert best_choice(groups, rules) == [(1, 0)]


def test_no_choice_when_the_focus_work_cannot_reach_its_time() -> None:
    groups = [Group(((2, 1),), focus=True)]
    rules = Rules(
        limit=10, min_directions=1, directions_bonus=0, fill_from=99, fill_bonus=0, focus_from=3
    )
    assert best_choice(groups, rules) is None


def test_a_family_share_above_two_is_refused() -> None:
    rules = Rules(
        limit=1, min_directions=1, directions_bonus=0, fill_from=9, fill_bonus=0, per_family=3
    )
    with pytest.raises(ValueError, match="per_family"):
        best_choice([Group(((1, 1),))], rules)
