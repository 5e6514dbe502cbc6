"""planner: time per plan over random profiles, and its score against exhaustive search.

Profiles are drawn from a fixed seed: minutes (mostly up to an hour, some up to four), place,
kit (the place's usual or a random set), up to three conditions, focus, level, recent exercises
and a seed ("Try a different mix"). Each is planned once on the shipped catalogue and timed; a
plan is two exact searches (the best plan, and the best other mix for the next seed).

Exhaustive search tries every choice of at most one option per exercise within the budget that
keeps the planner's rules (``breaks``) and keeps the best ``score_of`` (the planner's own
documented score, shared with the unit tests); it is compared with the plan of the profile's
even seed, the best plan. It is feasible when the number of such choices is small: that number
is counted exactly first (a counting knapsack, an upper bound on the choices that keep the
rules), and a profile is searched on the full catalogue when it is under the cap. Every profile
is also searched on a random 6-exercise cut of the catalogue (as the unit test does), so each
profile gets one exact comparison.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

from bench.result import Result, Row, at_least, at_most, ratio, stats
from midback.domain.candidates import Option, candidates
from midback.domain.catalogue import Catalogue
from midback.domain.loader import catalogue
from midback.domain.planner import Limits, breaks, limits_of, plan, score_of
from midback.domain.plans import PlanRequest
from midback.domain.prescription import GET_READY_S, STEP_S
from midback.domain.vocab import Condition, Equipment, Focus, Level, Place
from midback.errors import PlanError

P99_LIMIT_MS = 50.0
TOLERANCE = 1e-3
"""Scores are rounded to 4 places in a plan; closer than this counts as the same."""


def random_request(rng: random.Random, cat: Catalogue) -> PlanRequest:
    """One random profile."""
    minutes = rng.randint(1, 60) if rng.random() < 0.85 else rng.randint(61, 240)
    place = rng.choice(list(Place))
    equipment = None
    if rng.random() < 0.3:
        equipment = frozenset(rng.sample(list(Equipment), rng.randint(0, 4)))
    conditions = frozenset(rng.sample(list(Condition), rng.choice([0, 0, 0, 1, 1, 2, 3])))
    recent = frozenset(rng.sample(sorted(cat.exercises), rng.choice([0, 0, 3, 6, 10])))
    return PlanRequest(
        minutes=minutes,
        place=place,
        equipment=equipment,
        conditions=conditions,
        focus=rng.choice(list(Focus)),
        level=rng.choice(list(Level)),
        seed=rng.randrange(1000),
        recent=recent,
        cleared=rng.random() < 0.1,
    )


def count_choices(groups: Sequence[Sequence[Option]], budget: int) -> int:
    """How many choices of at most one option per group fit ``budget`` (exact, by counting)."""
    units = budget // STEP_S
    ways = [0] * (units + 1)
    ways[0] = 1
    for group in groups:
        new = list(ways)
        for option in group:
            k = option.seconds // STEP_S
            for t in range(k, units + 1):
                new[t] += ways[t - k]
        ways = new
    return sum(ways)


def exhaustive_best(
    groups: Sequence[Sequence[Option]], limits: Limits, request: PlanRequest
) -> float | None:
    """The best ``score_of`` over every choice of at most one option per group that keeps the
    rules (None when none does)."""
    best: float | None = None
    chosen: list[Option] = []

    def walk(i: int, used: int) -> None:
        nonlocal best
        if i == len(groups):
            if not breaks(chosen, limits):
                score = score_of(chosen, request)
                best = score if best is None else max(best, score)
            return
        walk(i + 1, used)
        if len(chosen) >= limits.max_exercises:
            return
        for option in groups[i]:
            if used + option.seconds <= limits.budget_s:
                chosen.append(option)
                walk(i + 1, used + option.seconds)
                chosen.pop()

    walk(0, 0)
    return best


def _planned_score(cat: Catalogue, request: PlanRequest) -> tuple[float | None, float]:
    """(score, milliseconds) of the planner's best plan (an even seed); None when nothing fits."""
    best_seed = request.model_copy(update={"seed": request.seed - request.seed % 2})
    start = time.perf_counter()
    try:
        score: float | None = plan(cat, best_seed).score
    except PlanError:
        score = None
    return score, (time.perf_counter() - start) * 1000


