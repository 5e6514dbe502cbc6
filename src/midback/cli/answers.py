"""Safety-screen answers read from a JSON file, for ``screen``, ``plan``, ``week`` and ``start``.

Kept apart from ``screen_cmds`` (which asks the questions with Rich) so that ``midback plan
--json`` loads no Rich at all.
"""

from __future__ import annotations

import json
from pathlib import Path

from midback.domain.safety import Answers, parse_answers
from midback.errors import AnswersError


def load_answers(path: Path) -> Answers:
    """Read and check the answers in the JSON file ``path``.

    Raises AnswersError naming the file (and the field, for bad answers).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AnswersError(str(path), "no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise AnswersError(str(path), f"cannot read the file ({error})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise AnswersError(
            str(path), f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    try:
        return parse_answers(data)
    except AnswersError as error:
        raise AnswersError(f"{path}: {error.field}", error.message) from None
