"""Reading forms by hand, so that a bad value re-renders its page with the message next to
its field (422) instead of answering with JSON.

Plan options are checked by the JSON API's own bodies (``PlanBody``, ``WeekBody``), so both
faces accept the same values; the screen's answers go to ``parse_answers`` as the CLI's do.
"""

from __future__ import annotations

import re
from typing import Any, Final, TypeVar

from pydantic import ValidationError
from starlette.datastructures import QueryParams

from midback.domain.vocab import Condition, Equipment, Focus, Kind, Level, Place
from midback.domain.week import WeekPlan
from midback.web.schemas import PlanBody, WeekBody
from midback.words import truthy

_B = TypeVar("_B", PlanBody, WeekBody)
_E = TypeVar("_E", Place, Equipment, Kind)
_SCREEN_NUMBERS: Final = ("age", "pain_now", "pain_duration_days")
_SCREEN_YES_NO: Final = ("improving", "assessed_by_clinician")


def plan_form(params: QueryParams, *, focus: Focus) -> dict[str, Any]:
    """The plan options as the form holds them (text, lists of text), for re-display."""
    form: dict[str, Any] = {
        name: params.get(name, "").strip()
        for name in ("minutes", "place", "focus", "level", "seed", "program", "go")
    }
    form["focus"] = form["focus"] or focus.value
    form["level"] = form["level"] or Level.BEGINNER.value
    form["equipment"] = params.getlist("equipment")
    form["conditions"] = params.getlist("conditions")
    form["cleared"] = truthy(params.get("cleared"))
    return form


_FIELD_OF: Final = {"program_id": "program"}
_FIELD_LABELS: Final = {
    "minutes": "Minutes", "place": "Place", "focus": "Focus", "level": "Level",
    "seed": "Mix", "program": "Program", "equipment": "Equipment",
    "conditions": "Conditions", "days": "Days", "start": "Start date",
}  # fmt: skip


def validated(model: type[_B], form: dict[str, Any]) -> tuple[_B | None, dict[str, str]]:
    """``form`` checked by the API's body ``model``; else the messages by form field."""
    data: dict[str, Any] = {
        "minutes": form["minutes"] or None,
        "place": form["place"] or None,
        "focus": form["focus"],
        "level": form["level"],
        "seed": form["seed"] or 0,
        "program_id": form["program"] or None,
        "equipment": form["equipment"] or None,
        "conditions": form["conditions"],
        "cleared": form["cleared"],
    }
    if model is WeekBody:
        data |= {"days": form["days"], "start": form["start"] or None}
        del data["program_id"]
    try:
        return model.model_validate(data), {}
    except ValidationError as error:
        errors: dict[str, str] = {}
        for problem in error.errors():
            field = _FIELD_OF.get(str(problem["loc"][0]), str(problem["loc"][0]))
            errors.setdefault(field, f"{_FIELD_LABELS.get(field, field)}: {problem['msg']}.")
        return None, errors


def needed(body: PlanBody) -> dict[str, str]:
    """The messages for the options a plan cannot do without (minutes, place), by field."""
    errors = {}
    if body.minutes is None:
        errors["minutes"] = "Minutes: how long do you have?"
    if body.place is None:
        errors["place"] = "Place: where are you?"
    return errors


def plan_query(body: PlanBody) -> list[tuple[str, str]]:
    """The query that asks ``/plan`` (and ``/player``) for the same plan again."""
    if body.program_id is not None:
        pairs = [("program", body.program_id)]
    else:
        pairs = [("minutes", str(body.minutes)), ("place", str(body.place)),
                 ("focus", body.focus.value)]  # fmt: skip
        pairs += [("equipment", e.value) for e in body.equipment or []]
    if body.level is not Level.BEGINNER:
        pairs.append(("level", body.level.value))
    pairs += [("conditions", c.value) for c in body.conditions]
    if body.seed:
        pairs.append(("seed", str(body.seed)))
    if body.cleared:
        pairs.append(("cleared", "1"))
    return pairs


