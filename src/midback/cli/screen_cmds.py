"""``midback screen``: ask the safety questions (or read them from a file), show the verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, Group
from rich.panel import Panel
from rich.prompt import Confirm, IntPrompt, Prompt
from rich.table import Table
from rich.text import Text

from midback.cli import output
from midback.cli.answers import load_answers
from midback.cli.options import JsonFlag
from midback.domain.answers import (
    AGE_MAX,
    AGE_MIN,
    PAIN_MAX,
    PAIN_MIN,
    PREGNANCY_WEEKS_MAX,
    PREGNANCY_WEEKS_MIN,
    Answers,
    parse_answers,
)
from midback.domain.contraindications import CONDITION_LABELS
from midback.domain.questions import EMERGENCY_FLAGS, PREGNANCY_ONLY, RED_FLAG_QUESTIONS, RedFlag
from midback.domain.safety import HEADLINES, ScreenResult, Verdict
from midback.domain.vocab import Condition
from midback.words import close_matches, did_you_mean

_COLOURS: dict[Verdict, str] = {
    Verdict.EMERGENCY: "red",
    Verdict.URGENT: "red",
    Verdict.DOCTOR: "yellow",
    Verdict.CAUTION: "cyan",
    Verdict.OK: "green",
}


def ask_answers(console: Console) -> Answers:
    """Ask the screening questions on ``console``, re-asking until each answer is valid."""
    console.print(
        Text("A few questions first, to check that exercise is safe for you.", style="bold")
    )
    age = _ask_int(console, "How old are you?", low=AGE_MIN, high=AGE_MAX)
    pain_now = _ask_int(
        console,
        f"How bad is the pain right now, from {PAIN_MIN} (none) to {PAIN_MAX} (worst)?",
        low=PAIN_MIN,
        high=PAIN_MAX,
    )
    days = _ask_int(console, "How many days have you had this pain?", low=0)
    improving = Confirm.ask("Is it getting better?", console=console)
    assessed = Confirm.ask(
        "Has a doctor or physiotherapist already examined your back for this pain?",
        console=console,
    )
    others = [f for f in RedFlag if f not in EMERGENCY_FLAGS and f not in PREGNANCY_ONLY]
    red_flags = _ask_flags(console, "Any of these right now?", list(EMERGENCY_FLAGS))
    red_flags += _ask_flags(console, "Any of these?", others)
    conditions = _ask_conditions(console)
    extra: dict[str, object] = {}
    if Condition.PREGNANCY in conditions:
        extra["pregnancy_weeks"] = _ask_int(
            console, "How many weeks pregnant are you?", low=PREGNANCY_WEEKS_MIN,
            high=PREGNANCY_WEEKS_MAX,
        )  # fmt: skip
        red_flags += _ask_flags(console, "In this pregnancy, any of these?", list(PREGNANCY_ONLY))
    if Condition.HIGH_BLOOD_PRESSURE in conditions:
        extra["bp_controlled"] = Confirm.ask(
            "Is your blood pressure under control (checked recently, normal or treated)?",
            console=console,
        )
    return parse_answers(
        {
            "age": age,
            "pain_now": pain_now,
            "pain_duration_days": days,
            "improving": improving,
            "assessed_by_clinician": assessed,
            "red_flags": [flag.value for flag in red_flags],
            "conditions": [condition.value for condition in conditions],
            **extra,
        }
    )


def result_panel(result: ScreenResult) -> Panel:
    """The verdict in big words, then why and what to do."""
    headline, colour = HEADLINES[result.verdict], _COLOURS[result.verdict]
    return Panel(
        Group(
            Text(headline.upper(), style=f"bold {colour}", justify="center"),
            Text("\nWhy", style="bold"),
            _bullets([reason.message for reason in result.reasons]),
            Text("\nWhat to do", style="bold"),
            _bullets(result.advice),
        ),
        title=f"Safety screen: {result.verdict.value}",
        title_align="left",
        border_style=colour,
    )


def screen_command(
    answers_file: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            metavar="FILE",
            help="Read the answers from this JSON file instead of asking.",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Answer the safety questions and see whether to exercise, see a doctor or get help now.

    The result is stored: plan, week, start and the web app use it for 30 days. Exits 0
    whatever the verdict; the plan commands refuse to plan when it says to stop.
    """
    if answers_file is not None:
        answers = load_answers(answers_file)
    else:
        # With --json the questions go to stderr so stdout stays pure JSON.
        answers = ask_answers(Console(stderr=True) if as_json else output.console())
    from midback.cli.store import now, store
    from midback.services import LOCAL_PERSON
    from midback.services.screening import take_screen

    result = take_screen(store(), LOCAL_PERSON, answers, at=now())
    if as_json:
        output.emit_json(result.to_json())
    else:
        output.console().print(result_panel(result))


def register(app: typer.Typer) -> None:
    """Add the ``screen`` command to ``app``."""
    app.command("screen")(screen_command)


def _bullets(items: list[str]) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for item in items:
        grid.add_row("-", item)
    return grid


def _ask_int(console: Console, question: str, *, low: int, high: int | None = None) -> int:
    while True:
        value = IntPrompt.ask(question, console=console)
        if value >= low and (high is None or value <= high):
            return value
        span = f"from {low} to {high}" if high is not None else f"of {low} or more"
        console.print(Text(f"Please enter a number {span}", style="prompt.invalid"))


def _ask_flags(console: Console, question: str, flags: list[RedFlag]) -> list[RedFlag]:
    console.print(Text(f"\n{question}", style="bold"))
    for flag in flags:
        console.print(Text(f"  - {RED_FLAG_QUESTIONS[flag]}"))
    if not Confirm.ask("Is any of these true for you?", console=console):
        return []
    return [flag for flag in flags if Confirm.ask(RED_FLAG_QUESTIONS[flag], console=console)]


def _ask_conditions(console: Console) -> list[Condition]:
    choices = list(Condition)
    console.print(Text("\nDo any of these apply to you?", style="bold"))
    for number, condition in enumerate(choices, 1):
        console.print(Text(f"  {number}. {condition.value:<22} {CONDITION_LABELS[condition]}"))
    while True:
        text = Prompt.ask(
            "Numbers or ids, separated by commas (press Enter for none)",
            console=console,
            default="",
            show_default=False,
        )
        try:
            return _parse_conditions(text, choices)
        except ValueError as error:
            console.print(Text(str(error), style="prompt.invalid"))


def _parse_conditions(text: str, choices: list[Condition]) -> list[Condition]:
    found: list[Condition] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if item.isdigit() and 1 <= int(item) <= len(choices):
            found.append(choices[int(item) - 1])
        elif item in {c.value for c in choices}:
            found.append(Condition(item))
        else:
            hint = did_you_mean(close_matches(item, [c.value for c in choices]))
            raise ValueError(
                f"{item!r} is not one of the numbers 1-{len(choices)} or ids listed{hint}"
            )
    return list(dict.fromkeys(found))
