"""Exact: the best choice of at most one item per group under the planner's rules, in whole
numbers (the planner's search).

The problem
-----------
Each group (an exercise) has items (its doses); an item takes whole ``steps`` of time and adds
``value``; leaving the group out adds its ``spare`` value instead. Choosing an item of a group
covers the directions (bits) in its ``mask``. A choice takes at most one item per group and
obeys ``Rules``:

- at most ``limit`` steps in all, and at most ``max_count`` groups;
- at least ``focus_from`` steps in groups marked ``focus``;
- at most ``per_family`` groups of each ``family``;
- when ``slots`` is set, at least one of the slots ``0 .. slots - 1`` holds no chosen group;
- when ``differ_from`` is set, the chosen groups are not exactly that set;
- when ``nonempty`` is set, at least one group is chosen.

Its total is::

    sum of its values and spares
      + [directions covered >= min_directions] * directions_bonus
      + [steps >= fill_from] * fill_bonus

``best_choice`` returns a choice with the highest total (None when no choice obeys the rules);
among equal totals it keeps one deterministically.

How, and why it is exact
------------------------
*Time.* ``row[t]`` is the best value of a partial choice taking exactly ``t`` steps; adding a
group is ``row'[t] = max(row[t] + spare, row[t - steps] + value)`` over its items (the knapsack
recurrence). A row is kept per *state*: whatever else the rules need to know about the partial
choice (how many groups, which slots, ...).

*States, added only when needed.* Each rule needs a part of the state, and together they would
multiply the rows many times over. So the search first solves a *relaxation*: no count, no
slots, no difference from ``differ_from``, the empty choice allowed, and the directions bonus
earned by every choice. Its best total is at least the best total of the real problem (it
allows more choices and scores each at least as high). If the relaxation's best choice obeys
every rule and earns its bonus, its relaxed total is its real total and nothing beats it: it
is the best. Otherwise the search tightens what was loose and runs again: the count, the
slots, the difference or the rule against an empty choice it broke join the state; a bonus
wrongly earned makes the state count the directions each chosen group moves in, up to
``min_directions`` (a count never below the directions really covered); when that count is
wrong because two chosen groups share a direction, that direction is *tracked* in the state
and counted once. Each round is stricter, and with every direction tracked the relaxation is
the problem itself, so this ends. Families and the focus threshold are never relaxed: a
family's count lives in the state only from its first group to its last, and the groups
marked ``focus`` come first, so after the last of them every row is cut to the times of at
least ``focus_from`` steps.

*Slots.* A slot (a phase and whether it is done upright or on the floor) is in the state from
its first group to its last; when it closes, "this slot stayed empty" is folded into one bit,
which a choice must have set at the end. Groups go slot by slot to keep few slots open at once.

*Lanes.* Each row is packed into one Python int, ``width`` bits per time step (SIMD within a
register): shifting the int by ``steps`` lanes and adding ``value`` to every lane prices an
item at every time at once, and a lane-wise maximum is a handful of bitwise operations. Lanes
are wide enough that no sum reaches the next lane. Times no choice reaches hold phantom numbers
below ``base``; reachable ones hold ``base`` plus their value, so they always win a maximum and
are never mistaken for phantoms; a row with no reachable time is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

Choice = list[tuple[int, int]]
"""(group index, item index) pairs."""
Rows = dict[int, int]
"""State -> packed row of best values by time."""

_DIRECTION_BITS = 16
"""State bits 0-15: the tracked directions covered."""
_EMPTY = 1 << 16
"""State bit: a slot that closed held no chosen group (or some slot has no group at all)."""
_DIFFERS = 1 << 17
"""State bit: the groups chosen so far already differ from ``differ_from``."""
_CHOSEN = 1 << 18
"""State bit: some group is chosen."""
_SLOT_SHIFT = 19
_MAX_SLOTS = 8
_COUNT_SHIFT = _SLOT_SHIFT + _MAX_SLOTS
_COUNT_BITS = 5
_HITS_SHIFT = _COUNT_SHIFT + _COUNT_BITS
_HITS_BITS = 3
_FAMILY_SHIFT = _HITS_SHIFT + _HITS_BITS
_MAX_PER_FAMILY = 2
"""A family's count takes two state bits; the count a take would reach past this never exists."""


