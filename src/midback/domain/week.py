"""The weekly plan: mobility every day, strength on non-consecutive days, walking and desk breaks.

Rules (defaults from exercise science, not the articles):
- a main session every day; on two or three non-consecutive days a week it focuses on
  strength (ACSM: resistance work 2-3 days a week with a day between), on the others on the
  person's focus (mobility by default);
- a brisk walk on five days a week, adding up to 150 minutes of moderate activity (ACSM /
  Garber 2011; brisk walking is about 4.3 METs, i.e. moderate);
- on work days (Monday to Friday) two short desk breaks, mid-morning and mid-afternoon,
  but only when the person asks for more than two items a day: by default a day holds at most
  two (the main session, then the walk), so a work day is not four appointments; desk breaks
  come from the Breaks page instead (``/breaks``), which reminds while the person works;
- each day's plans see the previous days' exercises as recent, so the week varies.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from midback.domain.catalogue import Catalogue
from midback.domain.planner import plan
from midback.domain.plans import Plan, PlanRequest
from midback.domain.vocab import Focus, Place

LocalTime = Annotated[
    datetime,
    WithJsonSchema(
        {
            "type": "string",
            "description": "Local date and time with no time zone (a calendar's floating time).",
            "examples": ["2026-11-23T18:00:00"],
        }
    ),
]
"""A session's time where the person is: wall-clock, not an instant (so no UTC offset)."""

WALK_TARGET_MIN = 150
"""Minutes of moderate activity a week (ACSM / Garber 2011)."""
WALK_DAYS = frozenset({0, 1, 2, 3, 4})
"""Weekdays (Monday = 0) with a walk: five bouts of 30 minutes."""
STRENGTH_DAYS = frozenset({0, 2, 4})
"""Monday, Wednesday, Friday: never two days in a row."""
DESK_BREAK_MINUTES = 5
WORK_DAYS = frozenset({0, 1, 2, 3, 4})
MAIN_AT = time(18, 0)
WALK_AT = time(12, 30)
DESK_BREAKS_AT = (time(10, 30), time(15, 30))
PER_DAY = 2
"""Items a day by default: the main session and the walk (a default, not from the articles)."""
WALK_MET = 4.3
"""Brisk walking's intensity in METs (moderate: 3-6); for the code's reader, not the person."""


class WeekRequest(BaseModel):
    """A week of sessions: how long, where, and from which day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: PlanRequest
    days: int = Field(default=7, ge=1, le=28)
    start: date
    per_day: int = Field(default=PER_DAY, ge=1, le=4)
    """At most this many items a day, kept in the order main session, walk, desk breaks."""


class Session(BaseModel):
    """One scheduled session of the week."""

    model_config = ConfigDict(frozen=True)

    day: date
    at: LocalTime
    kind: str
    """``main``, ``walk`` or ``desk-break``."""
    title: str
    minutes: int
    plan: Plan | None = None
    """The plan for main sessions and desk breaks; None for a walk."""
    start: list[tuple[str, str]] = Field(default_factory=list)
    """The player's query for this session (``/player?...``): the course's session, or the
    options that plan it; empty for a walk."""


class WeekPlan(BaseModel):
    """Sessions in date and time order, with the week's walking minutes against the target."""

    model_config = ConfigDict(frozen=True)

    start: date
    days: int
    sessions: list[Session]
    walk_minutes: int
    walk_target_minutes: int
    """150 minutes a week, in proportion to the days planned."""
    strength_days: list[date]
    notes: list[str]


