"""``midback plan`` and ``midback week``: a safe routine now, or a week of them.

No ``from __future__ import annotations`` here: Typer reads each command's parameters from its
annotations, and evaluating them from strings on every start cost about 1.5 ms.
"""

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from midback.cli import output
from midback.cli.app import EXIT_BLOCKED
from midback.cli.options import (
    AnswersOpt,
    ClearedOpt,
    ConditionOpt,
    EquipmentOpt,
    FocusOpt,
    JsonFlag,
    LevelOpt,
    Minutes,
    PlaceOpt,
    ProgramOpt,
    SeedOpt,
)
from midback.domain.vocab import Condition, Equipment, Focus, Level, Place
from midback.errors import PlanError

if TYPE_CHECKING:  # the rest loads when a command runs, to keep start-up fast
    from midback.domain.plans import Plan, PlanRequest
    from midback.errors import ScreenBlocked


E = TypeVar("E", bound=StrEnum)


def parse_list(values: list[str] | None, kind: type[E], option: str) -> frozenset[E] | None:
    """Comma-separated or repeated enum values; an unknown one is a PlanError naming it."""
    if not values:
        return None
    found: set[E] = set()
    known = [k.value for k in kind]
    for chunk in values:
        for raw in chunk.split(","):
            item = raw.strip()
            if not item:
                continue
            try:
                found.add(kind(item))
            except ValueError:
                raise PlanError(
                    f"{option}: unknown value {item!r}; choose from {', '.join(known)}"
                ) from None
    return frozenset(found)


def build_request(
    *,
    minutes: int | None,
    place: Place | None,
    equipment: list[str] | None,
    conditions: list[str] | None,
    focus: Focus,
    level: Level,
    seed: int,
    cleared: bool,
    program: str | None,
) -> "PlanRequest":
    """A PlanRequest from CLI options; --minutes and --place are needed unless --program."""
    from midback.domain.plans import PlanRequest

    if program is None and (minutes is None or place is None):
        missing = [n for n, v in (("--minutes", minutes), ("--place", place)) if v is None]
        raise PlanError(f"{' and '.join(missing)} needed (or --program ID)")
    return PlanRequest(
        minutes=minutes or 240,
        place=place or Place.HOME,
        equipment=parse_list(equipment, Equipment, "--equipment"),
        conditions=parse_list(conditions, Condition, "--condition") or frozenset(),
        focus=focus,
        level=level,
        seed=seed,
        cleared=cleared,
    )


def refuse(blocked: "ScreenBlocked", *, as_json: bool) -> typer.Exit:
    """Report a blocked screen (stderr, and JSON on stdout with --json); returns Exit(3)."""
    from midback.errors import ScreenRequired

    if isinstance(blocked, ScreenRequired):
        output.error(f"{blocked.reasons[0][1]} Run `midback screen`.")
    else:
        output.error(str(blocked))
    if as_json:
        reasons = [{"id": rid, "message": message} for rid, message in blocked.reasons]
        output.emit_json({"error": "screen", "verdict": blocked.verdict, "reasons": reasons})
    return typer.Exit(EXIT_BLOCKED)


def screened_plan(
    request: "PlanRequest", *, answers_file: Path | None, program: str | None, as_json: bool
) -> "Plan":
    """The plan for ``request`` after the screen; exits 3 when the screen blocks it."""
    from midback.cli.store import database_url, now
    from midback.domain.loader import catalogue
    from midback.services import LOCAL_PERSON, kept_facts

    cat = catalogue()
    if program is not None:
        cat.program(program)  # a typo is named (exit 2) before the screen is asked
    at = now()
    url = database_url()
    if answers_file is None:  # the stored screen: the facts kept at the last command may do
        state = kept_facts.store_state(url, LOCAL_PERSON)
        kept = kept_facts.kept_plan(url, cat, LOCAL_PERSON, request, program_id=program, now=at,
                                    state=state)  # fmt: skip
        if kept is not None:
            return kept
    from midback.cli.answers import gate
    from midback.cli.store import store
    from midback.errors import ScreenBlocked
    from midback.services.planning import make_plan_for

    # Through the store; the command group keeps the facts for the next plan once this ends
    # well (``midback.cli.store.keep_facts``), as after any command that opened the store.
    repo = store()
    try:
        answers = gate(repo, answers_file=answers_file, as_json=as_json)
        made = make_plan_for(repo, cat, LOCAL_PERSON, request, answers=answers,
                             program_id=program, now=at)  # fmt: skip
    except ScreenBlocked as blocked:
        raise refuse(blocked, as_json=as_json) from None
    return made


