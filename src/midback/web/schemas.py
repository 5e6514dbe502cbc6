"""Request bodies of the JSON API (not tables, not domain values)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool
from pydantic.config import JsonDict

from midback.domain.answers import (
    AGE_MAX,
    AGE_MIN,
    DURATION_MAX_DAYS,
    IMPROVING_DEFAULT,
    PAIN_MAX,
    PAIN_MIN,
    PREGNANCY_WEEKS_MAX,
    PREGNANCY_WEEKS_MIN,
    Answers,
)
from midback.domain.dose import DEFAULT_SOURCE
from midback.domain.plans import PlanRequest
from midback.domain.prescription import Prescription
from midback.domain.records import LogStatus, Score
from midback.domain.vocab import Condition, Equipment, Focus, Level, Place

EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2199, 12, 31)
Day = Annotated[
    date,
    Field(
        ge=EARLIEST_DAY,
        le=LATEST_DAY,
        # JSON Schema has no bounds for dates: the year's pattern says 1970-2199.
        json_schema_extra={"pattern": r"^(19[7-9][0-9]|2[01][0-9][0-9])-"},
    ),
]
"""A calendar day midback can count weeks from and to (year 9999 overflows the arithmetic)."""


AmountField = Literal["sets", "reps", "hold_s", "breaths", "per_side", "rest_s", "tempo_s"]
"""``prescription.AMOUNT_FIELDS`` as a type, so the API's schema lists them."""


class ReportedDose(Prescription):
    """A dose a person reports having done, within human ranges (stored as given)."""

    sets: int = Field(default=1, ge=1, le=20)
    reps: int | None = Field(default=None, ge=1, le=500)
    hold_s: int | None = Field(default=None, ge=1, le=3600)
    breaths: int | None = Field(default=None, ge=1, le=200)
    rest_s: int = Field(default=0, ge=0, le=3600)
    tempo_s: int = Field(default=3, ge=1, le=60)
    source: str = Field(default=DEFAULT_SOURCE, max_length=200)
    defaults: tuple[AmountField, ...] = Field(
        default=(), max_length=7, json_schema_extra={"uniqueItems": True}
    )


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _a_number(value: object) -> object:
    if isinstance(value, bool | str):
        raise ValueError("expected a whole number")
    return value


Whole = Annotated[int, BeforeValidator(_a_number)]
"""A whole number as JSON has it (6 or 6.0; not 6.5, "6" or true)."""


def _given_only_with(field: str, condition: str) -> JsonDict:
    """JSON Schema: when ``field`` is given (not null), ``conditions`` holds ``condition``."""
    return {
        "if": {"required": [field], "properties": {field: {"not": {"type": "null"}}}},
        "then": {
            "required": ["conditions"],
            "properties": {"conditions": {"contains": {"const": condition}}},
        },
    }


class ScreenAnswers(Answers):
    """The safety screen's answers as the API takes them: exactly the published schema (strict
    types: ``true``, not ``"yes"``; a whole number, not ``"6"``)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "allOf": [
                _given_only_with("pregnancy_weeks", "pregnancy"),
                _given_only_with("bp_controlled", "high_blood_pressure"),
            ]
        },
    )

    age: Whole = Field(ge=AGE_MIN, le=AGE_MAX)
    pain_now: Whole = Field(ge=PAIN_MIN, le=PAIN_MAX)
    pain_duration_days: Whole = Field(ge=0, le=DURATION_MAX_DAYS)
    improving: StrictBool = IMPROVING_DEFAULT
    assessed_by_clinician: StrictBool = False
    pregnancy_weeks: (
        Annotated[
            int,
            Field(ge=PREGNANCY_WEEKS_MIN, le=PREGNANCY_WEEKS_MAX),
            BeforeValidator(_a_number),
        ]
        | None
    ) = None
    bp_controlled: StrictBool | None = None

    def answers(self) -> Answers:
        """As the domain's ``Answers``."""
        return Answers.model_validate(self.model_dump())


_PLANNED: JsonDict = {
    "required": ["minutes", "place"],
    "properties": {"minutes": {"type": "integer"}, "place": {"type": "string"}},
}
_A_PROGRAM: JsonDict = {
    "required": ["program_id"],
    "properties": {"program_id": {"type": "string"}},
}


