"""A week plan as an iCalendar file: one event per session, each with a reminder."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Alarm, Calendar, Event

from midback.domain.week import Session, WeekPlan

REMINDER_BEFORE = timedelta(minutes=10)


def week_calendar(plan: WeekPlan, *, uid_domain: str = "midback.local") -> bytes:
    """The ``.ics`` bytes for ``plan`` (floating local times, a display alarm 10 min before)."""
    cal = Calendar()
    cal.add("prodid", "-//midback//week plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "midback")
    for n, session in enumerate(plan.sessions):
        event = Event()
        event.add("uid", f"{session.at:%Y%m%dT%H%M}-{session.kind}-{n}@{uid_domain}")
        event.add("dtstamp", session.at)
        event.add("dtstart", session.at)
        event.add("dtend", session.at + timedelta(minutes=max(session.minutes, 1)))
        event.add("summary", session.title)
        event.add("description", _description(session))
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", session.title)
        alarm.add("trigger", -REMINDER_BEFORE)
        event.add_component(alarm)
        cal.add_component(event)
    return bytes(cal.to_ical())


def _description(session: Session) -> str:
    if session.plan is None:
        return "A brisk walk: you can talk but not sing. Counts toward 150 minutes a week."
    lines = [f"- {b.name}: {b.dose.describe()}" for b in session.plan.blocks]
    lines.append("Stop any exercise that hurts. midback is not medical advice.")
    return "\n".join(lines)
