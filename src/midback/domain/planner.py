"""The planner: a few exercises that suit the person, properly dosed, for the minutes, place and
body they have; the plan a physiotherapist would hand out.

How a plan is chosen
--------------------
1. **Candidates.** Each exercise is offered in its first *form* (the exercise itself, or one of
   its variants) that the person's limits allow (``allowed_forms``: conditions, pregnancy stage,
   a gentle session) and that fits the place: at a desk or in a car only standing or
   chair-seated forms with no kit beyond a chair or a doorway; elsewhere the place's usual kit,
   or exactly the ``equipment`` named.
2. **Doses.** Each candidate is offered at the person's level (the low end, middle or high end
   of each range), or at the dose earned on its progression ladder (``request.doses``), and
   dosed up set by set to the top of the article's range: time is filled by dosing the chosen
   exercises up rather than by adding more. From 10 minutes up every dose is a proper one: at
   least 2 sets of strength work at intermediate and advanced level (ACSM: 2-3 sets), and a
   static stretch held at least 30 s a side in all (ACSM: holds of 10-30 s, about 60 s a
   stretch); where that takes more sets than the article gives, the added sets (and the rest
   between them) are marked as midback's own in ``Prescription.defaults``. Under 10 minutes a
   dose may have fewer sets than the level's, and above beginner level the beginner's dose is
   offered too, to fit the time. A walk is offered in 5-minute steps, for at most a third of
   the session unless the focus is cardio or the person asked for a walk
   (``PlanRequest.walk``). ``Prescription.seconds`` prices each dose with the timeline's
   arithmetic.
3. **Rules.** Every plan
   - holds at least one exercise and fits the budget (blocks and the get-ready countdown);
   - has at most ``max_exercises(minutes)``: max(4, minutes // 2), and never more than 10 up
     to 45 minutes (12 above);
   - serves its focus (``FOCUS_SHARE``): strength work takes at least 40% of a strength
     session; mobility and stretching 60% of a mobility session; mobility, stretching and
     breathing 70% of a relief session. The share is of the budget, so also of the plan. When
     the most focus work that fits (within the budget, the count and the family rule) is less
     than that share of the budget, it must all be there and the budget shrinks until it is
     the share (a note says so). A focus whose work the person's limits rule out (strength in
     a gentle session) has no share;
   - has at most 2 exercises in one phase whose movement is the same single direction (a
     *family*: e.g. cobra, prone chest lift and sphinx, the extension-only stretches);
   - gets down to the floor and up again at most once: at most 2 changes between upright
     (standing, chair, hanging) and floor positions. Phases come in a fixed order and the
     blocks of a phase can be ordered freely, so this holds exactly when at least one of the
     six *slots* (a phase, upright or floor) holds no block.
4. **Score.** Among the plans that keep the rules the plan maximises::

       score = [>= 3 directions]      * DIRECTIONS_RULE_POINTS   (when the budget is >= 5 min)
             + [fills >= 90 % budget] * FILL_RULE_POINTS
             + sum over blocks of (fit + dose points - EXERCISE_COST)

   a score per exercise, not per second. ``fit`` is FOCUS_KIND_POINTS when the exercise is the
   work the focus asks for (``asks_for``: strength work for strength, retraction or extension
   work for posture), FOCUS_DIRECTION_POINTS when it only moves in a direction the focus
   names, else OTHER_POINTS; plus LACKING_POINTS for each spine direction it moves in that
   none of the focus work here does (turning, in a strength session at home: the direction the
   session lacks); plus WARM_UP_POINTS for mobility work that warms up for other work (from 10
   minutes up); plus LADDER_POINTS when the person is climbing its ladder (an earned dose:
   repeating an exercise is how it progresses, so what was done recently is never pushed
   away). ``dose points`` reward a proper dose of the work the focus asks for:
   STRENGTH_SET_POINTS for a second and a third set of strength work, HOLD_POINTS for a static
   stretch held 30 and 60 s a side in all, SET_POINTS for each further set of other work and
   WALK_STEP_POINTS for each 5 minutes of a walk past the first; a beginner's dose offered
   above beginner level loses BELOW_LEVEL_POINTS. Every exercise costs EXERCISE_COST
   (attention, and getting into position), so an exercise joins a plan when it is the focus's
   work, moves the spine in a direction the session lacks, warms up, or is needed to fill the
   time. The two rule terms are large enough to act as hard constraints whenever the rules
   allow them.
5. **Another mix.** An even seed gives the best plan. An odd seed gives the best plan with
   another set of exercises, scored with 0 to SEED_POINTS more per exercise (a hash of
   ``seed // 2`` and the exercise's id: ``seed_points``), when its score is *near* the best:
   within NEAR_EQUAL (2%) of the best plan's points before costs and rules; else the best
   plan with another set of exercises by the score alone, when that one is near; else nothing
   else fits and an odd seed gives the best plan too. So a seed and the next one give
   different plans whenever another plan within 2% exists, and ``Plan.alternatives`` says
   whether one does ("Try a different mix"). The best plan, and whether another mix is near,
   do not depend on the seed (``mixes``, which a caller may keep for the next seed); a seeded
   mix scores at most the best other mix before its seed points, so it can only be near when
   that one is, and an odd seed searches once more only then. Whether another mix is near is
   most often shown by one change to the best plan (an exercise left out, added or swapped
   for another: ``near_by_one_change``); only when no such change is near does the planner
   search for the best other mix to decide.
6. **Search.** Exact: a knapsack on 5-second steps by dynamic programming over the rules'
   states (``midback.domain.knapsack`` explains how, and why that is exact); points are whole
   numbers. It returns the same score as trying every combination (a test checks this against
   exhaustive search).
7. **Order.** Warm-up first (mobility and walking), then the main work, then the cool-down:
   strength and breathing are the main work and stretches the cool-down (article "5 Easy
   Middle Back Pain Exercises": stretch after every workout), except in relief and mobility
   sessions, where the stretches are the main work and slow breathing cools down. Within a
   phase the upright and the floor blocks are grouped, and the groups ordered so the plan
   changes between upright and floor as few times as possible; a walk comes first; in a
   posture session retraction and extension work comes first; then from standing down to the
   floor.
8. **Why.** Each block says in plain words what it does, what it adds that no other block does,
   how it serves the focus, and why its dose and form (``midback.domain.why``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from midback.domain.assemble import GENTLE_NOTE, ONLY_MIX_NOTE, block_of, order_blocks
from midback.domain.candidates import FOCUS_SHARE, Option, candidates
from midback.domain.catalogue import Catalogue
from midback.domain.knapsack import Group, Rules, Start, best_choice_from
from midback.domain.plans import Block, Phase, Plan, PlanRequest, Swap
from midback.domain.prescription import (
    GET_READY_S,
    STEP_S,
)
from midback.domain.vocab import (
    Direction,
)
from midback.errors import NothingFits

DIRECTIONS_RULE_POINTS = 1_000_000


FILL_RULE_POINTS = 100_000


EXERCISE_COST = 20


SEED_POINTS = 3
"""An odd seed's points per exercise range over 0 .. SEED_POINTS."""


