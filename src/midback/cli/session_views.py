"""Views of sessions, history and progress: pure functions returning Rich renderables."""

from __future__ import annotations

from datetime import tzinfo

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from midback.domain.catalogue import Catalogue
from midback.domain.history import History
from midback.domain.progression import Standing
from midback.domain.records import ExerciseLog, SessionRecord

BAR_WIDTH = 30
"""Characters for a pain of 10 in the weekly chart."""


def session_summary(record: SessionRecord, logs: list[ExerciseLog]) -> Group:
    """What a finished session did: each exercise's status, pain before and after."""
    table = Table(title=f"Session {record.id}: {record.status.value}", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("exercise", style="bold")
    table.add_column("target")
    table.add_column("done")
    table.add_column("status")
    for log in logs:
        table.add_row(
            str(log.position + 1),
            log.exercise_id + (f" ({log.variant})" if log.variant else ""),
            log.target.describe(),
            log.actual.describe() if log.actual else "-",
            log.status.value.replace("_", " "),
        )
    pain = f"Pain before {_score(record.pain_before)}, after {_score(record.pain_after)}"
    if record.effort is not None:
        pain += f"; effort {record.effort}/10"
    return Group(table, Text(pain))


def _score(value: int | None) -> str:
    return "-" if value is None else f"{value}/10"


def pain_bar(average: float | None, threshold: float | None) -> Text:
    """A bar for a weekly average pain, with ``|`` where the meaningful-improvement mark is."""
    if average is None:
        return Text("no pain recorded", style="dim")
    filled = round(average / 10 * BAR_WIDTH)
    cells = ["█" if i < filled else "·" for i in range(BAR_WIDTH)]
    if threshold is not None:
        mark = min(BAR_WIDTH - 1, round(threshold / 10 * BAR_WIDTH))
        cells[mark] = "|"
    style = "green" if threshold is not None and average <= threshold else "cyan"
    return Text("".join(cells), style=style)


def history_view(
    result: History, sessions: list[SessionRecord], *, zone: tzinfo | None = None
) -> Group:
    """Weekly pain chart with the meaningful-improvement mark, adherence and streak; the
    sessions' times in ``zone`` (the person's; None: this machine's)."""
    if not result.weeks:
        return Group(Text("Nothing recorded yet: `midback start` or `midback checkin`."))
    threshold = result.improvement.threshold_pain if result.improvement else None
    table = Table(title="Weekly average pain (0-10) and sessions", title_justify="left")
    table.add_column("week of")
    table.add_column("pain", justify="right")
    table.add_column("chart")
    table.add_column("sessions", justify="right")
    for week in result.weeks:
        average = "-" if week.average_pain is None else f"{week.average_pain:.1f}"
        table.add_row(
            f"{week.start:%d %b %Y}",
            average,
            pain_bar(week.average_pain, threshold),
            f"{week.completed}/{week.target}",
        )
    parts: list[RenderableType] = [table]
    if result.improvement is not None:
        imp = result.improvement
        change = f"{imp.baseline:.1f} -> {imp.latest:.1f} ({imp.points:+.1f} points less"
        change += f", {imp.fraction:.0%})"
        if imp.meaningful:
            verdict = Text("Meaningful improvement: " + change, style="bold green")
        else:
            verdict = Text(
                f"Change from the first week: {change}. A drop of 2 points or 30% (to"
                f" {imp.threshold_pain:.1f} or less, the | mark) counts as meaningful.",
            )
        parts.append(verdict)
    else:
        parts.append(Text("Two weeks with pain recorded show the change from the first week."))
    parts.append(
        Text(
            f"Sessions: {result.completed_sessions} completed of {result.total_sessions};"
            f" streak: {result.streak_days} day(s) in a row."
        )
    )
    if sessions:
        recent = Table(title="Recent sessions", title_justify="left")
        for column in ("id", "started", "program", "status", "pain before", "pain after"):
            recent.add_column(column)
        for s in sessions:
            recent.add_row(
                str(s.id),
                f"{s.started_at.astimezone(zone):%a %d %b %H:%M}",
                s.program_id or "-",
                s.status.value,
                _score(s.pain_before),
                _score(s.pain_after),
            )
        parts.append(recent)
    return Group(*parts)


def progress_view(standings: list[Standing], cat: Catalogue) -> RenderableType:
    """Each exercise's step on its ladder and the reason for it."""
    if not standings:
        return Text("No exercises done yet: `midback start` a session first.")
    table = Table(title="Progression", title_justify="left")
    table.add_column("exercise", style="bold")
    table.add_column("step", justify="right")
    table.add_column("dose")
    table.add_column("reason")
    for s in standings:
        exercise = cat.exercises.get(s.exercise_id)
        name = exercise.name if exercise else s.exercise_id
        dose = s.dose.describe() + (f" ({s.variant})" if s.variant else "")
        table.add_row(name, f"{s.step + 1}/{s.steps}", dose, s.reason)
    return table
