"""The ``midback`` command: one Typer app whose commands load from their modules on demand.

Start-up time matters for a command people type often, so ``midback plan`` imports only the
planning commands: ``COMMANDS`` (in ``midback.cli.commands``) names each command's module and
one-line help, and the group loads a module when its command runs. ``midback --help`` does not
come here at all: the console script (``midback.cli.entry``) writes it without Typer, and the
group prints the same text. A test checks that every line of ``COMMANDS`` matches the command's
own help.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from midback.cli.commands import COMMANDS, ROOT_HELP, root_help
from midback.errors import MidbackError, ScreenBlocked

EXIT_USAGE = 2
EXIT_BLOCKED = 3


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

    def format_help(self, ctx: Any, formatter: Any) -> None:
        # the text the console script writes for `midback --help` without loading Typer
        formatter.write(root_help(ctx.command_path, formatter.width) + "\n")

    def invoke(self, ctx: Any) -> Any:
        try:
            result = super().invoke(ctx)
        except MidbackError as error:
            error_line(str(error))
            raise typer.Exit(exit_code(error)) from None
        from midback.cli.store import keep_facts

        keep_facts()  # only after a command that ended well (an exit or an error skips it)
        return result


app = typer.Typer(
    cls=_Group,
    name="midback",
    help=ROOT_HELP,
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