def _compare(cat: Catalogue, request: PlanRequest, cap: int) -> tuple[bool, float, float] | None:
    """(same score, planner ms, exhaustive ms) on ``cat``, or None when too many choices (or
    when the focus share cannot be kept and the planner gives it up, which this does not
    follow)."""
    budget = request.budget_s - GET_READY_S
    groups = candidates(cat, request, budget)
    if count_choices(groups, budget) > cap:
        return None
    score, planner_ms = _planned_score(cat, request)
    start = time.perf_counter()
    best = exhaustive_best(groups, limits_of(groups, request), request) if groups else None
    exhaustive_ms = (time.perf_counter() - start) * 1000
    if best is None and score is not None:
        return None
    same = score == best or (
        score is not None and best is not None and abs(score - best) <= TOLERANCE
    )
    return same, planner_ms, exhaustive_ms


def run(quick: bool) -> Result:
    """Median and p99 time per plan; the share of profiles where the score equals the best."""
    result = Result("planner", "Plans for random profiles: time per plan, and exactness")
    cat = catalogue()
    profiles = 100 if quick else 1000
    cap = 5_000 if quick else 60_000
    rng = random.Random(8)
    requests = [random_request(rng, cat) for _ in range(profiles)]
    plan(cat, requests[0])  # warm up
    times = []
    failed = 0
    for request in requests:
        start = time.perf_counter()
        try:
            plan(cat, request)
        except PlanError:
            failed += 1
        times.append((time.perf_counter() - start) * 1000)
    s = stats(times)

    full = [c for c in (_compare(cat, r, cap) for r in requests) if c is not None]
    cut_rng = random.Random(9)
    cut = []
    for request in requests:
        ids = cut_rng.sample(sorted(cat.exercises), 6)
        small = cat.model_copy(
            update={"exercises": {i: cat.exercises[i] for i in ids}, "programs": {}}
        )
        compared = _compare(small, request, cap * 10)
        if compared is not None:
            cut.append(compared)
    exhaustive = [c[2] for c in full]
    planned = [c[1] for c in full]
    base = stats(exhaustive).median if exhaustive else None
    mine = stats(planned).median if planned else None

    result.rows.append(
        Row(
            "time per plan",
            s.median,
            spread=s.iqr,
            samples=s.n,
            note=f"{failed} profiles had no possible plan (PlanError)",
        )
    )
    result.rows.append(
        Row(
            "time per plan",
            s.p99,
            stat="p99",
            spread=s.iqr,
            target=f"<= {P99_LIMIT_MS:g} ms",
            met=at_most(s.p99, P99_LIMIT_MS),
            samples=s.n,
            note=f"max {s.max:.1f} ms",
        )
    )
    result.rows.append(
        Row(
            "time per plan vs exhaustive search (full catalogue, feasible cases)",
            mine,
            baseline=base,
            ratio=ratio(mine, base),
            samples=len(full),
            note="same profiles; exhaustive search is the baseline",
        )
    )
    for label, pairs in (
        ("full catalogue, where feasible", full),
        ("6-exercise cut, every profile", cut),
    ):
        share = 100 * sum(c[0] for c in pairs) / len(pairs) if pairs else None
        result.rows.append(
            Row(
                f"same score as exhaustive search ({label})",
                share,
                unit="%",
                stat="share",
                target="100 %",
                met=at_least(share, 100.0),
                samples=len(pairs),
                note=f"{len(pairs)} of {profiles} profiles compared",
            )
        )
    result.notes.append(
        f"{profiles} profiles from random.Random(8); exhaustive search where at most {cap:,}"
        f" choices fit the budget on the full catalogue ({len(full)} profiles), and on a random"
        f" 6-exercise cut of the catalogue for every profile ({len(cut)} searched)."
    )
    return result
