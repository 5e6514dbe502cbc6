"""The week: mobility daily, strength on non-consecutive days, 150 walking minutes, desk breaks."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from icalendar import Calendar

from midback.domain.catalogue import Catalogue
from midback.domain.contraindications import Form, violations
from midback.domain.plans import PlanRequest
from midback.domain.vocab import Condition, Place
from midback.domain.week import (
    DESK_BREAK_MINUTES,
    WALK_TARGET_MIN,
    Session,
    WeekPlan,
    WeekRequest,
    week,
)
from midback.ics import REMINDER_BEFORE, week_calendar

MONDAY = date(2026, 11, 23)
KNEES_WRISTS_PREGNANCY = frozenset({Condition.KNEE_PAIN, Condition.WRIST_PAIN, Condition.PREGNANCY})


def week_request(
    *, start: date = MONDAY, days: int = 7, minutes: int = 10, per_day: int = 4, **base: object
) -> WeekRequest:
    """A week from ``start`` of ``minutes``-minute sessions at home, unless told otherwise
    (with room for every item a day: main session, walk and both desk breaks)."""
    request = PlanRequest.model_validate({"minutes": minutes, "place": Place.HOME, **base})
    return WeekRequest(base=request, days=days, start=start, per_day=per_day)


@pytest.fixture(scope="module")
def monday_week(cat: Catalogue) -> WeekPlan:
    """Seven days from a Monday, for a person with sore knees and wrists who is pregnant."""
    return week(cat, week_request(conditions=KNEES_WRISTS_PREGNANCY))


def sessions_on(plan: WeekPlan, day: date, kind: str) -> list[Session]:
    return [s for s in plan.sessions if s.day == day and s.kind == kind]


def test_strength_days_are_monday_wednesday_and_friday(monday_week: WeekPlan) -> None:
    assert [d.strftime("%a") for d in monday_week.strength_days] == ["Mon", "Wed", "Fri"]
    mains = [s for s in monday_week.sessions if s.kind == "main"]
    strength = [s.day for s in mains if "strength" in s.title]
    assert strength == monday_week.strength_days


@pytest.mark.parametrize("start", [MONDAY + timedelta(days=n) for n in range(7)])
def test_strength_days_are_never_consecutive_and_two_or_three_in_any_seven(
    cat: Catalogue, start: date
) -> None:
    days = week(cat, week_request(start=start, days=14, minutes=5)).strength_days
    assert all((b - a).days > 1 for a, b in itertools.pairwise(days))
    for first in range(14 - 6):
        window = start + timedelta(days=first)
        count = sum(window <= d < window + timedelta(days=7) for d in days)
        assert 2 <= count <= 3


def test_every_day_has_one_main_session(monday_week: WeekPlan) -> None:
    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        (main,) = sessions_on(monday_week, day, "main")
        assert main.plan is not None and main.plan.blocks


def test_walks_add_up_to_150_minutes(monday_week: WeekPlan) -> None:
    walks = [s for s in monday_week.sessions if s.kind == "walk"]
    assert sum(w.minutes for w in walks) == WALK_TARGET_MIN == 150
    assert monday_week.walk_minutes == 150
    assert all(w.plan is None for w in walks)


def test_work_days_have_two_five_minute_desk_breaks_and_weekends_none(
    monday_week: WeekPlan,
) -> None:
    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        breaks = sessions_on(monday_week, day, "desk-break")
        if day.weekday() < 5:
            assert len(breaks) == 2
            for desk in breaks:
                assert desk.minutes == DESK_BREAK_MINUTES == 5
                assert desk.plan is not None
                assert desk.plan.total_seconds <= 5 * 60
        else:
            assert breaks == []


def test_sessions_come_in_date_and_time_order(monday_week: WeekPlan) -> None:
    times = [s.at for s in monday_week.sessions]
    assert times == sorted(times)


def test_same_request_gives_the_same_week(cat: Catalogue, monday_week: WeekPlan) -> None:
    assert week(cat, week_request(conditions=KNEES_WRISTS_PREGNANCY)) == monday_week


def test_conditions_flow_into_every_plan_of_the_week(cat: Catalogue, monday_week: WeekPlan) -> None:
    planned = [s.plan for s in monday_week.sessions if s.plan is not None]
    assert len(planned) == 7 + 5 * 2
    for session_plan in planned:
        for block in session_plan.blocks:
            exercise = cat.exercise(block.exercise_id)
            form = Form(exercise, exercise.variant(block.variant) if block.variant else None)
            assert violations(form, KNEES_WRISTS_PREGNANCY) == [], block.name


def test_a_short_week_says_so(cat: Catalogue) -> None:
    short = week(cat, week_request(days=3, minutes=5))
    assert any("3 days" in note for note in short.notes)
    assert short.walk_minutes == 90


# --- the calendar --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def calendar(monday_week: WeekPlan) -> Calendar:
    return Calendar.from_ical(week_calendar(monday_week))


def test_calendar_has_one_event_per_session_each_with_a_reminder(
    calendar: Calendar, monday_week: WeekPlan
) -> None:
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(monday_week.sessions)
    for event in events:
        alarms = list(event.walk("VALARM"))
        assert len(alarms) == 1
        assert str(alarms[0]["action"]) == "DISPLAY"
        assert alarms[0].decoded("trigger") == -REMINDER_BEFORE


def test_calendar_events_match_the_sessions_titles_and_times(
    calendar: Calendar, monday_week: WeekPlan
) -> None:
    events = list(calendar.walk("VEVENT"))
    for event, session in zip(events, monday_week.sessions, strict=True):
        assert str(event["summary"]) == session.title
        assert event.decoded("dtstart") == session.at
        assert event.decoded("dtend") - session.at == timedelta(minutes=session.minutes)


def test_calendar_event_uids_are_unique(calendar: Calendar) -> None:
    uids = [str(e["uid"]) for e in calendar.walk("VEVENT")]
    assert len(set(uids)) == len(uids)


def test_calendar_describes_each_plan_and_each_walk(
    calendar: Calendar, monday_week: WeekPlan
) -> None:
    events = list(calendar.walk("VEVENT"))
    for event, session in zip(events, monday_week.sessions, strict=True):
        description = str(event["description"])
        if session.plan is None:
            assert "brisk walk" in description
        else:
            for block in session.plan.blocks:
                assert block.name in description


def test_the_week_speaks_plain_words_no_mets(cat: Catalogue) -> None:
    from midback.domain.plans import PlanRequest
    from midback.domain.vocab import Place
    from midback.domain.week import WeekRequest, week

    made = week(cat, WeekRequest(base=PlanRequest(minutes=15, place=Place.HOME), days=7,
                                 start=date(2026, 12, 7)))  # fmt: skip
    text = " ".join([*made.notes, *(s.title for s in made.sessions)])
    assert "MET" not in text
    assert "breathe faster but still talk" in text


def test_by_default_a_day_holds_at_most_two_items_the_main_session_and_the_walk(
    cat: Catalogue,
) -> None:
    request = PlanRequest(minutes=10, place=Place.HOME)
    made = week(cat, WeekRequest(base=request, days=7, start=MONDAY))
    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        kinds = [s.kind for s in made.sessions if s.day == day]
        assert len(kinds) <= 2
        assert sorted(kinds) == (["main", "walk"] if day.weekday() < 5 else ["main"])
    assert made.walk_minutes == WALK_TARGET_MIN
    assert any("Breaks page" in note for note in made.notes)


@pytest.mark.parametrize("per_day", [1, 2, 3, 4])
def test_no_day_holds_more_items_than_asked(cat: Catalogue, per_day: int) -> None:
    made = week(cat, week_request(per_day=per_day, minutes=5))
    counts = [sum(s.day == MONDAY + timedelta(days=n) for s in made.sessions) for n in range(7)]
    assert max(counts) == min(per_day, 4)
    assert all(s.kind == "main" for s in made.sessions) == (per_day == 1)
