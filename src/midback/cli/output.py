"""Where the CLI writes: Rich consoles for people, plain JSON for scripts."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def console() -> Console:
    """A console on the current stdout (looked up each call so test runners can capture it)."""
    from rich.console import Console

    return Console(file=sys.stdout, highlight=False, soft_wrap=False)


def error(message: str) -> None:
    """One line on stderr, prefixed so it reads as midback's own message."""
    sys.stderr.write(f"midback: error: {message}\n")


def emit_json(data: Any) -> None:
    """Write ``data`` as indented JSON to stdout."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
