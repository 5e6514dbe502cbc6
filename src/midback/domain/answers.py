"""A person's answers to the safety screen, checked field by field from untrusted data."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from midback.domain.questions import RedFlag
from midback.domain.vocab import Condition
from midback.errors import AnswersError
from midback.words import close_matches, did_you_mean

AGE_MIN: Final = 1
AGE_MAX: Final = 120
PAIN_MIN: Final = 0
PAIN_MAX: Final = 10
DURATION_MAX_DAYS: Final = 120 * 366
"""A pain cannot have lasted longer than a lifetime."""
PREGNANCY_WEEKS_MIN: Final = 1
PREGNANCY_WEEKS_MAX: Final = 42

IMPROVING_DEFAULT: Final = False
"""Left out, ``improving`` is taken as False: the screen assumes the worse case."""


# The models are built on first use (defer_build): a plan without answers never screens.


class Answers(BaseModel):
    """A person's answers to the safety screen.

    Build from untrusted data with ``parse_answers``, which names the first bad field.
    ``improving`` defaults to False so a left-out answer never hides a warning sign.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    age: int = Field(ge=AGE_MIN, le=AGE_MAX)
    """Age in years, as given."""
    pain_now: int = Field(ge=PAIN_MIN, le=PAIN_MAX)
    """Pain right now, 0 (none) to 10 (worst imaginable)."""
    pain_duration_days: int = Field(ge=0, le=DURATION_MAX_DAYS)
    """How many days the pain has lasted."""
    improving: bool = IMPROVING_DEFAULT
    """Whether the pain is getting better."""
    assessed_by_clinician: bool = False
    """Whether a doctor or physiotherapist has already examined the back for this pain."""
    red_flags: list[RedFlag] = Field(default_factory=list)
    """The red flags the person answered yes to."""
    conditions: list[Condition] = Field(default_factory=list)
    """The health conditions the plan must adapt to."""
    pregnancy_weeks: int | None = Field(
        default=None, ge=PREGNANCY_WEEKS_MIN, le=PREGNANCY_WEEKS_MAX
    )
    """Weeks of pregnancy (only with ``pregnancy``); left out, 20 or more is assumed."""
    bp_controlled: bool | None = None
    """With ``high_blood_pressure``: whether it is under control (checked, treated, normal
    readings). False sends the person to a doctor; left out, the screen says to check it."""

    @model_validator(mode="after")
    def _fits_conditions(self) -> Answers:
        if self.pregnancy_weeks is not None and Condition.PREGNANCY not in self.conditions:
            raise ValueError("pregnancy_weeks is only asked with the pregnancy condition")
        if self.bp_controlled is not None and Condition.HIGH_BLOOD_PRESSURE not in self.conditions:
            raise ValueError("bp_controlled is only asked with the high_blood_pressure condition")
        return self

    @property
    def onset_age(self) -> int:
        """The age the pain began, in whole years: the age less the whole years of pain."""
        return self.age - self.pain_duration_days // 365


_FIELDS: Final = tuple(Answers.model_fields)


def parse_answers(data: object) -> Answers:
    """Check untrusted answers (decoded JSON) and build ``Answers``.

    Raises AnswersError for the first problem, naming the field (``red_flags[1]``) and the
    bad value, with close ids suggested. Unknown fields and ids are errors, never ignored.
    """
    if isinstance(data, Answers):  # already checked (the API's typed body)
        return Answers.model_validate(data.model_dump())
    if not isinstance(data, dict):
        raise AnswersError("answers", f"expected an object of answers, got {_show(data)}")
    for key in data:
        if key not in _FIELDS:
            raise AnswersError(str(key), f"unknown question{_hint(str(key), _FIELDS)}")
    conditions = _ids(data, "conditions", Condition, "condition")
    weeks = _optional_whole(data, "pregnancy_weeks", low=PREGNANCY_WEEKS_MIN,
                            high=PREGNANCY_WEEKS_MAX)  # fmt: skip
    if weeks is not None and Condition.PREGNANCY not in conditions:
        raise AnswersError("pregnancy_weeks", "given without the pregnancy condition")
    controlled = _yes_no(data, "bp_controlled", default=None)
    if controlled is not None and Condition.HIGH_BLOOD_PRESSURE not in conditions:
        raise AnswersError("bp_controlled", "given without the high_blood_pressure condition")
    return Answers(
        age=_whole(data, "age", low=AGE_MIN, high=AGE_MAX),
        pain_now=_whole(data, "pain_now", low=PAIN_MIN, high=PAIN_MAX),
        pain_duration_days=_whole(data, "pain_duration_days", low=0, high=DURATION_MAX_DAYS),
        improving=_yes_no(data, "improving", default=IMPROVING_DEFAULT) or False,
        assessed_by_clinician=_yes_no(data, "assessed_by_clinician", default=False) or False,
        red_flags=_ids(data, "red_flags", RedFlag, "red flag"),
        conditions=conditions,
        pregnancy_weeks=weeks,
        bp_controlled=controlled,
    )


def _optional_whole(data: Mapping[Any, Any], name: str, *, low: int, high: int) -> int | None:
    if data.get(name) is None:
        return None
    return _whole(data, name, low=low, high=high)


def _whole(data: Mapping[Any, Any], name: str, *, low: int, high: int | None = None) -> int:
    if name not in data:
        raise AnswersError(name, "missing")
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswersError(name, f"expected a whole number, got {_show(value)}")
    if value < low or (high is not None and value > high):
        span = f"{low}-{high}" if high is not None else f"{low} or more"
        raise AnswersError(name, f"{value} is out of range {span}")
    return value


def _yes_no(data: Mapping[Any, Any], name: str, *, default: bool | None) -> bool | None:
    value = data.get(name, default)
    if value is None and default is None:
        return None
    if not isinstance(value, bool):
        raise AnswersError(name, f"expected true or false, got {_show(value)}")
    return value


_E = TypeVar("_E", RedFlag, Condition)


def _ids(data: Mapping[Any, Any], name: str, kind: type[_E], what: str) -> list[_E]:
    values = data.get(name, [])
    if not isinstance(values, list):
        raise AnswersError(name, f"expected a list of {what} ids, got {_show(values)}")
    known = [member.value for member in kind]
    found: list[_E] = []
    for i, value in enumerate(values):
        where = f"{name}[{i}]"
        if not isinstance(value, str):
            raise AnswersError(where, f"expected a {what} id, got {_show(value)}")
        if value not in known:
            raise AnswersError(where, f"unknown {what} {value!r}{_hint(value, known)}")
        found.append(kind(value))
    return found


def _hint(value: str, known: Iterable[str]) -> str:
    choices = list(known)
    close = close_matches(value, choices)
    return did_you_mean(close) if close else f" (expected one of: {', '.join(choices)})"


def _show(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
