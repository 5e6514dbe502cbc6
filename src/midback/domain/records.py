"""Records: what midback remembers about a person (sessions, exercise logs, check-ins, screens).

Plain pydantic values, free of any storage detail: the repository turns table rows into these
and back. Every datetime is timezone-aware and held in UTC (an aware datetime in another zone is
converted; a naive one is refused).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, NamedTuple

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
)

from midback.domain.prescription import Prescription


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware datetime, converted to UTC."""


def _not_a_boolean(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("expected a whole number from 0 to 10, not true or false")
    return value


Score = Annotated[int, Field(ge=0, le=10), BeforeValidator(_not_a_boolean)]
"""A 0-10 rating (pain, stiffness, effort): 0 none, 10 the worst imaginable. A whole number
(6.0 is 6, as JSON allows); a boolean is refused everywhere (Python counts True as 1)."""

JsonObject = dict[str, JsonValue]
"""A JSON object, stored as it is (a plan, screening answers, a screen result)."""


class SessionStatus(StrEnum):
    """Where a session stands."""

    RUNNING = "running"
    """Started and not finished yet (or the process died; see ``INTERRUPTED``)."""
    COMPLETED = "completed"
    """The person did the plan to its end."""
    QUIT = "quit"
    """The person stopped early on purpose."""
    INTERRUPTED = "interrupted"
    """Left running by a process that died (crash, SIGKILL, closed laptop); found later."""


class LogStatus(StrEnum):
    """How one exercise of a session went."""

    COMPLETED = "completed"
    SKIPPED = "skipped"
    STOPPED_FOR_PAIN = "stopped_for_pain"


class Effort(StrEnum):
    """How one exercise felt, in one tap after it: stored as the string value."""

    EASY = "easy"
    """Too easy: progression may step up sooner (pain rules still come first)."""
    RIGHT = "right"
    """About right."""
    HARD = "hard"
    """Too hard: progression does not step up, and steps back."""


class _Record(BaseModel):
    # defer_build: `midback plan` imports these models but validates none of them
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class SessionRecord(_Record):
    """One exercise session, from start to finish."""

    id: int
    """Store-wide id."""
    person_id: int
    """Whose session it is."""
    plan: JsonObject
    """The plan that was run, as JSON (the exercises in order, by position)."""
    program_id: str | None = None
    """The program the plan came from, if any."""
    started_at: UtcDatetime
    ended_at: UtcDatetime | None = None
    """When it was finished; for an interrupted session, its last recorded activity."""
    status: SessionStatus = SessionStatus.RUNNING
    pain_before: Score | None = None
    pain_after: Score | None = None
    effort: Score | None = None
    """How hard it felt overall (0 rest, 10 maximal)."""
    note: str | None = None
    """Free text from the person."""


class NewLog(_Record):
    """What a player reports when one exercise of a session ends; stored as an ``ExerciseLog``."""

    position: int = Field(ge=0)
    """Index of the exercise in the session's plan."""
    exercise_id: str = Field(min_length=1)
    variant: str | None = None
    """The variant done (easier, harder, no-equipment...), if not the main one."""
    target: Prescription
    """The dose the plan asked for."""
    actual: Prescription | None = None
    """The dose actually done, when it differs or is known; ``None`` when not reported."""
    status: LogStatus
    pain: Score | None = None
    """Pain during the exercise."""
    logged_at: UtcDatetime
    idempotency_key: str | None = None
    """Chosen by the client; a repeat with the same key (same session) stores nothing new."""
    effort: Effort | None = None
    """The person's one tap after the exercise (too easy, about right, too hard), if given."""


class ExerciseLog(NewLog):
    """One exercise of a session as stored: a ``NewLog`` with its id and session."""

    id: int
    session_id: int


class SessionOutline(NamedTuple):
    """What a history summary reads of a session: when it started, how it stands, and the pain
    before it."""

    started_at: datetime
    status: SessionStatus
    pain_before: int | None


class PersonState(NamedTuple):
    """What a cached read of a person asks first (``Repository.person_state``); each field
    None when there is no such person."""

    revision: str | None
    """Changes with every write of their records (``Repository.revision``)."""
    base: str | None
    """Changes with every write of their records but a check-in."""
    zone: str | None
    """Their IANA time zone (``Repository.person_zone``)."""


class LogOutcome(NamedTuple):
    """How one exercise of a session ended (what a history's "3 of 5 exercises" counts)."""

    session_id: int
    position: int
    status: LogStatus


class CheckIn(_Record):
    """A morning check-in: how the back feels today. One per person per day (the last wins)."""

    id: int
    person_id: int
    day: date
    """The person's local calendar day it is about."""
    morning_pain: Score
    stiffness: Score | None = None
    at: UtcDatetime
    """When it was recorded."""
    idempotency_key: str | None = None
    """The key the client sent with it: a retry of the same check-in (its answer was lost)
    finds it and changes nothing while it stands; a newer check-in of the day replaces it."""


class ScreenRecord(_Record):
    """A safety screen the person answered, and what it concluded."""

    id: int
    person_id: int
    at: UtcDatetime
    answers: JsonObject
    """The answers as given, by question id."""
    verdict: str
    """The screen's verdict (e.g. ``go``, ``see_doctor``, ``emergency``)."""
    result: JsonObject
    """The full screen result as JSON (reasons, limits on exercises...)."""


class ProgressionStep(_Record):
    """Where a person stands on one exercise's progression ladder, and why."""

    person_id: int
    exercise_id: str = Field(min_length=1)
    step: int
    """The rung reached on the exercise's progression ladder (the progression engine defines it)."""
    reason: str
    """Why it last changed, in words for the person."""
    updated_at: UtcDatetime


class ProgressCheckpoint(_Record):
    """A replay of a person's progression over every session up to a settled day, kept so the
    next replay starts there instead of at the first session (see ``services.progress``)."""

    person_id: int
    until: date
    """Sessions of this local day and earlier are in the replay."""
    version: int
    """The progression rules' version (``progression.REPLAY_VERSION``) it was made with."""
    states: JsonObject
    """Each exercise's replay (``progression.Replay.to_json``), by exercise id."""
    saved_at: UtcDatetime


class CourseRecord(_Record):
    """A course a person follows: its state as JSON (``domain.course.Course``), kept as it
    changes; at most one per person is active."""

    id: int
    person_id: int
    started_at: UtcDatetime
    updated_at: UtcDatetime
    active: bool
    state: JsonObject