NEAR_EQUAL = Fraction(1, 50)
"""Another plan is near when its score is within this share of the best plan's points before
costs and rules (its fit and dose points)."""


MIN_DIRECTIONS = 3


DIRECTIONS_RULE_FROM_S = 5 * 60


FILL_RATIO = 0.9


FEWEST_EXERCISES_ALLOWED = 4


MAX_EXERCISES = 10


MAX_EXERCISES_LONG = 12


LONG_FROM_MINUTES = 46


PER_FAMILY = 2
"""Most exercises in one phase whose movement is the same single direction."""


MAX_CHANGES = 2
"""Most changes between upright and floor positions (down to the floor and up once)."""


@dataclass(frozen=True)
class Limits:
    """The rules' numbers for one request and its candidates."""

    budget_s: int
    """Most seconds of blocks: the budget less the get-ready countdown, or less when the focus
    work that fits cannot take its share of the whole budget."""
    full_budget_s: int
    """The request's whole budget (the fill rule measures against it)."""
    max_exercises: int
    focus_s: int
    """Fewest seconds of focus work (0: no share applies)."""
    share: Fraction | None
    """The focus's share, when it applies."""


def max_exercises(minutes: int) -> int:
    """max(4, minutes // 2), and never more than 10 up to 45 minutes (12 above)."""
    ceiling = MAX_EXERCISES_LONG if minutes >= LONG_FROM_MINUTES else MAX_EXERCISES
    return min(max(FEWEST_EXERCISES_ALLOWED, minutes // 2), ceiling)


@dataclass(frozen=True)
class Mixes:
    """What planning a request finds whatever its seed: the candidates and the rules' numbers,
    the best mix, and whether another mix is near it. Every seed of a request shares them; an
    odd seed adds one search of its own (``plan``)."""

    request: PlanRequest
    """The request they were found for (its seed is not read)."""
    groups: Sequence[Sequence[Option]]
    limits: Limits
    best: list[Option]
    near: bool
    """Whether another mix is near ``best`` (when not, no seeded mix can be: each scores at most
    the best other mix before its seed points)."""
    start: Start | None = None
    """Where the search for ``best`` ended: the searches for other mixes (the same rules) start
    there, so a request's plans are the same whether or not its mixes were kept."""
    searched: list[list[Option] | None] = field(default_factory=list, compare=False, repr=False)
    """The best other mix once searched for (``other``): at most one item."""

    def other(self) -> list[Option] | None:
        """The best other mix by the score alone when it is near ``best``, else None; searched
        for at the first ask (only an odd seed whose own mix is not near asks), then kept."""
        if not self.near:
            return None
        if not self.searched:
            self.searched.append(
                _other_mix(self.groups, self.request, self.limits, self.best, self.start)
            )
        return self.searched[0]


def mixes(cat: Catalogue, request: PlanRequest) -> Mixes:
    """The seed-free part of ``plan(cat, request)`` (the seed is not read); raises PlanError
    when nothing fits."""
    budget = request.budget_s - GET_READY_S
    groups = candidates(cat, request, budget)
    if not groups:
        any_length = candidates(cat, request, 24 * 3600)
        if any_length:
            shortest = min(o.seconds for g in any_length for o in g) + GET_READY_S
            raise NothingFits(
                f"{request.minutes} min is too short; the shortest exercise here takes {shortest} s"
            )
        raise NothingFits(
            f"no exercise fits {request.minutes} min at {request.place.value}"
            " with this kit and these conditions"
        )
    limits = limits_of(groups, request)
    best, end = search(groups, request, limits)
    if best is None:  # the focus share needs every slot: give up the share, not the plan
        limits = replace(limits, budget_s=budget, focus_s=0, share=None)
        best, end = search(groups, request, limits)
    assert best is not None, "any one candidate keeps every rule but the focus share"
    if near_by_one_change(groups, best, request, limits):
        return Mixes(request, groups, limits, best, True, end)
    # No one change is near: only the best other mix can tell (kept for the odd seeds).
    other = _other_mix(groups, request, limits, best, end)
    return Mixes(request, groups, limits, best, other is not None, end, [other])


def _other_mix(
    groups: Sequence[Sequence[Option]],
    request: PlanRequest,
    limits: Limits,
    best: list[Option],
    start: Start | None,
) -> list[Option] | None:
    """The best mix of other exercises than ``best`` when it is near, else None."""
    second, _ = search(
        groups, request, limits, avoid=frozenset(o.exercise.id for o in best), start=start
    )
    return second if second is not None and is_near(second, best, request) else None


def plan(cat: Catalogue, request: PlanRequest, found: Mixes | None = None) -> Plan:
    """The best plan for ``request`` (or, for an odd seed, the best other mix within 2%);
    raises PlanError when nothing fits. ``found``: ``mixes`` of this request with any seed,
    when already made (the plan is the same as without it)."""
    found = mixes(cat, request) if found is None else found
    chosen = found.best
    if found.near and request.seed % 2 == 1:
        chosen = seeded_mix(found, request)
    return _assemble(chosen, request, found.limits, alternatives=found.near)


def seeded_mix(found: Mixes, request: PlanRequest) -> list[Option]:
    """The odd seed's plan when another mix is near: the best other mix with the seed's points
    when it is near the best, else the best other mix by the score alone."""
    assert found.near, "only asked when another mix is near"
    avoid = frozenset(o.exercise.id for o in found.best)
    seed_key = request.seed // 2
    seeded, _ = search(
        found.groups, request, found.limits, seed_key=seed_key, avoid=avoid, start=found.start
    )
    if seeded is not None and is_near(seeded, found.best, request):
        return seeded
    other = found.other()
    assert other is not None, "another mix is near"
    return other


def is_near(other: Sequence[Option], best: Sequence[Option], request: PlanRequest) -> bool:
    """Whether ``other`` scores within NEAR_EQUAL of ``best``'s points before costs and rules."""
    gap = score_of(best, request) - score_of(other, request)
    return gap <= NEAR_EQUAL * gross_points(best)


def near_by_one_change(
    groups: Sequence[Sequence[Option]], best: list[Option], request: PlanRequest, limits: Limits
) -> bool:
    """Whether one change to ``best`` keeps the rules and is near it (``is_near``): one of its
    exercises left out, or one of the other groups' options added, or put in place of one of
    its exercises. Then another mix is near: the best other mix scores at least as high. False
    tells nothing (only the search for the best other mix can). Each change is scored from
    ``best``'s sums (as ``score_of`` scores it); the rules are checked (``breaks``) only for a
    change that is near, and none is tried once the options left are worth too little."""
    budget = request.budget_s
    top = score_of(best, request)
    lowest = math.ceil(top - NEAR_EQUAL * gross_points(best))
    blocks = sum(o.value - EXERCISE_COST for o in best)
    seconds = sum(o.seconds for o in best)
    # The most any change can have from the rules: those ``best`` keeps, and those it does not.
    gain = top - blocks + (0 if _fills(seconds, budget) else FILL_RULE_POINTS)
    if budget >= DIRECTIONS_RULE_FROM_S and _directions(best).bit_count() < MIN_DIRECTIONS:
        gain += DIRECTIONS_RULE_POINTS

    def near(options: list[Option], value: int, mask: int, taken: int) -> bool:
        score = value + _directions_rule(mask.bit_count(), budget)
        score += FILL_RULE_POINTS if _fills(taken, budget) else 0
        return score >= lowest and not breaks(options, limits)

    chosen = {o.exercise.id for o in best}
    others = sorted(
        (o for g in groups if g[0].exercise.id not in chosen for o in g), key=lambda o: -o.value
    )
    count = len(best)
    for i, left in enumerate(best):
        rest = [*best[:i], *best[i + 1 :]]
        value = blocks - left.value + EXERCISE_COST
        mask, taken = _directions(rest), seconds - left.seconds
        if count > 1 and near(rest, value, mask, taken):
            return True
        for put in others:  # in place of ``left``
            if value + put.value - EXERCISE_COST + gain < lowest:
                break  # the rest are worth less
            if taken + put.seconds <= limits.budget_s and near(
                [*best[:i], put, *best[i + 1 :]],
                value + put.value - EXERCISE_COST,
                mask | put.mask,
                taken + put.seconds,
            ):
                return True
    if count < limits.max_exercises:
        mask = _directions(best)
        for added in others:
            if blocks + added.value - EXERCISE_COST + gain < lowest:
                break
            if seconds + added.seconds <= limits.budget_s and near(
                [*best, added], blocks + added.value - EXERCISE_COST, mask | added.mask,
                seconds + added.seconds,
            ):  # fmt: skip
                return True
    return False


def gross_points(options: Sequence[Option]) -> int:
    """A plan's fit and dose points (its score before costs and rules)."""
    return sum(o.value for o in options)


def score_of(options: Sequence[Option], request: PlanRequest) -> int:
    """The documented score of a set of options (shared by the search and the tests)."""
    seconds = sum(o.seconds for o in options)
    fill = FILL_RULE_POINTS if _fills(seconds, request.budget_s) else 0
    blocks = sum(o.value - EXERCISE_COST for o in options)
    return blocks + _directions_rule(_directions(options).bit_count(), request.budget_s) + fill


def seed_points(seed_key: int, exercise_id: str) -> int:
    """An odd seed's extra points for an exercise: 0 .. SEED_POINTS from a hash."""
    digest = hashlib.shake_128(f"{seed_key}:{exercise_id}".encode()).digest(1)
    return digest[0] % (SEED_POINTS + 1)


def breaks(options: Sequence[Option], limits: Limits) -> list[str]:
    """The rules a set of options breaks (empty when it keeps them all)."""
    broken = []
    if not options:
        broken.append("no exercise")
    ids = [o.exercise.id for o in options]
    if len(set(ids)) != len(ids):
        broken.append("an exercise twice")
    if sum(o.seconds for o in options) > limits.budget_s:
        broken.append("over the budget")
    if len(options) > limits.max_exercises:
        broken.append("too many exercises")
    if sum(o.seconds for o in options if o.focus_work) < limits.focus_s:
        broken.append("too little focus work")
    families: dict[tuple[Phase, Direction], int] = {}
    for option in options:
        if option.family is not None:
            families[option.family] = families.get(option.family, 0) + 1
    if any(n > PER_FAMILY for n in families.values()):
        broken.append("three exercises of one direction in a phase")
    if {o.slot for o in options} >= set(range(6)):
        broken.append("down to the floor and up more than once")
    return broken


def limits_of(groups: Sequence[Sequence[Option]], request: PlanRequest) -> Limits:
    """The rules' numbers for ``request`` with these candidates."""
    budget = request.budget_s - GET_READY_S
    count = max_exercises(request.minutes)
    shared = FOCUS_SHARE.get(request.focus)
    base = Limits(budget, request.budget_s, count, 0, None)
    if shared is None:
        return base
    share = shared[1]
    steps = budget // STEP_S
    most = most_focus_steps(groups, steps, count)
    least = min(math.ceil(share * steps), most)
    if least <= 0:
        return base
    limit = min(steps, math.floor(least / share))
    return Limits(limit * STEP_S, request.budget_s, count, least * STEP_S, share)


def most_focus_steps(groups: Sequence[Sequence[Option]], limit: int, count: int) -> int:
    """The most steps of focus work any choice of focus options takes within ``limit`` steps,
    ``count`` exercises and the family rule (reachable times as bitsets)."""
    focus = [g for g in groups if g[0].focus_work]
    sizes: dict[tuple[Phase, Direction], int] = {}
    for group in focus:
        if group[0].family is not None:
            sizes[group[0].family] = sizes.get(group[0].family, 0) + 1
    # Only a family with more groups than the rule allows can break it: the others need no
    # count in the state (fewer states, the same reachable times).
    families = {f: i for i, f in enumerate(f for f, n in sizes.items() if n > PER_FAMILY)}
    # Likewise the exercise count, when there are no more focus groups than it allows.
    counted = len(focus) > count
    within = (1 << (limit + 1)) - 1
    reach: dict[tuple[int, tuple[int, ...]], int] = {(0, (0,) * len(families)): 1}
    for group in focus:
        index = families.get(group[0].family) if group[0].family is not None else None
        added = dict(reach)
        for (used, counts), times in reach.items():
            if used >= count:
                continue
            if index is not None:
                if counts[index] >= PER_FAMILY:
                    continue
                counts = (*counts[:index], counts[index] + 1, *counts[index + 1 :])
            moved = 0
            for option in group:
                moved |= times << (option.seconds // STEP_S)
            moved &= within
            if moved:
                key = (used + 1 if counted else 0, counts)
                added[key] = added.get(key, 0) | moved
        reach = added
    return max(times.bit_length() - 1 for times in reach.values())


def search(
    groups: Sequence[Sequence[Option]],
    request: PlanRequest,
    limits: Limits,
    *,
    seed_key: int | None = None,
    avoid: frozenset[str] | None = None,
    start: Start | None = None,
) -> tuple[list[Option] | None, Start | None]:
    """Exact: the options (at most one per group) that keep the rules with the best score, plus
    ``seed_points(seed_key, ...)`` per exercise when ``seed_key`` is given, among the choices
    whose exercises are not exactly ``avoid``; None when no choice keeps the rules. Also where
    the search's rounds ended; ``start``: where a search of the same candidates and limits
    ended (with any ``avoid`` or none), to begin there (the same best total from any start;
    among equal totals the choice kept can depend on it, and a request's starts are the same
    whatever its seed, so a request's plan does not depend on whether its mixes were kept)."""
    family_ids: dict[tuple[Phase, Direction], int] = {}
    problem = []
    for group in groups:
        first = group[0]
        extra = 0 if seed_key is None else seed_points(seed_key, first.exercise.id)
        family = None
        if first.family is not None:
            family = family_ids.setdefault(first.family, len(family_ids))
        problem.append(
            Group(
                items=tuple((o.seconds // STEP_S, o.value + extra) for o in group),
                mask=first.mask,
                spare=EXERCISE_COST,
                focus=first.focus_work,
                slot=first.slot,
                family=family,
            )
        )
    differ = None
    if avoid is not None:
        differ = frozenset(i for i, g in enumerate(groups) if g[0].exercise.id in avoid)
        if len(differ) != len(avoid):
            differ = None  # no choice here is exactly ``avoid``
    rules = Rules(
        limit=limits.budget_s // STEP_S,
        min_directions=MIN_DIRECTIONS,
        directions_bonus=(
            DIRECTIONS_RULE_POINTS if limits.full_budget_s >= DIRECTIONS_RULE_FROM_S else 0
        ),
        fill_from=_fill_steps(limits.full_budget_s),
        fill_bonus=FILL_RULE_POINTS,
        max_count=limits.max_exercises,
        focus_from=limits.focus_s // STEP_S,
        per_family=PER_FAMILY,
        slots=6,
        differ_from=differ,
        nonempty=True,
    )
    choice, end = best_choice_from(problem, rules, start)
    if choice is None:
        return None, None
    return [groups[g][i] for g, i in choice], end


def _directions(options: Sequence[Option]) -> int:
    mask = 0
    for option in options:
        mask |= option.mask
    return mask


def _directions_rule(count: int, full_budget_s: int) -> int:
    """The >= 3 directions rule's points, from 5 minutes up."""
    if full_budget_s >= DIRECTIONS_RULE_FROM_S and count >= MIN_DIRECTIONS:
        return DIRECTIONS_RULE_POINTS
    return 0


def _fills(seconds: int, full_budget_s: int) -> bool:
    """The fill rule: blocks and the get-ready countdown take >= 90 % of the budget."""
    return seconds + GET_READY_S >= FILL_RATIO * full_budget_s


def _fill_steps(full_budget_s: int) -> int:
    """The fewest STEP_S steps of blocks that meet the fill rule."""
    steps = max(0, math.ceil((FILL_RATIO * full_budget_s - GET_READY_S) / STEP_S))
    while steps > 0 and _fills((steps - 1) * STEP_S, full_budget_s):
        steps -= 1
    while not _fills(steps * STEP_S, full_budget_s):
        steps += 1
    return steps


def _assemble(
    chosen: list[Option], request: PlanRequest, limits: Limits, *, alternatives: bool
) -> Plan:
    blocks: list[Block] = []
    swaps: list[Swap] = []
    notes: list[str] = []
    ordered = order_blocks(chosen, request.focus)
    main = any(o.phase is Phase.MAIN for o in ordered)
    for option in ordered:
        others = _directions([o for o in ordered if o is not option])
        block, swap = block_of(option, request, others=others, main=main)
        blocks.append(block)
        if swap is not None:
            swaps.append(swap)
    directions = sorted(
        {d for b in blocks for d in b.directions}, key=lambda d: list(Direction).index(d)
    )
    total = GET_READY_S + sum(b.seconds for b in blocks)
    if request.budget_s >= DIRECTIONS_RULE_FROM_S and len(directions) < MIN_DIRECTIONS:
        notes.append(
            f"Only {len(directions)} movement directions fit here; a routine should move the"
            ' spine in at least 3 ("Powerful, simple exercises for mid-back muscles").'
        )
    if request.gentle:
        notes.append(GENTLE_NOTE)
    shortened = limits.budget_s < request.budget_s - GET_READY_S
    if shortened and limits.share is not None:
        focus = request.focus.value
        notes.append(
            f"Only {-(-limits.focus_s // 60)} min of {focus} work fits here, and it should take"
            f" at least {float(limits.share):.0%} of a {focus} session, so this session is"
            " shorter; walk or stretch for the rest."
        )
    elif total < FILL_RATIO * request.budget_s:
        notes.append(
            f"The exercises that fit here fill {total // 60} of {request.minutes} minutes;"
            " add kit or another place for a longer session."
        )
    if not alternatives:
        notes.append(ONLY_MIX_NOTE)
    notes.append("Stop any exercise that hurts; pain above 5/10 is the signal to stop.")
    return Plan(
        minutes=request.minutes,
        total_seconds=total,
        blocks=blocks,
        directions=directions,
        swaps=swaps,
        notes=notes,
        score=float(score_of(chosen, request)),
        alternatives=alternatives,
    )
