"""Pure view functions: catalogue values in, Rich renderables out."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from midback.domain.catalogue import Catalogue, Exercise, GuidePage, Program
from midback.domain.plans import Plan
from midback.domain.week import WeekPlan
from midback.domain.why import DOES


def exercises_table(exercises: list[Exercise]) -> Table:
    """One row per exercise: id, name, kind, places, equipment and default dose."""
    table = Table(title=f"{len(exercises)} exercises", title_justify="left", expand=False)
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("name")
    table.add_column("kind")
    table.add_column("places")
    table.add_column("equipment")
    table.add_column("dose")
    for e in exercises:
        table.add_row(
            e.id,
            e.name,
            e.kind.value,
            ", ".join(p.value for p in e.places),
            ", ".join(q.value for q in e.equipment),
            e.dose.describe(),
        )
    return table


def _bullets(items: list[str], *, numbered: bool = False) -> Text:
    text = Text()
    for i, item in enumerate(items, 1):
        mark = f"{i}. " if numbered else "- "
        text.append(mark + item + ("\n" if i < len(items) else ""))
    return text


def _section(title: str, body: RenderableType) -> Group:
    return Group(Text(title, style="bold underline"), body, Text(""))


def exercise_panel(exercise: Exercise, cat: Catalogue) -> Panel:
    """Everything about one exercise, in reading order: what, how much, how, cautions, sources."""
    e = exercise
    parts: list[RenderableType] = [Text(e.summary), Text("")]
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("kind", e.kind.value)
    facts.add_row("moves", ", ".join(d.value for d in e.directions))
    facts.add_row("positions", ", ".join(p.value for p in e.positions))
    facts.add_row("places", ", ".join(p.value for p in e.places))
    facts.add_row("equipment", ", ".join(q.value for q in e.equipment))
    dose_line = e.dose.describe()
    if e.dose.breath_pattern:
        dose_line += f" ({e.dose.breath_pattern})"
    facts.add_row("dose", dose_line)
    facts.add_row("dose from", cat.source_title(e.dose.source) + _note(e.dose.note))
    if e.aliases:
        facts.add_row("also called", ", ".join(e.aliases))
    parts += [facts, Text("")]
    parts.append(_section("Steps", _bullets(e.steps, numbered=True)))
    parts.append(_section("Cues", _bullets(e.cues)))
    if e.mistakes:
        parts.append(_section("Common mistakes", _bullets(e.mistakes)))
    if e.cautions:
        lines = [
            f"{c.condition.value.replace('_', ' ')}: {c.action.value}"
            + (f" (variant {c.variant})" if c.variant else "")
            + f" - {c.text}"
            for c in e.cautions
        ]
        parts.append(_section("Cautions", _bullets(lines)))
    if e.variants:
        lines = [
            f"{v.id}: {v.name} - {v.why} [{', '.join(p.value for p in v.positions)}]"
            for v in e.variants
        ]
        parts.append(_section("Variants", _bullets(lines)))
    if e.progressions or e.regressions:
        lines = []
        if e.progressions:
            lines.append("harder: " + ", ".join(e.progressions))
        if e.regressions:
            lines.append("easier: " + ", ".join(e.regressions))
        parts.append(_section("Next steps", _bullets(lines)))
    if e.muscles:
        parts.append(_section("Muscles", Text(", ".join(e.muscles))))
    parts.append(_section("Sources", _bullets([cat.source_title(s) for s in e.sources])))
    return Panel(Group(*parts), title=f"{e.name} ({e.id})", title_align="left")


def _note(note: str | None) -> str:
    return f" - {note}" if note else ""


def programs_table(programs: list[Program], cat: Catalogue) -> Table:
    """One row per program: id, name, exercises, source article."""
    table = Table(title=f"{len(programs)} programs", title_justify="left")
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("name")
    table.add_column("exercises")
    table.add_column("source")
    for p in programs:
        table.add_row(
            p.id,
            p.name,
            ", ".join(entry.exercise_id for entry in p.entries),
            cat.source_title(p.source),
        )
    return table


def program_panel(program: Program, cat: Catalogue) -> Panel:
    """A program's description and its entries with their doses."""
    table = Table(expand=False)
    table.add_column("#", justify="right")
    table.add_column("exercise", style="bold")
    table.add_column("dose")
    table.add_column("dose from")
    for i, entry in enumerate(program.entries, 1):
        exercise = cat.exercises[entry.exercise_id]
        dose = entry.dose or exercise.dose
        name = exercise.name + (f" ({entry.variant})" if entry.variant else "")
        table.add_row(str(i), name, dose.describe(), cat.source_title(dose.source))
    body = Group(
        Text(program.description),
        Text(""),
        table,
        Text(""),
        Text("Source: " + cat.source_title(program.source), style="italic"),
    )
    return Panel(body, title=f"{program.name} ({program.id})", title_align="left")


def guide_index(pages: list[GuidePage]) -> Table:
    """The guide's pages, by id and title."""
    table = Table(title="Guide", title_justify="left")
    table.add_column("topic", style="bold")
    table.add_column("title")
    for page in pages:
        table.add_row(page.id, page.title)
    return table


def guide_page(page: GuidePage, cat: Catalogue) -> Group:
    """A guide page rendered from Markdown, with the articles it draws on."""
    parts: list[RenderableType] = [Text(page.title, style="bold"), Text(""), Markdown(page.body)]
    if page.sources:
        parts += [
            Text(""),
            Text("Sources: " + "; ".join(cat.source_title(s) for s in page.sources)),
        ]
    return Group(*parts)


def plan_view(plan: Plan) -> Group:
    """A plan as a table of blocks, then what it covers, swaps and notes."""
    title = f"Plan: {len(plan.blocks)} exercises, {_clock(plan.total_seconds)}"
    if plan.program_id:
        title += f" (program {plan.program_id})"
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("phase")
    table.add_column("exercise", style="bold")
    table.add_column("dose")
    table.add_column("time", justify="right")
    table.add_column("why")
    for i, block in enumerate(plan.blocks, 1):
        table.add_row(
            str(i), block.phase.value, block.name, block.describe, _clock(block.seconds),
            block.why,
        )  # fmt: skip
    parts: list[RenderableType] = [table]
    parts.append(
        Text("Moves the spine: it " + "; it ".join(DOES[d] for d in plan.directions) + ".")
    )
    if not plan.alternatives and not plan.program_id:
        parts.append(Text("No other mix fits these options (another --seed gives the same plan)."))
    for swap in plan.swaps:
        parts.append(Text(f"Swapped: {swap.exercise_id} -> {swap.variant} ({swap.reason})"))
    for note in plan.notes:
        parts.append(Text("Note: " + note, style="italic"))
    return Group(*parts)


def week_view(week: WeekPlan) -> Group:
    """A week plan: one row per session, then the walking total and notes."""
    table = Table(title=f"Week from {week.start:%a %d %b %Y}", title_justify="left")
    table.add_column("day")
    table.add_column("time")
    table.add_column("session", style="bold")
    table.add_column("minutes", justify="right")
    table.add_column("exercises")
    for s in week.sessions:
        exercises = ", ".join(b.exercise_id for b in s.plan.blocks) if s.plan else "brisk walk"
        table.add_row(f"{s.day:%a %d}", f"{s.at:%H:%M}", s.title, str(s.minutes), exercises)
    parts: list[RenderableType] = [table]
    parts += [Text("Note: " + note, style="italic") for note in week.notes]
    return Group(*parts)


def _clock(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"