class PlanBody(_Body):
    """What to plan: the CLI's plan options as JSON: minutes and place, or a program."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": [_PLANNED, _A_PROGRAM]})

    minutes: int | None = Field(default=None, ge=1, le=240)
    place: Place | None = None
    equipment: list[Equipment] | None = None
    conditions: list[Condition] = Field(default_factory=list)
    focus: Focus = Focus.RELIEF
    level: Level = Level.BEGINNER
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    program_id: str | None = Field(default=None, max_length=60)
    answers: ScreenAnswers | None = None
    """Safety-screen answers; when absent the person's last screen applies."""
    cleared: bool = False

    def request(self) -> PlanRequest:
        """The planner's request (minutes and place default when a program is planned)."""
        return PlanRequest(
            minutes=self.minutes or 240,
            place=self.place or Place.HOME,
            equipment=frozenset(self.equipment) if self.equipment is not None else None,
            conditions=frozenset(self.conditions),
            focus=self.focus,
            level=self.level,
            seed=self.seed,
            cleared=self.cleared,
        )


class CourseBody(_Body):
    """Start a course: its time, place and kit (or a program) and how many weeks. The person's
    stored safety screen governs it (403 without one)."""

    minutes: int = Field(default=15, ge=1, le=240)
    place: Place = Place.HOME
    equipment: list[Equipment] | None = None
    conditions: list[Condition] = Field(default_factory=list)
    level: Level = Level.BEGINNER
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    program_id: str | None = Field(default=None, max_length=60)
    cleared: bool = False
    weeks: int = Field(default=6, ge=1, le=52)

    def request(self) -> PlanRequest:
        """The planner's request the course keeps (its focus comes from each phase)."""
        return PlanRequest(
            minutes=self.minutes,
            place=self.place,
            equipment=frozenset(self.equipment) if self.equipment is not None else None,
            conditions=frozenset(self.conditions),
            level=self.level,
            seed=self.seed,
            cleared=self.cleared,
        )


class SwapBody(_Body):
    """Swap one exercise of the course's core."""

    exercise_id: str = Field(min_length=1, max_length=60)


class WeekBody(PlanBody):
    """A week plan: the plan options (minutes and place needed) plus how many days and from
    when."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": [_PLANNED]})

    days: int = Field(default=7, ge=1, le=28)
    start: Day | None = None


class StartBody(PlanBody):
    """Start a session: plan it on the server (minutes and place, a program, or today's session
    of the person's course), then record it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                _PLANNED,
                _A_PROGRAM,
                {"required": ["course"], "properties": {"course": {"const": True}}},
                {"required": ["programme_id"], "properties": {"programme_id": {"type": "integer"}}},
            ]
        },
    )

    pain_before: Score | None = None
    course: bool = False
    """Play today's session of the person's course (the plan options are then not needed)."""
    idempotency_key: str | None = Field(
        default=None, min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$"
    )
    """A retry of the same start (the answer was lost) returns the session it made."""
    programme_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    """Play the person's active programme (the one their clinician built), with its notes."""
    plan_token: str | None = Field(
        default=None, min_length=10, max_length=20_000, pattern=r"^[A-Za-z0-9_.\-]+$"
    )
    """The plan a page showed (its seal, from the page's Start link): that plan is played as
    shown, after today's screen and pain; a pain of 6 or 7 plays a gentle plan instead."""


class LogBody(_Body):
    """One finished exercise of a session."""

    position: int = Field(ge=0, le=500)
    status: LogStatus
    if TYPE_CHECKING:  # callers treat it as the Prescription it is (a subclass)
        actual: Prescription | None = None
    else:
        actual: ReportedDose | None = None
    pain: Score | None = None
    idempotency_key: str = Field(min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")


class FinishBody(_Body):
    """How a session ended."""

    status: Literal["completed", "quit"] = "completed"
    pain_after: Score | None = None
    effort: Score | None = None
    note: str | None = Field(default=None, max_length=2000)


class CheckInBody(_Body):
    """This morning's pain and stiffness."""

    pain: Score
    stiffness: Score | None = None
    idempotency_key: str | None = Field(
        default=None, min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$"
    )
    """A retry of the same check-in (its answer was lost) changes nothing."""
