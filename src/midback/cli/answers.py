"""Safety-screen answers read from a JSON file, for ``screen``, ``plan``, ``week`` and ``start``.

Kept apart from ``screen_cmds`` (which asks the questions with Rich) so that ``midback plan
--json`` loads no Rich at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from midback.domain.answers import Answers, parse_answers
from midback.errors import AnswersError, ScreenRequired

if TYPE_CHECKING:
    from midback.services.store import Repository


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


def gate(
    repo: Repository,
    *,
    answers_file: Path | None,
    as_json: bool,
    store_given: bool = False,
    interactive: bool | None = None,
) -> Answers | None:
    """The answers a command screens with, or None to use the stored screen.

    With ``answers_file`` those answers (stored too when ``store_given``). Else the stored
    screen, when it is under 30 days old. Else, at a terminal, the questions are asked and the
    result stored and shown; without one (or with ``interactive`` False) ScreenRequired is
    raised for the command to refuse with exit 3.
    """
    import sys

    from midback.cli.store import now
    from midback.services import LOCAL_PERSON
    from midback.services.screening import current_screen, take_screen

    if answers_file is not None:
        answers = load_answers(answers_file)
        if store_given:
            take_screen(repo, LOCAL_PERSON, answers, at=now())
        return answers
    try:
        current_screen(repo, LOCAL_PERSON, now=now())
        return None
    except ScreenRequired as required:
        if not (sys.stdin.isatty() if interactive is None else interactive):
            raise
        from rich.console import Console

        from midback.cli import output
        from midback.cli.screen_cmds import ask_answers, result_panel

        console = Console(stderr=True) if as_json else output.console()
        console.print(required.reasons[0][1])
        answers = ask_answers(console)
        console.print(result_panel(take_screen(repo, LOCAL_PERSON, answers, at=now())))
        return answers
