"""What ``midback --help`` lists, and the top-level help itself, without loading Typer.

``midback --help`` is what a person types first and most often, so it is written from here by
the console script (``midback.cli.entry``) without importing the command-line toolkit, and the
Typer group (``midback.cli.app``) prints the same text for ``midback`` with no command: one
renderer for both, laid out as Click lays out a group's help (a test compares them at several
terminal widths). Standard library only.
"""

from __future__ import annotations

import shutil
import textwrap

ROOT_HELP = (
    "midback: a coach for mid-back (thoracic) pain. Not a medical device and not medical "
    "advice: stop any exercise that hurts, and see a doctor about red flags."
)
"""The program's own paragraph at the top of its help."""

USAGE_ARGS = "[OPTIONS] COMMAND [ARGS]..."
OPTIONS = (("--help", "Show this message and exit."),)

COMMANDS: dict[str, tuple[str, str]] = {
    "exercises": (
        "catalogue_cmds",
        "List the exercises, optionally filtered by place, equipment and kind.",
    ),
    "show": (
        "catalogue_cmds",
        "Show one exercise: steps, dose, cues, cautions, variants and sources.",
    ),
    "programs": ("catalogue_cmds", "List the programs taken from the source articles."),
    "program": ("catalogue_cmds", "Show one program with its exercises and doses."),
    "guide": (
        "catalogue_cmds",
        "Read the guide: causes, how to stretch, posture, when to see a doctor, and more.",
    ),
    "screen": (
        "screen_cmds",
        "Answer the safety questions and see whether to exercise, see a doctor or get help now.",
    ),
    "plan": ("plan_cmds", "Plan a safe routine for the minutes, place and body you have."),
    "week": (
        "plan_cmds",
        "Plan a week: mobility daily, strength 2-3 days, walks toward 150 min, desk breaks.",
    ),
    "start": (
        "start_cmds",
        "Start a guided session: screen if needed, plan, then count you through it.",
    ),
    "course": (
        "course_cmds",
        "Follow a course: a core of exercises repeated and progressed for weeks.",
    ),
    "checkin": ("session_cmds", "Record this morning's pain (and stiffness); progression uses it."),
    "history": (
        "session_cmds",
        "Weekly pain with a chart, change from the first week, sessions per week, streak.",
    ),
    "progress": ("session_cmds", "Each exercise's step on its ladder, and the reason for it."),
    "export": (
        "session_cmds",
        "Export everything you recorded (json: lossless; csv: one row per exercise logged).",
    ),
    "import": (
        "session_cmds",
        "Import a JSON export: all or nothing; a bad file names its first bad record.",
    ),
    "figure": (
        "figure_cmds",
        "Draw an exercise's figure as SVG: its key poses, props and the side it works.",
    ),
    "handout": (
        "figure_cmds",
        "Write a printable handout: a page per program, figures, dose, a two-week tick grid.",
    ),
    "serve": ("serve_cmds", "Run the web app (the whole coach in a browser) and print its URL."),
    "user": ("admin_cmds", "Accounts for server mode."),
    "db": ("admin_cmds", "The database."),
}
"""Command name -> (module under midback.cli, one-line help)."""

MAX_WIDTH = 80
"""The widest help, in columns, whatever the terminal (Click's default)."""


def help_width() -> int:
    """Columns the help is laid out in: the terminal's (or ``COLUMNS``), at most 80, less a
    margin of 2, and never under 50 (as Click's ``HelpFormatter`` chooses)."""
    return max(min(shutil.get_terminal_size().columns, MAX_WIDTH) - 2, 50)


def root_help(prog: str, width: int) -> str:
    """The top-level help for the program named ``prog``, laid out in ``width`` columns, without
    a final newline."""
    lines = [_usage(prog, width), ""]
    lines.append(_wrap(ROOT_HELP, width, "  ", "  "))
    for heading, rows in (
        ("Options", OPTIONS),
        ("Commands", tuple((name, text) for name, (_, text) in COMMANDS.items())),
    ):
        lines += ["", f"{heading}:"]
        lines += _definitions(rows, width, indent=2)
    return "\n".join(lines)


def _wrap(text: str, width: int, first: str, rest: str) -> str:
    return textwrap.fill(
        text, width, initial_indent=first, subsequent_indent=rest, replace_whitespace=False
    )


def _usage(prog: str, width: int) -> str:
    label = "Usage: "
    prefix = f"{label}{prog} "
    if width >= len(prefix) + 20:  # the arguments fit to the right of the prefix
        return _wrap(USAGE_ARGS, width, prefix, " " * len(prefix))
    indent = " " * (len(label) + 4)  # on a line of their own, under the label
    return prefix + "\n" + _wrap(USAGE_ARGS, width, indent, indent)


def _definitions(rows: tuple[tuple[str, str], ...], width: int, *, indent: int) -> list[str]:
    """Two columns: each name, then its text wrapped beside it (a name wider than 30 columns
    puts its text on the next line)."""
    first_col = min(max(len(name) for name, _ in rows), 30) + 2
    text_width = max(width - first_col - 2, 10)
    out: list[str] = []
    for name, text in rows:
        wrapped = textwrap.wrap(text, text_width, replace_whitespace=False) or [""]
        if len(name) <= first_col - 2:
            out.append(" " * indent + name + " " * (first_col - len(name)) + wrapped[0])
        else:
            out += [" " * indent + name, " " * (indent + first_col) + wrapped[0]]
        out += [" " * (indent + first_col) + line for line in wrapped[1:]]
    return out