@dataclass(frozen=True)
class Group:
    """A group's items as ``(steps, value)`` pairs (values >= 0) and what choosing it means."""

    items: tuple[tuple[int, int], ...]
    mask: int = 0
    """Directions (bits) it covers."""
    spare: int = 0
    """Value of leaving it out (>= 0)."""
    focus: bool = False
    """Its steps count towards ``Rules.focus_from``."""
    slot: int | None = None
    """Its slot, ``0 .. Rules.slots - 1``."""
    family: int | None = None
    """Its family: at most ``Rules.per_family`` groups of a family are chosen."""


@dataclass(frozen=True)
class Rules:
    """What a choice must obey, and what it earns beyond its values."""

    limit: int
    """Most steps in all."""
    min_directions: int
    directions_bonus: int
    """Points for covering at least ``min_directions`` directions."""
    fill_from: int
    """Steps from which a choice earns ``fill_bonus``."""
    fill_bonus: int
    max_count: int | None = None
    """Most groups chosen (None: no limit)."""
    focus_from: int = 0
    """Fewest steps in groups marked ``focus``."""
    per_family: int = 2
    """At most 2."""
    slots: int = 0
    """When > 0, some slot ``0 .. slots - 1`` must hold no chosen group."""
    differ_from: frozenset[int] | None = None
    """When set, the set of chosen groups must not be this one."""
    nonempty: bool = False
    """When set, at least one group is chosen."""


def total_of(groups: Sequence[Group], rules: Rules, choice: Choice) -> int | None:
    """The total of ``choice`` (None when it breaks a rule); the definition the search meets."""
    chosen = {g for g, _ in choice}
    if len(chosen) != len(choice):
        return None
    steps = focus = value = covered = 0
    families: dict[int, int] = {}
    slots: set[int] = set()
    for index, group in enumerate(groups):
        if index not in chosen:
            value += group.spare
    for g, i in choice:
        group = groups[g]
        item_steps, item_value = group.items[i]
        steps += item_steps
        value += item_value
        covered |= group.mask
        if group.focus:
            focus += item_steps
        if group.family is not None:
            families[group.family] = families.get(group.family, 0) + 1
        if group.slot is not None:
            slots.add(group.slot)
    if steps > rules.limit or focus < rules.focus_from:
        return None
    if rules.max_count is not None and len(choice) > rules.max_count:
        return None
    if any(n > rules.per_family for n in families.values()):
        return None
    if rules.slots and slots >= set(range(rules.slots)):
        return None
    if rules.differ_from is not None and chosen == rules.differ_from:
        return None
    if rules.nonempty and not chosen:
        return None
    fill = rules.fill_bonus if steps >= rules.fill_from else 0
    bonus = rules.directions_bonus if covered.bit_count() >= rules.min_directions else 0
    return value + bonus + fill


@dataclass(frozen=True)
class Start:
    """Where a search ended (the parts of the state its last round kept). A search of the same
    groups and rules with other values or another ``differ_from`` (the planner's best other
    mix and its seeded mixes, after the best) most often needs the same rounds, and may start
    there instead of from the loosest. Only for the same groups and
    rules but for ``differ_from`` (each search sets that part itself): the state's other parts
    mean nothing for other groups or rules."""

    need: _Need


def best_choice(groups: Sequence[Group], rules: Rules) -> Choice | None:
    """A choice with the highest total among those that obey ``rules`` (None: there is none)."""
    return best_choice_from(groups, rules, None)[0]


