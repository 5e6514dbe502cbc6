"""Reading what people type: one "did you mean" and one yes/no reading for every face.

A leaf module (standard library only): the domain, the settings, the CLI and the web all use it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "off", "n"})


def close_matches(value: str, choices: Iterable[str], *, cutoff: float = 0.6) -> list[str]:
    """Up to three of ``choices`` that look like ``value`` (case ignored), best first."""
    return difflib.get_close_matches(value.strip().lower(), list(choices), n=3, cutoff=cutoff)


def did_you_mean(suggestions: list[str]) -> str:
    """`` (did you mean a, b?)`` for a message, or "" when there is nothing to suggest."""
    return f" (did you mean {', '.join(suggestions)}?)" if suggestions else ""


def yes_no(value: str | None) -> bool | None:
    """A typed yes/no (``yes``, ``on``, ``1``, ``true``; ``no``, ``off``, ``0``, ``false``,
    blank), case and spaces ignored; None for anything else (the caller names the field)."""
    word = (value or "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def truthy(value: str | None) -> bool:
    """A form's or a query's checkbox: true for a yes word, false otherwise."""
    return yes_no(value) is True
