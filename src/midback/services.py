"""Use cases shared by the CLI and the web app: screen, plan, week.

Each takes its collaborators (the catalogue, later a repository and a clock) as arguments and
returns domain values; the faces only parse, call and render.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from midback.domain.catalogue import Catalogue
from midback.domain.planner import Plan, PlanRequest, plan, plan_program
from midback.domain.safety import Answers, ScreenResult, check_allowed, screen
from midback.domain.vocab import Condition
from midback.domain.week import WeekPlan, WeekRequest, week


@dataclass(frozen=True)
class Screened:
    """A screen result (None when the person gave no answers) and the conditions to plan for."""

    result: ScreenResult | None
    conditions: frozenset[Condition]


def screen_person(
    answers: Answers | None, *, extra_conditions: Iterable[Condition] = (), cleared: bool = False
) -> Screened:
    """Screen ``answers`` and refuse (ScreenBlocked) when self-guided exercise is not allowed.

    The conditions to plan for are the answers' conditions plus ``extra_conditions``.
    """
    conditions = set(extra_conditions)
    result = None
    if answers is not None:
        result = screen(answers)
        check_allowed(result, cleared=cleared)
        conditions |= set(result.conditions)
    return Screened(result=result, conditions=frozenset(conditions))


def make_plan(
    cat: Catalogue,
    request: PlanRequest,
    *,
    answers: Answers | None = None,
    program_id: str | None = None,
) -> Plan:
    """Screen, then plan: the best routine for ``request``, or ``program_id`` adapted to the person.

    Raises ScreenBlocked, UnknownIdError or PlanError.
    """
    screened = screen_person(answers, extra_conditions=request.conditions, cleared=request.cleared)
    request = request.model_copy(update={"conditions": screened.conditions})
    if program_id is not None:
        return plan_program(cat, cat.program(program_id), request)
    return plan(cat, request)


def make_week(cat: Catalogue, request: WeekRequest, *, answers: Answers | None = None) -> WeekPlan:
    """Screen, then plan a week (see ``domain.week``)."""
    base = request.base
    screened = screen_person(answers, extra_conditions=base.conditions, cleared=base.cleared)
    base = base.model_copy(update={"conditions": screened.conditions})
    return week(cat, request.model_copy(update={"base": base}))
