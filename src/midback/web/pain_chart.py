"""The history page's drawings: the weekly pain chart (SVG bars) and the dose sparklines."""

from __future__ import annotations

import math
from dataclasses import dataclass

from midback.domain.history import History

CHART_WEEKS = 12
"""The pain chart shows at most this many of the latest weeks (the table lists them all)."""


def sparkline(values: list[int], *, width: int = 120, height: int = 28) -> str:
    """The ``points`` of an SVG polyline drawing ``values`` left to right in a ``width`` x
    ``height`` box (a flat line for a single value, empty for none)."""
    if not values:
        return ""
    top, low = max(values), min(values)
    span = (top - low) or 1
    step = width / max(1, len(values) - 1)
    points = []
    for i, value in enumerate(values):
        x = i * step if len(values) > 1 else width / 2
        y = height - 2 - (value - low) / span * (height - 4)
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)


@dataclass(frozen=True)
class Bar:
    """One week's bar: its box in chart units, its value and its x-axis label."""

    x: float
    y: float
    width: float
    height: float
    centre: float
    value: float | None
    label: str
    meaningful: bool
    """At or below the meaningful-improvement mark."""


@dataclass(frozen=True)
class PainChart:
    """An SVG bar chart of weekly average pain, in chart units (``viewBox``)."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    ticks: list[tuple[float, int]]
    """(y, pain) of each horizontal grid line."""
    bars: list[Bar]
    threshold: float | None
    threshold_y: float | None
    description: str


def pain_chart(result: History, *, weeks: int = CHART_WEEKS) -> PainChart | None:
    """The chart of the latest ``weeks`` weeks; None when no week has pain recorded."""
    shown = result.weeks[-weeks:]
    if not any(w.average_pain is not None for w in shown):
        return None
    width, height = 360, 236
    left, right, top, bottom = 30.0, width - 8.0, 30.0, height - 30.0

    def y(pain: float) -> float:
        return round(bottom - (bottom - top) * pain / 10, 1)

    threshold = result.improvement.threshold_pain if result.improvement else None
    slot = (right - left) / len(shown)
    bar_width = min(slot * 0.6, 36.0)
    every = math.ceil(len(shown) / 6)
    bars = []
    for i, w in enumerate(shown):
        centre = round(left + slot * (i + 0.5), 1)
        label = f"{w.start.day} {w.start:%b}" if (len(shown) - 1 - i) % every == 0 else ""
        value = w.average_pain
        top_y = y(value) if value is not None else bottom
        bars.append(
            Bar(x=round(centre - bar_width / 2, 1), y=top_y, width=round(bar_width, 1),
                height=round(bottom - top_y, 1), centre=centre, value=value, label=label,
                meaningful=threshold is not None and value is not None and value <= threshold)
        )  # fmt: skip
    recorded = [w for w in shown if w.average_pain is not None]
    description = (
        f"{len(shown)} weeks from {shown[0].start:%d %b %Y}; first week with pain "
        f"{recorded[0].average_pain:.1f}, latest {recorded[-1].average_pain:.1f}."
    )
    if threshold is not None:
        description += (
            f" A dashed line at {threshold:.1f} marks a meaningful improvement (2 points or 30%)."
        )
    return PainChart(
        width=width, height=height, left=left, right=right, top=top, bottom=bottom,
        ticks=[(y(p), p) for p in range(0, 11, 2)], bars=bars, threshold=threshold,
        threshold_y=y(threshold) if threshold is not None else None, description=description,
    )  # fmt: skip