def best_choice_from(
    groups: Sequence[Group], rules: Rules, start: Start | None
) -> tuple[Choice | None, Start | None]:
    """``best_choice``, its rounds begun at ``start`` (None: the loosest), and where they ended
    (None when no choice obeys the rules). The total is the best there is from any start:
    every round is a relaxation, and only a choice that obeys every rule at its real total ends
    them. Among choices with that same total, which one is kept can depend on the start (the
    rows differ), so a caller that wants the same choice for the same problem starts the same
    way: the planner's searches for other mixes (the best other, a seed's) always start where
    its search for the best ended."""
    if not 0 <= rules.per_family <= _MAX_PER_FAMILY:
        raise ValueError(f"per_family must be 0 to {_MAX_PER_FAMILY}")
    search = _Search(groups, rules)
    # With ``differ_from`` the relaxation's first answer is most often that very choice (the
    # planner asks for the best *other* mix): keep the difference from the start, saving a
    # round. Any need is a relaxation, so where the search starts does not change the answer.
    need = _Need(differ=rules.differ_from is not None)
    if start is not None:
        need = replace(start.need, differ=need.differ)
    while True:
        found = search.best(need)
        if found is None:
            return None, None
        choice, relaxed = found
        tighter = search.tighten(need, choice, relaxed)
        if tighter is None:
            return choice, Start(need)
        assert tighter != need, "every round is stricter than the one before"
        need = tighter


@dataclass(frozen=True)
class _Need:
    """Which parts of the state a run keeps (the rest is relaxed)."""

    counting: bool = False
    """Count direction hits for the bonus (else every choice earns it)."""
    tracked: int = 0
    """Directions kept in the state and counted once."""
    count: bool = False
    slots: bool = False
    differ: bool = False
    nonempty: bool = False


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

    def from_lane(self, t: int) -> int:
        """A mask of every lane from ``t`` up."""
        return self.all & ~((1 << t * self.width) - 1)


def _lane_max(a: int, b: int, high: int, width: int) -> int:
    """The lane-wise maximum of two packed rows (``high``: the top bit of each lane)."""
    at_least = (((a | high) - b) & high) >> (width - 1)  # 1 in the lanes where a >= b
    keep_a = (at_least << width) - at_least  # all ones in those lanes
    return b ^ ((a ^ b) & keep_a)


@dataclass
class _Step:
    """One step of a run: a group added, or states folded (slots and families closing)."""

    before: Rows
    group: int | None = None
    fold: Callable[[int], int] | None = None


class _Move:
    """How one group changes a state in a run: left out, or taken (None: taking it breaks a
    rule the state keeps)."""

    def __init__(self, search: _Search, index: int, need: _Need) -> None:
        group = search.groups[index]
        rules = search.rules
        reference = rules.differ_from if need.differ else None
        in_reference = reference is not None and index in reference
        self.leave_bits = _DIFFERS if in_reference else 0
        self.take_bits = group.mask & need.tracked
        if need.nonempty:
            self.take_bits |= _CHOSEN
        if need.slots and group.slot is not None:
            self.take_bits |= 1 << (_SLOT_SHIFT + group.slot)
        if reference is not None and not in_reference:
            self.take_bits |= _DIFFERS
        self.count_limit = rules.max_count if need.count else None
        self.family_shift: int | None = None
        if group.family in search.families:
            self.family_shift = _FAMILY_SHIFT + 2 * search.families[group.family]
        self.per_family = rules.per_family
        self.hits = (group.mask & ~need.tracked).bit_count() if need.counting else 0
        self.cap = search.cap

    def leave(self, key: int) -> int:
        return key | self.leave_bits

    def take(self, key: int) -> int | None:
        taken = key | self.take_bits
        if self.count_limit is not None:
            if (key >> _COUNT_SHIFT) & ((1 << _COUNT_BITS) - 1) >= self.count_limit:
                return None
            taken += 1 << _COUNT_SHIFT
        if self.family_shift is not None:
            if (key >> self.family_shift) & 3 >= self.per_family:
                return None
            taken += 1 << self.family_shift
        if self.hits:
            mask = ((1 << _HITS_BITS) - 1) << _HITS_SHIFT
            hits = min(self.cap, ((taken & mask) >> _HITS_SHIFT) + self.hits)
            taken = (taken & ~mask) | hits << _HITS_SHIFT
        return taken


