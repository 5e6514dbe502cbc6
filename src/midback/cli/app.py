"""The ``midback`` command: one Typer app, commands registered from their own modules."""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from midback.cli import output
from midback.errors import MidbackError, ScreenBlocked

EXIT_USAGE = 2
EXIT_BLOCKED = 3


def exit_code(error: MidbackError) -> int:
    """The exit status for an error: 3 when the safety screen blocks, else 2 (bad input or data)."""
    if isinstance(error, ScreenBlocked):
        return EXIT_BLOCKED
    return EXIT_USAGE


class _Group(TyperGroup):
    """Turns midback's own errors into one line on stderr and an exit code, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except MidbackError as error:
            output.error(str(error))
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


def _register() -> None:
    from midback.cli import (
        admin_cmds,
        catalogue_cmds,
        plan_cmds,
        screen_cmds,
        serve_cmds,
        session_cmds,
    )

    catalogue_cmds.register(app)
    screen_cmds.register(app)
    plan_cmds.register(app)
    session_cmds.register(app)
    serve_cmds.register(app)
    admin_cmds.register(app)


_register()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except MidbackError as error:  # raised outside a command (e.g. while parsing)
        output.error(str(error))
        sys.exit(exit_code(error))
