"""Exact: the best choice of at most one item per group within a time limit, when a bonus
rewards the directions the chosen groups cover (the planner's search, in whole numbers).

The problem
-----------
Each group (an exercise) has items (its doses); an item takes whole ``steps`` of time and adds
``value``. Choosing an item of a group covers the directions (bits) in the group's ``mask``.
A choice takes at most one item per group and at most ``limit`` steps in all; its total is::

    sum of its values + bonus(number of directions covered) + [steps >= fill_from] * fill_bonus

where ``bonus`` never decreases as the count grows. ``best_choice`` returns a choice with the
highest total; among equal totals it keeps one deterministically (the planner puts its seeded
tie-break key in the low bits of the values, so the seed decides between equal scores).

How, and why it is exact
------------------------
*Time.* ``row[t]`` is the best value of a choice taking exactly ``t`` steps; adding a group is
``row'[t] = max(row[t], row[t - steps] + value)`` over its items (the knapsack recurrence).

*Directions.* The bonus depends on which directions are covered, so an exact table needs one
row per set of directions covered: 2**7 rows for seven. Most directions end up covered in the
best plan anyway, so rows are kept only for *tracked* directions, and every other direction is
scored as if covered. That relaxed total is never below a choice's true total (the bonus grows
with the count), so when the best relaxed choice really covers every untracked direction, its
relaxed total is its true total and nothing beats it: it is the best. When it misses some, they
become tracked and the search runs again; with every direction tracked the relaxation is the
problem itself, so this ends. The first run tracks nothing: a plain knapsack, and most plans
need no second. Groups that touch tracked directions are added last, those whose directions
many groups share first, so the number of rows doubles as late as possible.

*Lanes.* Each row is packed into one Python int, ``width`` bits per time step (SIMD within a
register): shifting the int by ``steps`` lanes and adding ``value`` to every lane prices an
item at every time at once, and a lane-wise maximum is a handful of bitwise operations. That
is about four times faster than the same update over a list, which is what makes an exact
search fast enough in pure Python. Lanes are wide enough that no sum reaches the next lane.
Times no choice reaches hold phantom numbers below ``base``; reachable ones hold ``base`` plus
their value, so they always win a maximum and are never mistaken for phantoms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Choice = list[tuple[int, int]]
"""(group index, item index) pairs."""
Rows = dict[int, int]
"""Tracked directions covered -> packed row of best values by time."""


@dataclass(frozen=True)
class Group:
    """A group's directions (bits) and its items as ``(steps, value)`` pairs, values >= 0."""

    mask: int
    items: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Bonus:
    """What a choice earns beyond its values: by directions covered, and for filling time."""

    by_count: Callable[[int], int]
    """Points for covering this many directions; must not decrease as the count grows."""
    fill_from: int
    """Steps from which a choice earns ``fill_bonus``."""
    fill_bonus: int


def best_choice(groups: Sequence[Group], limit: int, bonus: Bonus) -> Choice:
    """A choice with the highest total among those within ``limit`` steps."""
    everything = _everything(groups, limit, bonus)
    if everything is not None:
        return everything
    search = _Search(groups, limit, bonus)
    tracked = 0
    while True:
        choice = search.best_relaxed(tracked)
        covered = 0
        for group, _ in choice:
            covered |= groups[group].mask
        missing = search.directions & ~tracked & ~covered
        if not missing:
            return choice
        tracked |= missing


def _everything(groups: Sequence[Group], limit: int, bonus: Bonus) -> Choice | None:
    """Each group's most valuable item, when all fit and that is provably best.

    No choice has more value or covers more directions. It is best unless a choice of longer
    items would earn the fill bonus that this one misses.
    """
    longest = sum(max(steps for steps, _ in g.items) for g in groups)
    if longest > limit:
        return None
    choice = [(i, _most_valuable(g.items)) for i, g in enumerate(groups)]
    used = sum(groups[i].items[j][0] for i, j in choice)
    if used < bonus.fill_from <= longest:
        return None
    return choice


def _most_valuable(items: tuple[tuple[int, int], ...]) -> int:
    """The index of the item with the highest value (the first of equals)."""
    return max(range(len(items)), key=lambda i: items[i][1])


