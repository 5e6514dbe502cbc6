"""The planner's exact search: the best total there is, on problems small enough to enumerate."""

from __future__ import annotations

import itertools

from hypothesis import event, given, settings
from hypothesis import strategies as st

from midback.domain.knapsack import Bonus, Choice, Group, best_choice

DIRECTIONS = 7


def total(groups: list[Group], choice: Choice, bonus: Bonus) -> int:
    """The documented total of a choice (and a check that it is one)."""
    assert len({g for g, _ in choice}) == len(choice), "at most one item per group"
    covered = steps = value = 0
    for group, item in choice:
        covered |= groups[group].mask
        steps += groups[group].items[item][0]
        value += groups[group].items[item][1]
    fill = bonus.fill_bonus if steps >= bonus.fill_from else 0
    return value + bonus.by_count(covered.bit_count()) + fill


def best_by_brute_force(groups: list[Group], limit: int, bonus: Bonus) -> int:
    """The best total over every choice of at most one item per group within ``limit``."""
    best = total(groups, [], bonus)
    for picks in itertools.product(*[range(-1, len(g.items)) for g in groups]):
        choice = [(g, i) for g, i in enumerate(picks) if i >= 0]
        if sum(groups[g].items[i][0] for g, i in choice) <= limit:
            best = max(best, total(groups, choice, bonus))
    return best


@st.composite
def problems(draw: st.DrawFn) -> tuple[list[Group], int, Bonus]:
    """Up to 7 groups over up to 7 directions, a limit that forces choices, a monotone bonus."""
    groups = [
        Group(
            draw(st.integers(0, 2**DIRECTIONS - 1)),
            tuple(
                draw(
                    st.lists(
                        st.tuples(st.integers(1, 12), st.integers(0, 40)), min_size=1, max_size=3
                    )
                )
            ),
        )
        for _ in range(draw(st.integers(1, 7)))
    ]
    limit = draw(st.integers(0, sum(max(s for s, _ in g.items) for g in groups)))
    steps = draw(st.lists(st.integers(0, 60), min_size=DIRECTIONS, max_size=DIRECTIONS))
    by_count = [sum(steps[:n]) for n in range(DIRECTIONS + 1)]
    fill = Bonus(
        by_count=by_count.__getitem__,
        fill_from=draw(st.integers(0, limit + 1)),
        fill_bonus=draw(st.sampled_from([0, 5, 1000])),
    )
    return groups, limit, fill


@settings(max_examples=400, deadline=None)
@given(problem=problems())
def test_best_choice_has_the_best_total_there_is(problem: tuple[list[Group], int, Bonus]) -> None:
    groups, limit, bonus = problem
    choice = best_choice(groups, limit, bonus)
    event(f"{len(choice)} of {len(groups)} groups chosen")
    assert sum(groups[g].items[i][0] for g, i in choice) <= limit
    assert total(groups, choice, bonus) == best_by_brute_force(groups, limit, bonus)


def test_a_direction_only_a_costly_group_covers_is_weighed_not_assumed() -> None:
    # The plain knapsack takes the first two groups (value 9); the first and the third cover a
    # second direction for one point of value less, which only tracking that direction shows.
    groups = [Group(0b01, ((2, 5),)), Group(0b01, ((2, 4),)), Group(0b10, ((3, 3),))]
    bonus = Bonus(by_count=lambda n: 30 * n, fill_from=99, fill_bonus=0)
    choice = best_choice(groups, 5, bonus)
    assert sorted(choice) == [(0, 0), (2, 0)]


def test_when_everything_fits_each_group_gives_its_most_valuable_item() -> None:
    groups = [Group(0b01, ((2, 5), (3, 9))), Group(0b10, ((1, 1),))]
    bonus = Bonus(by_count=lambda n: n, fill_from=0, fill_bonus=0)
    assert best_choice(groups, 10, bonus) == [(0, 1), (1, 0)]


def test_longer_items_win_when_only_they_earn_the_fill_bonus() -> None:
    # Everything fits; the most valuable item is the shorter one, the fill bonus needs 4 steps.
    groups = [Group(0b01, ((1, 9), (4, 2)))]
    bonus = Bonus(by_count=lambda n: n, fill_from=4, fill_bonus=100)
    assert best_choice(groups, 4, bonus) == [(0, 1)]
