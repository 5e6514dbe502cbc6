"""What a benchmark returns: rows of figures, each beside its baseline and target.

A ``Row`` is one figure: a statistic (``stat``: median, p99, max, ...) of one measured quantity,
its spread (the interquartile range of the same samples unless the note says otherwise), the
baseline measured in the same run, their ratio, and the target with whether it was met.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Row:
    """One figure of a benchmark."""

    metric: str
    """What was measured, e.g. ``midback --help``."""
    value: float | None
    """The figure, in ``unit``; the statistic is ``stat``."""
    unit: str = "ms"
    stat: str = "median"
    """Which statistic ``value`` is: median, p99, max, mean, rate, total, share..."""
    spread: tuple[float, float] | None = None
    """(p25, p75) of the same samples, in ``unit``; None when there is one sample."""
    baseline: float | None = None
    """The baseline's same statistic, in ``unit``, measured in the same run."""
    ratio: float | None = None
    """``value / baseline`` (or as the note says)."""
    target: str = ""
    """The target in words, e.g. ``<= 6x``; empty when the row has none."""
    met: bool | None = None
    """Whether the target was met; None when the row has no target."""
    note: str = ""
    samples: int | None = None
    """How many samples the statistic is taken over."""


@dataclass
class Result:
    """What one benchmark measured."""

    name: str
    title: str
    """One line: what the benchmark measures."""
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Sizes, tools and conditions of the run, one line each."""
    seconds: float = 0.0
    """How long the benchmark took."""
    started: str = ""
    """When it started (local time, to the minute)."""
    error: str | None = None
    """The exception that stopped the benchmark, if one did (its rows so far are kept)."""

    @property
    def met(self) -> bool | None:
        """False if any target was missed, True if all were met, None when there are none."""
        verdicts = [row.met for row in self.rows if row.met is not None]
        if not verdicts:
            return None
        return all(verdicts)


@dataclass(frozen=True)
class Stats:
    """The usual statistics of a list of samples."""

    n: int
    median: float
    p25: float
    p75: float
    p90: float
    p99: float
    min: float
    max: float
    mean: float

    @property
    def iqr(self) -> tuple[float, float]:
        """(p25, p75)."""
        return (self.p25, self.p75)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no samples")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def stats(values: Sequence[float]) -> Stats:
    """Median, quartiles, p90, p99, min, max and mean of ``values`` (at least one)."""
    return Stats(
        n=len(values),
        median=percentile(values, 50),
        p25=percentile(values, 25),
        p75=percentile(values, 75),
        p90=percentile(values, 90),
        p99=percentile(values, 99),
        min=min(values),
        max=max(values),
        mean=sum(values) / len(values),
    )


def ratio(value: float | None, baseline: float | None) -> float | None:
    """``value / baseline``, or None when either is missing or the baseline is zero."""
    if value is None or baseline is None or baseline == 0:
        return None
    return value / baseline


def at_most(value: float | None, limit: float) -> bool | None:
    """Whether ``value <= limit`` (None when there is no value)."""
    return None if value is None else value <= limit


def at_least(value: float | None, limit: float) -> bool | None:
    """Whether ``value >= limit`` (None when there is no value)."""
    return None if value is None else value >= limit