class _Lanes:
    """``count`` numbers of ``width`` bits side by side in one int; lane ``t`` is time ``t``.

    Every number stays below ``2 ** (width - 1)``: the top bit of each lane is free, so a
    lane-wise comparison borrows into it and never into the next lane.
    """

    def __init__(self, count: int, width: int) -> None:
        self.count = count
        self.width = width
        self.all = (1 << count * width) - 1
        self.ones = self.all // ((1 << width) - 1)
        """1 in every lane."""
        self.high = self.ones << (width - 1)
        """The free top bit of every lane."""

    def top(self, row: int, start: int, stop: int) -> int:
        """The largest of lanes ``start`` to ``stop - 1`` (halving the range each round)."""
        count = stop - start
        part = (row >> start * self.width) & ((1 << count * self.width) - 1)
        while count > 1:
            half, rest = count // 2, count - count // 2
            low = part & ((1 << half * self.width) - 1)
            high = self.high & ((1 << rest * self.width) - 1)
            part = _lane_max(low, part >> half * self.width, high, self.width)
            count = rest
        return part

    def get(self, row: int, t: int) -> int:
        """Lane ``t``."""
        return (row >> t * self.width) & ((1 << self.width) - 1)


def _lane_max(a: int, b: int, high: int, width: int) -> int:
    """The lane-wise maximum of two packed rows (``high``: the top bit of each lane)."""
    at_least = (((a | high) - b) & high) >> (width - 1)  # 1 in the lanes where a >= b
    keep_a = (at_least << width) - at_least  # all ones in those lanes
    return b ^ ((a ^ b) & keep_a)


