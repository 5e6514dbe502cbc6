"""The terminal player's screen: a large countdown, what to do now, what comes next, progress."""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from midback.domain.timeline import CueKind, Timeline

_FONT = {
    "0": ["███", "█ █", "█ █", "█ █", "███"],
    "1": [" █ ", "██ ", " █ ", " █ ", "███"],
    "2": ["███", "  █", "███", "█  ", "███"],
    "3": ["███", "  █", "███", "  █", "███"],
    "4": ["█ █", "█ █", "███", "  █", "  █"],
    "5": ["███", "█  ", "███", "  █", "███"],
    "6": ["███", "█  ", "███", "█ █", "███"],
    "7": ["███", "  █", "  █", "  █", "  █"],
    "8": ["███", "█ █", "███", "█ █", "███"],
    "9": ["███", "█ █", "███", "  █", "███"],
    ":": ["   ", " █ ", "   ", " █ ", "   "],
}
KEYS_HELP = "space pause/resume   n skip   b back   p it hurts   q quit"


def big_digits(text: str) -> Text:
    """``text`` (digits and colons) drawn five rows high."""
    rows = [" ".join(_FONT[ch][row] for ch in text if ch in _FONT) for row in range(5)]
    return Text("\n".join(rows), justify="center", style="bold")


def countdown_text(seconds: float) -> str:
    """Whole seconds left, rounded up: ``45`` or ``1:05``."""
    whole = max(0, int(-(-seconds // 1)))
    return f"{whole // 60}:{whole % 60:02d}" if whole >= 60 else str(whole)


def player_screen(
    timeline: Timeline,
    *,
    cue_index: int,
    remaining_s: float,
    offset_s: float,
    paused: bool,
    message: str | None = None,
) -> Panel:
    """The whole screen for the cue at ``cue_index`` with ``remaining_s`` left in it."""
    cue = timeline.cues[cue_index]
    upcoming = next(
        (c for c in timeline.cues[cue_index + 1 :] if c.kind is CueKind.INTRO),
        None,
    )
    block = timeline.blocks[cue.block] if cue.block is not None else None
    now = Text(cue.text, style="bold cyan" if cue.kind is not CueKind.REST else "bold green",
               justify="center")  # fmt: skip
    parts: list[Text | Table] = [big_digits(countdown_text(remaining_s)), now]
    if block is not None:
        parts.append(Text(f"{block.name}: {block.dose.describe()}", justify="center"))
    if cue.detail and cue.kind is not CueKind.INTRO:
        parts.append(Text(cue.detail, style="italic", justify="center"))
    elif cue.kind is CueKind.INTRO and block is not None and block.key_cue:
        parts.append(Text(block.key_cue, style="italic", justify="center"))
    if upcoming is not None:
        parts.append(Text(f"Next: {upcoming.text.removeprefix('Next: ')}", style="dim",
                          justify="center"))  # fmt: skip
    else:
        parts.append(Text("Last exercise", style="dim", justify="center"))
    elapsed = min(offset_s, timeline.total_s)
    bar = Table.grid(expand=True)
    bar.add_row(ProgressBar(total=timeline.total_s, completed=elapsed))
    parts.append(bar)
    done = f"{countdown_text(elapsed)} of {countdown_text(timeline.total_s)}"
    count = len(timeline.blocks)
    exercise_no = f"exercise {block.index + 1} of {count}" if block else "starting"
    parts.append(Text(f"{exercise_no} - {done}", justify="center", style="dim"))
    if paused:
        parts.append(Text("PAUSED - space to resume", style="bold yellow", justify="center"))
    if message:
        parts.append(Text(message, style="yellow", justify="center"))
    parts.append(Text(KEYS_HELP, style="dim", justify="center"))
    return Panel(Group(*parts), title="midback", border_style="cyan")