def ics_query(body: WeekBody, plan: WeekPlan) -> list[tuple[str, str]]:
    """The query of ``/api/v1/week.ics`` for the week on the page (it takes no kit or seed)."""
    pairs = [("minutes", str(body.minutes)), ("place", str(body.place)),
             ("focus", body.focus.value), ("level", body.level.value),
             ("days", str(plan.days)), ("start", plan.start.isoformat())]  # fmt: skip
    pairs += [("conditions", c.value) for c in body.conditions]
    if body.cleared:
        pairs.append(("cleared", "true"))
    return pairs


def screen_answers(form: dict[str, Any]) -> dict[str, Any]:
    """The screen's answers (as ``parse_answers`` takes them) from the form's text.

    A blank answer is left out, so ``parse_answers`` reports it missing; text that is not a
    whole number or not yes/no is passed on for it to name. The questions that belong to a
    condition (weeks of pregnancy, blood pressure under control) count only with it ticked.
    """
    answers: dict[str, Any] = {}
    conditions = list(form["conditions"])
    numbers = list(_SCREEN_NUMBERS)
    yes_no = list(_SCREEN_YES_NO)
    if Condition.PREGNANCY.value in conditions:
        numbers.append("pregnancy_weeks")
    if Condition.HIGH_BLOOD_PRESSURE.value in conditions:
        yes_no.append("bp_controlled")
    for name in numbers:
        text = str(form.get(name, "")).strip()
        if text:
            answers[name] = int(text) if re.fullmatch(r"-?\d{1,6}", text) else text
    for name in yes_no:
        text = str(form.get(name, "")).strip().lower()
        if text:
            answers[name] = {"yes": True, "no": False}.get(text, text)
    answers["red_flags"] = list(form["red_flags"])
    answers["conditions"] = list(form["conditions"])
    return answers


SCREEN_QUESTIONS: Final = {
    "age": "How old are you?",
    "pain_now": "How bad is the pain right now?",
    "pain_duration_days": "How many days have you had this pain?",
    "improving": "Is it getting better?",
    "assessed_by_clinician": "Has a doctor or physiotherapist already examined your back?",
    "red_flags": "Warning signs",
    "conditions": "Health conditions",
    "pregnancy_weeks": "How many weeks pregnant are you?",
    "bp_controlled": "Is your blood pressure under control?",
}
"""The screen's questions as the form asks them, so a message can name its question."""


def friendly(field: str, message: str) -> str:
    """A screen error in words for the form: the question, then what is wrong with the answer
    (``How old are you? Not answered yet: enter your age in years.``)."""
    question = SCREEN_QUESTIONS.get(field, field.replace("_", " ").capitalize())
    if message == "missing":
        what = {
            "age": "Not answered yet: enter your age in years.",
            "pain_now": "Not answered yet: choose a number from 0 (no pain) to 10.",
            "pain_duration_days": "Not answered yet: enter the days (0 if it began today).",
            "pregnancy_weeks": "Not answered yet: enter the weeks, or untick pregnancy.",
        }.get(field, "Not answered yet: choose yes or no.")
    elif message.startswith("expected a whole number"):
        shown = message.removeprefix("expected a whole number, got ")
        what = f"{shown} is not a whole number: enter digits only, such as 42."
    elif message.startswith("expected true or false"):
        what = "Choose yes or no."
    elif " is out of range " in message:
        value, span = message.split(" is out of range ", 1)
        what = f"{value} is outside what this question accepts ({span})."
    else:
        what = message[0].upper() + message[1:] + "."
    return f"{question} {what}"


def choice(form: dict[str, str], name: str, kind: type[_E], errors: dict[str, str]) -> _E | None:
    """The ``kind`` named by ``form[name]`` (None when blank); a bad name goes to ``errors``."""
    text = form[name]
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        errors[name] = f"{name.capitalize()}: {text!r} is not one of {known}."
        return None