class _Search:
    """The lane-packed dynamic program, run with a given ``_Need``."""

    def __init__(self, groups: Sequence[Group], rules: Rules) -> None:
        if rules.slots > _MAX_SLOTS:
            raise ValueError(f"at most {_MAX_SLOTS} slots")
        if any(g.mask >> _DIRECTION_BITS for g in groups):
            raise ValueError(f"at most {_DIRECTION_BITS} directions")
        if rules.max_count is not None and rules.max_count >= 1 << _COUNT_BITS:
            raise ValueError(f"max_count must be below {1 << _COUNT_BITS}")
        self.groups = groups
        self.rules = rules
        self.directions = 0
        for group in groups:
            self.directions |= group.mask
        self.cap = min(rules.min_directions, (1 << _HITS_BITS) - 1)
        """Where the count of direction hits stops (it only has to reach the least)."""
        longest = sum(max(steps for steps, _ in g.items) for g in groups)
        self.limit = max(0, min(rules.limit, longest))
        most = sum(max(max(v for _, v in g.items), g.spare) for g in groups)
        self.base = 1 << most.bit_length()
        self.lanes = _Lanes(self.limit + 1, most.bit_length() + 2)
        self.reachable = self.lanes.ones << most.bit_length()
        """The ``base`` bit of every lane: set exactly in the lanes some choice reaches."""
        self.spread: dict[int, int] = {}
        self.families = self._families()
        self.order = self._order()

    def _families(self) -> dict[int, int]:
        """Family -> its index in the state, for families that can break the rule."""
        sizes: dict[int, int] = {}
        for group in self.groups:
            if group.family is not None:
                sizes[group.family] = sizes.get(group.family, 0) + 1
        crowded = sorted(f for f, n in sizes.items() if n > self.rules.per_family)
        return {family: i for i, family in enumerate(crowded)}

    def _order(self) -> list[int]:
        """Focus groups first when a focus threshold applies; then slot by slot, family by
        family, so slots and families stay open briefly."""

        def key(index: int) -> tuple[int, int, int, int]:
            group = self.groups[index]
            stage = 0 if group.focus and self.rules.focus_from > 0 else 1
            slot = -1 if group.slot is None else group.slot
            family = -1 if group.family is None else group.family
            return (stage, slot, family, index)

        return sorted(range(len(self.groups)), key=key)

    def best(self, need: _Need) -> tuple[Choice, int] | None:
        """The best choice of the relaxation ``need`` describes and its relaxed total (None:
        nothing obeys it)."""
        start = 0
        slots_used = {g.slot for g in self.groups if g.slot is not None}
        if need.slots and not set(range(self.rules.slots)) <= slots_used:
            start |= _EMPTY  # a slot no group can fill is always empty
        reference = self.rules.differ_from
        if need.differ and reference is not None and any(g >= len(self.groups) for g in reference):
            start |= _DIFFERS  # no choice here is the reference
        rows: Rows = {start: self.base}  # nothing chosen: value 0 at time 0
        steps: list[_Step] = []
        focused = [p for p, g in enumerate(self.order) if self.groups[g].focus]
        cut_after = focused[-1] if focused and self.rules.focus_from > 0 else None
        if self.rules.focus_from > 0 and cut_after is None:
            return None
        closing = self._closing(need)
        for position, index in enumerate(self.order):
            steps.append(_Step(rows, group=index))
            rows = self._add(rows, _Move(self, index, need), self.groups[index])
            fold = closing.get(position)
            if fold is not None:
                steps.append(_Step(rows, fold=fold))
                rows = self._fold(rows, fold)
            if position == cut_after:
                rows = self._cut(rows, self.rules.focus_from)
        end = self._best_end(rows, need)
        if end is None:
            return None
        key, t, lane, relaxed = end
        return self._trace(steps, need, key, t, lane), relaxed

    def tighten(self, need: _Need, choice: Choice, relaxed: int) -> _Need | None:
        """The stricter relaxation ``choice`` shows is needed, or None when it obeys every rule
        and its relaxed total is its real total (then it is the best of the real problem)."""
        chosen = {g for g, _ in choice}
        slots = {self.groups[g].slot for g in chosen if self.groups[g].slot is not None}
        count = self.rules.max_count is not None and len(chosen) > self.rules.max_count
        full = bool(self.rules.slots) and slots >= set(range(self.rules.slots))
        same = self.rules.differ_from is not None and chosen == self.rules.differ_from
        empty = self.rules.nonempty and not chosen
        if count or full or same or empty:
            return replace(
                need,
                count=need.count or count,
                slots=need.slots or full,
                differ=need.differ or same,
                nonempty=need.nonempty or empty,
            )
        real = total_of(self.groups, self.rules, choice)
        assert real is not None and real <= relaxed, "a relaxation never scores a choice lower"
        if real == relaxed:
            return None
        if not need.counting:
            return replace(need, counting=True)
        covered = twice = 0
        for g in chosen:
            twice |= covered & self.groups[g].mask
            covered |= self.groups[g].mask
        shared = twice & ~need.tracked
        assert shared, "a count of hits overstates the directions only when two groups share one"
        return replace(need, tracked=need.tracked | shared)

    def _closing(self, need: _Need) -> dict[int, Callable[[int], int]]:
        """Position in the order -> how states fold after it (slots and families closing)."""
        last_slot: dict[int, int] = {}
        last_family: dict[int, int] = {}
        for position, index in enumerate(self.order):
            group = self.groups[index]
            if group.slot is not None and need.slots:
                last_slot[group.slot] = position
            if group.family in self.families:
                last_family[group.family] = position
        clears: dict[int, tuple[int, int]] = {}  # position -> (slot bits, family bits)
        for slot, position in last_slot.items():
            bits, family_bits = clears.get(position, (0, 0))
            clears[position] = (bits | 1 << (_SLOT_SHIFT + slot), family_bits)
        for family, position in last_family.items():
            bits, family_bits = clears.get(position, (0, 0))
            shift = _FAMILY_SHIFT + 2 * self.families[family]
            clears[position] = (bits, family_bits | 3 << shift)
        return {p: _folder(slots, families) for p, (slots, families) in clears.items()}

    def _add(self, rows: Rows, move: _Move, group: Group) -> Rows:
        """The rows once ``group`` may be chosen: left out, or one of its items.

        An item moves every lane of a row up by its steps (lanes past the limit fall off) and
        adds its value to every lane; the lowest lanes, which no choice reaches, get phantoms.
        """
        width, every, high = self.lanes.width, self.lanes.all, self.lanes.high
        spare = self._spread(group.spare) if group.spare else 0
        items = [(steps * width, self._spread(value)) for steps, value in group.items]
        out: Rows = {}
        for key, row in rows.items():
            left = move.leave(key)
            kept = row + spare
            current = out.get(left)
            out[left] = kept if current is None else _lane_max(current, kept, high, width)
            taken = move.take(key)
            if taken is None:
                continue
            best = None
            for shift, spread in items:
                moved = (row << shift) & every
                if not moved & self.reachable:
                    continue
                moved += spread
                best = moved if best is None else _lane_max(best, moved, high, width)
            if best is not None:
                current = out.get(taken)
                out[taken] = best if current is None else _lane_max(current, best, high, width)
        return out

    def _spread(self, value: int) -> int:
        """``value`` in every lane."""
        spread = self.spread.get(value)
        if spread is None:
            spread = self.spread[value] = self.lanes.ones * value
        return spread

    def _fold(self, rows: Rows, fold: Callable[[int], int]) -> Rows:
        out: Rows = {}
        width, high = self.lanes.width, self.lanes.high
        for key, row in rows.items():
            folded = fold(key)
            current = out.get(folded)
            out[folded] = row if current is None else _lane_max(current, row, high, width)
        return out

    def _cut(self, rows: Rows, focus_from: int) -> Rows:
        """Rows with only the times of at least ``focus_from`` steps (the focus threshold)."""
        if focus_from > self.limit:
            return {}
        keep = self.lanes.from_lane(focus_from)
        cut = {key: row & keep for key, row in rows.items()}
        return {key: row for key, row in cut.items() if row & self.reachable}

    def _best_end(self, rows: Rows, need: _Need) -> tuple[int, int, int, int] | None:
        """(state, steps, lane, relaxed total) of the best total among the states that obey
        the rules."""
        count = self.lanes.count
        fill_from = min(self.rules.fill_from, count)
        ranges = ((fill_from, count, self.rules.fill_bonus), (0, fill_from, 0))
        best: tuple[int, int, int, int, int] | None = None  # total, state, start, stop, lane
        for key in sorted(rows):
            if need.slots and not key & _EMPTY:
                continue
            if need.differ and not key & _DIFFERS:
                continue
            if need.nonempty and not key & _CHOSEN:
                continue
            earned = not need.counting or (
                (key & need.tracked).bit_count() + ((key >> _HITS_SHIFT) & ((1 << _HITS_BITS) - 1))
                >= self.rules.min_directions
            )
            bonus = self.rules.directions_bonus if earned else 0
            for start, stop, fill in ranges:
                if start >= stop:
                    continue
                lane = self.lanes.top(rows[key], start, stop)
                if lane < self.base:
                    continue  # no choice takes a time in this range
                total = lane - self.base + bonus + fill
                if best is None or total > best[0]:
                    best = (total, key, start, stop, lane)
        if best is None:
            return None
        total, key, start, stop, lane = best
        row = rows[key]
        t = next(t for t in range(start, stop) if self.lanes.get(row, t) == lane)
        return key, t, lane, total

    def _trace(self, steps: list[_Step], need: _Need, key: int, t: int, lane: int) -> Choice:
        """The choice behind a lane, read back step by step from the last."""
        choice: Choice = []
        for step in reversed(steps):
            if step.fold is not None:
                fold = step.fold
                key = next(
                    k
                    for k, row in step.before.items()
                    if fold(k) == key and self.lanes.get(row, t) == lane
                )
                continue
            assert step.group is not None
            key, t, lane, item = self._behind(step.group, step.before, need, key, t, lane)
            if item is not None:
                choice.append((step.group, item))
        choice.reverse()
        return choice

    def _behind(
        self, index: int, before: Rows, need: _Need, key: int, t: int, lane: int
    ) -> tuple[int, int, int, int | None]:
        """(state, steps, lane, item or None if left out) before group ``index`` was added that
        led to ``lane``."""
        group = self.groups[index]
        move = _Move(self, index, need)
        for before_key, row in before.items():
            if move.leave(before_key) == key and self.lanes.get(row, t) + group.spare == lane:
                return before_key, t, lane - group.spare, None
        for before_key, row in before.items():
            if move.take(before_key) != key:
                continue
            for item, (item_steps, value) in enumerate(group.items):
                if item_steps <= t and self.lanes.get(row, t - item_steps) + value == lane:
                    return before_key, t - item_steps, lane - value, item
        raise AssertionError("every reachable lane has a predecessor")


def _folder(slot_bits: int, family_bits: int) -> Callable[[int], int]:
    """A fold: a closing slot left empty sets ``_EMPTY``; closing slots and families leave the
    state."""

    def fold(key: int) -> int:
        if (key & slot_bits) != slot_bits:
            key |= _EMPTY
        return key & ~slot_bits & ~family_bits

    return fold