def week(cat: Catalogue, request: WeekRequest, *, course: Plan | None = None) -> WeekPlan:
    """Plan ``request.days`` days from ``request.start``.

    With ``course`` (today's session of the course the person follows) every day's main
    session is that course session, so the week repeats the core that progresses; walks and
    desk breaks stay as they are.
    """
    base = request.base
    sessions: list[Session] = []
    recent: list[str] = []
    strength_days: list[date] = []
    walk_minutes = 0
    walk_bout = WALK_TARGET_MIN // len(WALK_DAYS)
    for offset in range(request.days):
        day = request.start + timedelta(days=offset)
        weekday = day.weekday()
        strength = weekday in STRENGTH_DAYS and not base.gentle and course is None
        focus = Focus.STRENGTH if strength else _daily_focus(base.focus)
        if strength:
            strength_days.append(day)
        request_today = base.model_copy(
            update={"focus": focus, "recent": frozenset(recent[-20:]), "seed": base.seed + offset}
        )
        main = course if course is not None else plan(cat, request_today)
        label = "strength and mobility" if strength else f"{focus.value}"
        minutes = -(-main.total_seconds // 60)
        start = (
            [("course", "1")]
            if course is not None
            else _query(request_today.model_copy(update={"recent": frozenset()}))
        )
        title = (
            f"midback: your course session ({minutes} minutes)"
            if course is not None
            else f"midback: {base.minutes}-minute {label} session ({base.place.value})"
        )
        sessions.append(
            Session(
                day=day,
                at=datetime.combine(day, MAIN_AT),
                kind="main",
                title=title,
                minutes=minutes,
                plan=main,
                start=start,
            )
        )
        recent += [b.exercise_id for b in main.blocks]
        room = request.per_day - 1
        if weekday in WALK_DAYS and room > 0:
            room -= 1
            walk_minutes += walk_bout
            sessions.append(
                Session(
                    day=day,
                    at=datetime.combine(day, WALK_AT),
                    kind="walk",
                    title=f"midback: brisk walk, {walk_bout} minutes",
                    minutes=walk_bout,
                )
            )
        if weekday in WORK_DAYS:
            for n, at in enumerate(DESK_BREAKS_AT[:room]):
                # The person's limits (conditions, pregnancy stage, gentle) carry over.
                desk = plan(
                    cat,
                    base.model_copy(
                        update={
                            "minutes": DESK_BREAK_MINUTES,
                            "place": Place.DESK,
                            "equipment": None,
                            "focus": Focus.RELIEF,
                            "seed": base.seed + offset * 10 + n,
                            "recent": frozenset(recent[-10:]),
                        }
                    ),
                )
                recent += [b.exercise_id for b in desk.blocks]
                sessions.append(
                    Session(
                        day=day,
                        at=datetime.combine(day, at),
                        kind="desk-break",
                        title=f"midback: {DESK_BREAK_MINUTES}-minute desk break",
                        minutes=DESK_BREAK_MINUTES,
                        plan=desk,
                        start=_query(
                            base.model_copy(
                                update={
                                    "minutes": DESK_BREAK_MINUTES,
                                    "place": Place.DESK,
                                    "equipment": None,
                                    "focus": Focus.RELIEF,
                                    "seed": base.seed + offset * 10 + n,
                                }
                            )
                        ),
                    )
                )
    sessions.sort(key=lambda s: s.at)
    target = round(WALK_TARGET_MIN * request.days / 7)
    span = "this week" if request.days == 7 else f"over these {request.days} days"
    notes = [
        f"Walking: {walk_minutes} of {target} minutes of moderate activity {span}"
        f" ({WALK_TARGET_MIN} a week: a brisk walk, quick enough to breathe faster but still"
        " talk, counts as moderate; default from"
        " ACSM / Garber 2011).",
    ]
    if strength_days:
        notes.append("Strength days are never back to back; the other days keep the spine moving.")
    if request.per_day < 1 + 1 + len(DESK_BREAKS_AT):
        notes.append(
            "At most two items a day. For short breaks while you work, open the Breaks page: "
            "it reminds you every so often and plays a 2-minute desk routine."
            if request.per_day == 2
            else "One item a day: the main session."
            if request.per_day == 1
            else f"At most {request.per_day} items a day."
        )
    if base.gentle:
        notes.append(
            "Your pain is irritable, so this week has no strength days: mobility, stretching, "
            "breathing and walking only, until the pain settles."
        )
    if course is not None:
        notes.append(
            "Each day's main session is your course's core: the same exercises, repeated so "
            "their doses can climb (`midback course` shows where you are)."
        )
    if request.days < 7:
        notes.append(f"This plan covers {request.days} days, not a whole week.")
    return WeekPlan(
        start=request.start,
        days=request.days,
        sessions=sessions,
        walk_minutes=walk_minutes,
        walk_target_minutes=target,
        strength_days=strength_days,
        notes=notes,
    )


def _query(request: PlanRequest) -> list[tuple[str, str]]:
    """The player's query that plans ``request`` (conditions come from the stored screen)."""
    pairs = [("minutes", str(request.minutes)), ("place", request.place.value),
             ("focus", request.focus.value), ("level", request.level.value),
             ("seed", str(request.seed))]  # fmt: skip
    pairs += [("equipment", e.value) for e in sorted(request.equipment or ())]
    pairs += [("conditions", c.value) for c in sorted(request.conditions)]
    if request.cleared:
        pairs.append(("cleared", "1"))
    return pairs


def _daily_focus(focus: Focus) -> Focus:
    return Focus.MOBILITY if focus is Focus.STRENGTH else focus