def plan_command(
    minutes: Minutes = None,
    place: PlaceOpt = None,
    equipment: EquipmentOpt = None,
    condition: ConditionOpt = None,
    focus: FocusOpt = Focus.RELIEF,
    level: LevelOpt = Level.BEGINNER,
    answers: AnswersOpt = None,
    cleared: ClearedOpt = False,
    seed: SeedOpt = 0,
    program: ProgramOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Plan a safe routine for the minutes, place and body you have."""
    request = build_request(
        minutes=minutes, place=place, equipment=equipment, conditions=condition, focus=focus,
        level=level, seed=seed, cleared=cleared, program=program,
    )  # fmt: skip
    result = screened_plan(request, answers_file=answers, program=program, as_json=as_json)
    if as_json:
        output.emit_json(result.to_json())
    else:
        from midback.cli import views

        output.console().print(views.plan_view(result))


def week_command(
    minutes: Minutes = None,
    place: PlaceOpt = None,
    equipment: EquipmentOpt = None,
    condition: ConditionOpt = None,
    focus: FocusOpt = Focus.MOBILITY,
    level: LevelOpt = Level.BEGINNER,
    answers: AnswersOpt = None,
    cleared: ClearedOpt = False,
    seed: SeedOpt = 0,
    days: Annotated[int, typer.Option(min=1, max=28, help="How many days to plan.")] = 7,
    start: Annotated[
        str | None, typer.Option(metavar="DATE", help="First day, YYYY-MM-DD (default today).")
    ] = None,
    ics: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Also write the week as an .ics calendar.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Plan a week: mobility daily, strength 2-3 days, walks toward 150 min, desk breaks."""
    request = build_request(
        minutes=minutes, place=place, equipment=equipment, conditions=condition, focus=focus,
        level=level, seed=seed, cleared=cleared, program=None,
    )  # fmt: skip
    from midback.cli.answers import gate
    from midback.cli.store import now, store
    from midback.domain.loader import catalogue
    from midback.errors import ScreenBlocked
    from midback.services import LOCAL_PERSON
    from midback.services.planning import make_week_for

    first = _parse_date(start) if start else None  # the person's today
    repo = store()
    try:
        loaded = gate(repo, answers_file=answers, as_json=as_json)
        result = make_week_for(repo, catalogue(), LOCAL_PERSON, request, days=days, start=first,
                               answers=loaded, now=now())  # fmt: skip
    except ScreenBlocked as blocked:
        raise refuse(blocked, as_json=as_json) from None
    if ics is not None:
        from midback.ics import week_calendar

        _write_atomically(ics, week_calendar(result))
    if as_json:
        output.emit_json(result.model_dump(mode="json"))
    else:
        from midback.cli import views

        output.console().print(views.week_view(result))
        if ics is not None:
            output.console().print(f"Calendar written to {ics}")


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PlanError(f"--start: {text!r} is not a date like 2026-11-23") from None


def _write_atomically(path: Path, data: bytes) -> None:
    if not path.parent.is_dir():
        raise PlanError(f"--ics: folder {path.parent} does not exist")
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)


def register(app: typer.Typer) -> None:
    """Add ``plan`` and ``week`` to ``app``."""
    app.command("plan")(plan_command)
    app.command("week")(week_command)
