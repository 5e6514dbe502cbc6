"""The ``midback`` console script.

``midback --help`` is written from ``midback.cli.commands`` without importing Typer (most of
the time ``midback`` takes to start: BENCHMARKS.md, ``cli-start``); anything else goes to the
Typer app in ``midback.cli.app``, which prints the same help for ``midback`` alone.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Console-script entry point."""
    if sys.argv[1:] == ["--help"]:
        from midback.cli.commands import help_width, root_help

        sys.stdout.write(root_help(os.path.basename(sys.argv[0]), help_width()) + "\n")
        return
    from midback.cli.app import main as run

    run()
