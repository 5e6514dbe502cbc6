"""Request bodies of the JSON API (not tables, not domain values)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from midback.domain.dose import DEFAULT_SOURCE, Level
from midback.domain.planner import Focus, PlanRequest
from midback.domain.prescription import Prescription
from midback.domain.records import LogStatus
from midback.domain.vocab import Condition, Equipment, Place


def _not_a_boolean(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("expected a whole number from 0 to 10, not true or false")
    return value


Score = Annotated[int, Field(ge=0, le=10), BeforeValidator(_not_a_boolean)]
"""A 0-10 score: a whole number (6.0 is 6, as JSON allows); a boolean is refused."""

EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2199, 12, 31)
Day = Annotated[date, Field(ge=EARLIEST_DAY, le=LATEST_DAY)]
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


class PlanBody(_Body):
    """What to plan: the CLI's plan options as JSON."""

    minutes: int | None = Field(default=None, ge=1, le=240)
    place: Place | None = None
    equipment: list[Equipment] | None = None
    conditions: list[Condition] = Field(default_factory=list)
    focus: Focus = Focus.RELIEF
    level: Level = Level.BEGINNER
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    program_id: str | None = Field(default=None, max_length=60)
    answers: dict[str, Any] | None = None
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
    """A week plan: the plan options plus how many days and from when."""

    days: int = Field(default=7, ge=1, le=28)
    start: Day | None = None


class StartBody(PlanBody):
    """Start a session: plan it on the server, then record it."""

    pain_before: int | None = Field(default=None, ge=0, le=10)
    course: bool = False
    """Play today's session of the person's course (the plan options are then not needed)."""
    idempotency_key: str | None = Field(
        default=None, min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$"
    )
    """A retry of the same start (the answer was lost) returns the session it made."""


class LogBody(_Body):
    """One finished exercise of a session."""

    position: int = Field(ge=0, le=500)
    status: LogStatus
    if TYPE_CHECKING:  # callers treat it as the Prescription it is (a subclass)
        actual: Prescription | None = None
    else:
        actual: ReportedDose | None = None
    pain: int | None = Field(default=None, ge=0, le=10)
    idempotency_key: str = Field(min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")


class FinishBody(_Body):
    """How a session ended."""

    status: Literal["completed", "quit"] = "completed"
    pain_after: int | None = Field(default=None, ge=0, le=10)
    effort: int | None = Field(default=None, ge=0, le=10)
    note: str | None = Field(default=None, max_length=2000)


class CheckInBody(_Body):
    """This morning's pain and stiffness."""

    pain: Score
    stiffness: Score | None = None
    idempotency_key: str | None = Field(
        default=None, min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$"
    )
    """A retry of the same check-in (its answer was lost) changes nothing."""
