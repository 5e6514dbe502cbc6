"""The ``midback`` command: one Typer app whose commands load from their modules on demand.

Start-up time matters for a command people type often, so ``midback --help`` imports no
command module and ``midback plan`` imports only the planning commands: ``COMMANDS`` names each
command's module and one-line help, and the group loads a module when its command runs. A test
checks that every line here matches the command's own help.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from midback.errors import MidbackError, ScreenBlocked

EXIT_USAGE = 2
EXIT_BLOCKED = 3

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
        "session_cmds",
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


def exit_code(error: MidbackError) -> int:
    """The exit status for an error: 3 when the safety screen blocks, else 2 (bad input or data)."""
    if isinstance(error, ScreenBlocked):
        return EXIT_BLOCKED
    return EXIT_USAGE


def error_line(message: str) -> None:
    """One line on stderr, prefixed so it reads as midback's own message."""
    sys.stderr.write(f"midback: error: {message}\n")


def load_command(name: str) -> Any:
    """The click command ``name``, built from its module's ``register``."""
    module = importlib.import_module(f"midback.cli.{COMMANDS[name][0]}")
    holder = typer.Typer(add_completion=False, rich_markup_mode=None)
    module.register(holder)
    group = typer.main.get_command(holder)
    sub = getattr(group, "get_command", None)
    return sub(None, name) if sub is not None else group


class _Group(TyperGroup):
    """Loads commands on demand; turns midback's errors into one line and an exit code."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        return load_command(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, text) for name, (_, text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except MidbackError as error:
            error_line(str(error))
            raise typer.Exit(exit_code(error)) from None


app = typer.Typer(
    cls=_Group,
    name="midback",
    help=(
        "midback: a coach for mid-back (thoracic) pain. Not a medical device and not medical "
        "advice: stop any exercise that hurts, and see a doctor about red flags."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _root() -> None:
    """midback: a coach for mid-back (thoracic) pain."""


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except MidbackError as error:  # raised outside a command (e.g. while parsing)
        error_line(str(error))
        sys.exit(exit_code(error))
