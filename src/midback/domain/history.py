"""History and progress: weekly pain, the meaningful-improvement mark, adherence and streaks.

Daily pain is the morning check-in where there is one, else the pain before that day's first
session. Weeks run Monday to Sunday. A drop of at least 2 points or 30% from the first week's
average is marked as a meaningful improvement (Farrar et al. 2001, on the 0-10 scale; a
default from pain research, not from the articles).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from pydantic import BaseModel, ConfigDict

MEANINGFUL_POINTS = 2.0
MEANINGFUL_FRACTION = 0.30
DEFAULT_WEEKLY_TARGET = 5
"""Sessions a week the history measures adherence against when no plan says otherwise."""


@dataclass(frozen=True)
class PainReading:
    """A pain score on a day, from a check-in or from before a session."""

    day: date
    pain: int
    from_checkin: bool


@dataclass(frozen=True)
class SessionDay:
    """A session's day and whether it was completed."""

    day: date
    completed: bool


class Week(BaseModel):
    """One week of history."""

    model_config = ConfigDict(frozen=True, defer_build=True)  # built on first use

    start: date
    average_pain: float | None
    pain_days: int
    sessions: int
    completed: int
    target: int


class Improvement(BaseModel):
    """Change in weekly average pain from the first week to the latest."""

    model_config = ConfigDict(frozen=True, defer_build=True)  # built on first use

    baseline: float
    latest: float
    points: float
    """Drop in points (positive = less pain)."""
    fraction: float
    """Drop as a fraction of the baseline."""
    meaningful: bool
    threshold_pain: float
    """The weekly average that would count as a meaningful improvement."""


class History(BaseModel):
    """Weeks (oldest first), the improvement, and the streak of days with a session."""

    model_config = ConfigDict(frozen=True, defer_build=True)  # built on first use

    weeks: list[Week]
    improvement: Improvement | None
    streak_days: int
    total_sessions: int
    completed_sessions: int


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def daily_pain(readings: Iterable[PainReading]) -> dict[date, int]:
    """One pain score a day: the check-in wins over a session's pain-before."""
    by_day: dict[date, PainReading] = {}
    for reading in readings:
        held = by_day.get(reading.day)
        if held is None or (reading.from_checkin and not held.from_checkin):
            by_day[reading.day] = reading
    return {day: reading.pain for day, reading in by_day.items()}


def meaningful_threshold(baseline: float) -> float:
    """The weekly average at or below which the drop from ``baseline`` is meaningful."""
    return max(0.0, baseline - MEANINGFUL_POINTS, baseline * (1 - MEANINGFUL_FRACTION))


def history(
    readings: Iterable[PainReading],
    sessions: Iterable[SessionDay],
    *,
    today: date,
    weekly_target: int = DEFAULT_WEEKLY_TARGET,
) -> History:
    """Summarise pain readings and sessions up to ``today``."""
    pains = daily_pain(readings)
    session_list = list(sessions)
    days = list(pains) + [s.day for s in session_list]
    if not days:
        return History(weeks=[], improvement=None, streak_days=0, total_sessions=0,
                       completed_sessions=0)  # fmt: skip
    first = week_start(min(days))
    last = week_start(max(max(days), today))
    pain_by_week: dict[date, list[int]] = defaultdict(list)
    for day, pain in pains.items():
        pain_by_week[week_start(day)].append(pain)
    sessions_by_week: dict[date, list[SessionDay]] = defaultdict(list)
    for s in session_list:
        sessions_by_week[week_start(s.day)].append(s)
    weeks: list[Week] = []
    start = first
    while start <= last:
        pains_here = pain_by_week.get(start, [])
        sessions_here = sessions_by_week.get(start, [])
        weeks.append(
            Week(
                start=start,
                average_pain=round(sum(pains_here) / len(pains_here), 2) if pains_here else None,
                pain_days=len(pains_here),
                sessions=len(sessions_here),
                completed=sum(1 for s in sessions_here if s.completed),
                target=weekly_target,
            )
        )
        start += timedelta(days=7)
    return History(
        weeks=weeks,
        improvement=_improvement(weeks),
        streak_days=_streak({s.day for s in session_list if s.completed}, today),
        total_sessions=len(session_list),
        completed_sessions=sum(1 for s in session_list if s.completed),
    )


def _improvement(weeks: list[Week]) -> Improvement | None:
    averages = [w.average_pain for w in weeks if w.average_pain is not None]
    if len(averages) < 2:
        return None
    baseline, latest = averages[0], averages[-1]
    points = round(baseline - latest, 2)
    fraction = round(points / baseline, 3) if baseline > 0 else 0.0
    meaningful = points >= MEANINGFUL_POINTS or (baseline > 0 and fraction >= MEANINGFUL_FRACTION)
    return Improvement(
        baseline=baseline,
        latest=latest,
        points=points,
        fraction=fraction,
        meaningful=meaningful,
        threshold_pain=round(meaningful_threshold(baseline), 2),
    )


def _streak(days: set[date], today: date) -> int:
    """Consecutive days with a completed session, ending today (or yesterday)."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def local_day(moment: datetime, zone: tzinfo | None = None) -> date:
    """The calendar day of an aware datetime in ``zone`` (None: this machine's own zone)."""
    return moment.astimezone(zone).date()
