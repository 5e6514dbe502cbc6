"""How ``midback course`` shows a course: pure functions that return Rich renderables."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from midback.domain.catalogue import Catalogue
from midback.domain.course import PHASE_LABELS
from midback.services.courses import CourseView, DosePoint


def course_panel(view: CourseView) -> Panel:
    """Where the course stands, today's session with each core exercise's dose and ladder step,
    the weekly review and the latest events."""
    course = view.course
    week = course.week_of(view.today)
    label = "Program course" if course.program_id else PHASE_LABELS[course.phase]
    parts: list[RenderableType] = [
        Text(f"{label}", style="bold"),
        Text(
            f"Week {min(week, course.weeks)} of {course.weeks}"
            + ("" if course.program_id else f"; this phase until {course.phase_ends_on:%a %d %b}")
        ),
    ]
    table = Table(title="Core exercises", title_justify="left")
    table.add_column("exercise", style="bold")
    table.add_column("today")
    table.add_column("ladder")
    doses = {b.exercise_id: b for b in view.session.blocks} if view.session else {}
    for item in course.core:
        block = doses.get(item.exercise_id)
        standing = view.steps.get(item.exercise_id)
        ladder = f"step {standing.step + 1} of {standing.steps}" if standing else "first step"
        table.add_row(
            block.name if block else item.exercise_id,
            block.describe if block else "left out today",
            ladder,
        )
    parts.append(table)
    if view.session is not None:
        minutes = -(-view.session.total_seconds // 60)
        parts.append(Text(f"Today's session: about {minutes} min. Start it with `midback start`."))
    if view.blocked:
        parts.append(Text(f"No session today: {view.blocked}", style="bold yellow"))
    if view.review is not None:
        for line in view.review.advice:
            parts.append(Text(f"Review: {line}", style="italic"))
    for event in course.events[-3:]:
        parts.append(Text(f"{event.on:%d %b}: {event.message}", style="dim"))
    return Panel(Group(*parts), title="Your course", title_align="left")


_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """``values`` as a row of block characters, the lowest ``▁`` and the highest ``█``."""
    if not values:
        return ""
    low, top = min(values), max(values)
    span = (top - low) or 1
    return "".join(_BARS[round((v - low) / span * (len(_BARS) - 1))] for v in values)


def dose_chart(doses: dict[str, list[DosePoint]], cat: Catalogue) -> Table:
    """Each core exercise of the course with its dose over time: a small chart and the first
    and latest dose in words."""
    table = Table(title="Your course's exercises over time", title_justify="left")
    table.add_column("exercise", style="bold")
    table.add_column("sessions")
    table.add_column("dose")
    for exercise_id, points in doses.items():
        name = cat.exercises[exercise_id].name if exercise_id in cat.exercises else exercise_id
        if not points:
            table.add_row(name, "", "not done yet")
            continue
        change = points[0].dose if len(points) == 1 else f"{points[0].dose} -> {points[-1].dose}"
        table.add_row(name, sparkline([p.work_s for p in points]), change)
    return table