class _Search:
    """The lane-packed dynamic program, run with a given set of tracked directions."""

    def __init__(self, groups: Sequence[Group], limit: int, bonus: Bonus) -> None:
        self.groups = groups
        self.bonus = bonus
        self.directions = 0
        self.sharing: dict[int, int] = {}
        """Direction bit -> how many groups cover it."""
        for group in groups:
            self.directions |= group.mask
            for bit in _bits(group.mask):
                self.sharing[bit] = self.sharing.get(bit, 0) + 1
        most = sum(max(value for _, value in g.items) for g in groups)
        self.base = 1 << most.bit_length()
        """Above every phantom (at most ``most``); reachable lanes are below twice this."""
        self.lanes = _Lanes(limit + 1, most.bit_length() + 2)
        self.untracked_first = sorted(range(len(groups)), key=self._rarest)
        """Groups whose directions many groups share first: they are the last to be tracked."""
        self.prefix: list[tuple[int, Rows]] = []
        """The last run's rows after each of its first, untracked, groups (to reuse)."""
        self.ceiling: int | None = None
        """The most value at any time (from the first run, which tracks nothing)."""

    def _rarest(self, index: int) -> int:
        """Minus the number of groups sharing the group's least shared direction."""
        return -min((self.sharing[bit] for bit in _bits(self.groups[index].mask)), default=0)

    def best_relaxed(self, tracked: int) -> Choice:
        """The best choice when untracked directions count as covered."""
        order = self._order(tracked)
        start: Rows = {0: self.base}  # nothing chosen: value 0 at time 0
        history = [start, *self._reusable(order, tracked)]
        for index in order[len(history) - 1 :]:
            history.append(self._add(history[-1], self.groups[index], tracked))
        untracked = sum(1 for index in order if not self.groups[index].mask & tracked)
        self.prefix = list(zip(order[:untracked], history[1 : untracked + 1], strict=True))
        covered, t, value = self._best_end(history[-1], tracked)
        return self._trace(history, order, tracked, covered, t, value)

    def _reusable(self, order: list[int], tracked: int) -> list[Rows]:
        """The last run's rows that this run would compute again: the same groups in the same
        order at the start, none of them tracked now."""
        rows: list[Rows] = []
        for position, (index, after) in enumerate(self.prefix):
            if position >= len(order) or order[position] != index:
                break
            if self.groups[index].mask & tracked:
                break
            rows.append(after)
        return rows

    def _order(self, tracked: int) -> list[int]:
        """Untracked groups first; then by the rarest tracked direction a group touches."""
        bits = sorted(_bits(tracked), key=lambda bit: -self.sharing[bit])
        position = {bit: i for i, bit in enumerate(bits)}

        def rank(index: int) -> int:
            touched = self.groups[index].mask & tracked
            return max((position[bit] for bit in _bits(touched)), default=-1)

        return sorted(self.untracked_first, key=rank)

    def _add(self, rows: Rows, group: Group, tracked: int) -> Rows:
        """The rows once ``group`` may be chosen: left out, or one of its items.

        An item moves every lane of a row up by its steps (lanes past the limit fall off) and
        adds its value to every lane; the lowest lanes, which no choice reaches, get phantoms.
        """
        width, every, high = self.lanes.width, self.lanes.all, self.lanes.high
        new_bits = group.mask & tracked
        added = dict(rows)
        for steps, value in group.items:
            spread = self.lanes.ones * value
            for covered, row in rows.items():
                moved = ((row << steps * width) & every) + spread
                target = covered | new_bits
                current = added.get(target)
                added[target] = moved if current is None else _lane_max(current, moved, high, width)
        return added

    def _best_end(self, rows: Rows, tracked: int) -> tuple[int, int, int]:
        """(tracked directions covered, steps, lane) of the best relaxed total.

        Candidates go by bonus, highest first; once even the ceiling value plus a candidate's
        bonus cannot beat the best found, no later one can.
        """
        assumed = (self.directions & ~tracked).bit_count()
        by_count = [self.bonus.by_count(assumed + n) for n in range(tracked.bit_count() + 1)]
        fill_from = min(self.bonus.fill_from, self.lanes.count)
        ranges = ((fill_from, self.lanes.count, self.bonus.fill_bonus), (0, fill_from, 0))
        candidates = sorted(
            (
                (by_count[covered.bit_count()] + fill, covered, start, stop)
                for covered in rows
                for start, stop, fill in ranges
                if start < stop
            ),
            reverse=True,
        )
        best: tuple[int, int, int, int, int] | None = None  # total, covered, start, stop, lane
        most = 0
        for bonus, covered, start, stop in candidates:
            if best is not None and self.ceiling is not None and self.ceiling + bonus <= best[0]:
                break
            lane = self.lanes.top(rows[covered], start, stop)
            if lane < self.base:
                continue  # no choice takes a time in this range
            most = max(most, lane - self.base)
            if best is None or lane - self.base + bonus > best[0]:
                best = (lane - self.base + bonus, covered, start, stop, lane)
        assert best is not None, "choosing nothing always reaches time 0"
        if self.ceiling is None:
            self.ceiling = most  # every range of the single row was looked at
        _, covered, start, stop, lane = best
        row = rows[covered]
        t = next(t for t in range(start, stop) if self.lanes.get(row, t) == lane)
        return covered, t, lane

    def _trace(
        self, history: list[Rows], order: list[int], tracked: int, covered: int, t: int, lane: int
    ) -> Choice:
        """The choice behind a lane, read back group by group from the last."""
        choice: Choice = []
        for position in range(len(order) - 1, -1, -1):
            group = self.groups[order[position]]
            before = history[position]
            if covered in before and self.lanes.get(before[covered], t) == lane:
                continue  # left out
            item, covered = self._item_behind(group, before, tracked, covered, t, lane)
            steps, value = group.items[item]
            choice.append((order[position], item))
            t, lane = t - steps, lane - value
        return choice

    def _item_behind(
        self, group: Group, before: Rows, tracked: int, covered: int, t: int, lane: int
    ) -> tuple[int, int]:
        """(item, row it was added to) of the item of ``group`` that led to ``lane``."""
        new_bits = group.mask & tracked
        for item, (steps, value) in enumerate(group.items):
            if steps > t:
                continue
            for source, row in before.items():
                if source | new_bits == covered and self.lanes.get(row, t - steps) + value == lane:
                    return item, source
        raise AssertionError("every reachable lane has a predecessor")


def _bits(mask: int) -> list[int]:
    """The single-bit masks in ``mask``, lowest first."""
    return [1 << i for i in range(mask.bit_length()) if mask >> i & 1]
