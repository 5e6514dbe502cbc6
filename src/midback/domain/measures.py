"""Outcome measures a person answers at the start of their care, at 2 and at 6 weeks (pure).

- The Patient-Specific Functional Scale (PSFS; Stratford et al. 1995, Physiotherapy Canada
  47(4)), free to use: the person names up to five activities their back makes hard and rates
  how well they can do each, from 0 (cannot do it) to 10 (as well as before the problem). At
  later visits they rate the same activities again. The score is the mean of the ratings; a
  rise of about 2 points in the mean is commonly taken as a change that matters to the person.
- A global rating of change (GROC; Jaeschke, Singer and Guyatt 1989, Controlled Clinical
  Trials 10; reviewed by Kamper et al. 2009, J Man Manip Ther 17(3)) on the 15-point scale
  from -7 (a very great deal worse) through 0 (about the same) to +7 (a very great deal
  better), asked at 2 and at 6 weeks (at the start there is no change to rate).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from midback.errors import MidbackError

MAX_ACTIVITIES = 5
MIN_ACTIVITIES = 1
PSFS_MEANINGFUL = 2.0
"""A rise in the PSFS mean of about this much is commonly read as a change that matters."""
GROC_LABELS = {
    -7: "a very great deal worse", -6: "a great deal worse", -5: "quite a bit worse",
    -4: "moderately worse", -3: "somewhat worse", -2: "a little bit worse",
    -1: "a tiny bit worse", 0: "about the same", 1: "a tiny bit better",
    2: "a little bit better", 3: "somewhat better", 4: "moderately better",
    5: "quite a bit better", 6: "a great deal better", 7: "a very great deal better",
}  # fmt: skip
"""The 15 answers of the global rating of change, worst first."""


class MeasureError(MidbackError):
    """An outcome answer that cannot be kept (says which field and why)."""


class Timepoint(StrEnum):
    """When a measure is asked."""

    START = "start"
    WEEK_2 = "week2"
    WEEK_6 = "week6"


DUE_AFTER = {Timepoint.START: timedelta(0), Timepoint.WEEK_2: timedelta(days=14),
             Timepoint.WEEK_6: timedelta(days=42)}  # fmt: skip
"""How long after the start each timepoint is due."""
LABELS = {Timepoint.START: "Start", Timepoint.WEEK_2: "2 weeks", Timepoint.WEEK_6: "6 weeks"}


class Activity(BaseModel):
    """One activity of the PSFS and how well the person can do it (0-10)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    score: int = Field(ge=0, le=10)

    @field_validator("name")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("name an activity")
        return value


class Psfs(BaseModel):
    """One PSFS answer: up to five activities, each rated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    activities: list[Activity] = Field(min_length=MIN_ACTIVITIES, max_length=MAX_ACTIVITIES)

    @property
    def mean(self) -> float:
        """The PSFS score: the mean rating, to one decimal."""
        return round(sum(a.score for a in self.activities) / len(self.activities), 1)


class Answered(BaseModel):
    """One answered timepoint: the PSFS and, after the start, the GROC."""

    model_config = ConfigDict(frozen=True)

    timepoint: Timepoint
    at: datetime
    psfs: Psfs | None = None
    groc: int | None = Field(default=None, ge=-7, le=7)

    @property
    def groc_label(self) -> str | None:
        """The GROC answer in words."""
        return None if self.groc is None else GROC_LABELS[self.groc]


class Outcomes(BaseModel):
    """A person's outcome measures in time order, with what is due now."""

    model_config = ConfigDict(frozen=True)

    answered: list[Answered]
    due: Timepoint | None
    """The next timepoint to ask now (None: none due yet, or all three answered)."""
    activities: list[str]
    """The activities named at the start (asked again later)."""

    @property
    def change(self) -> float | None:
        """The PSFS mean at the latest timepoint minus at the start (positive: better)."""
        scored = [a for a in self.answered if a.psfs is not None]
        if len(scored) < 2:
            return None
        first, last = scored[0].psfs, scored[-1].psfs
        assert first is not None and last is not None
        return round(last.mean - first.mean, 1)

    @property
    def meaningful(self) -> bool:
        """Whether the PSFS rose by the amount commonly read as mattering."""
        return self.change is not None and self.change >= PSFS_MEANINGFUL


def outcomes(answered: list[Answered], now: datetime) -> Outcomes:
    """The person's measures and the timepoint due at ``now``: the start when none was
    answered, else the next one once its time (from the start's answer) has come."""
    ordered = sorted(answered, key=lambda a: a.at)
    done = {a.timepoint for a in ordered}
    start = next((a for a in ordered if a.timepoint is Timepoint.START), None)
    due: Timepoint | None = None
    if start is None:
        due = Timepoint.START
    else:
        for point in (Timepoint.WEEK_2, Timepoint.WEEK_6):
            if point not in done and now >= start.at + DUE_AFTER[point]:
                due = point
                break
    names = [a.name for a in start.psfs.activities] if start and start.psfs else []
    return Outcomes(answered=ordered, due=due, activities=names)


def check_answer(current: Outcomes, timepoint: Timepoint, psfs: Psfs, groc: int | None) -> None:
    """MeasureError unless this answer fits what is due: the timepoint due now; at the
    start no GROC; later the same activities as at the start and a GROC."""
    if current.due is not timepoint:
        due = "nothing is due now" if current.due is None else f"{current.due.value} is due"
        raise MeasureError(f"timepoint: {timepoint.value} cannot be answered now ({due})")
    if timepoint is Timepoint.START:
        if groc is not None:
            raise MeasureError("groc: there is no change to rate at the start")
        return
    if [a.name for a in psfs.activities] != current.activities:
        raise MeasureError("activities: rate the same activities as at the start")
    if groc is None:
        raise MeasureError("groc: answer how things have changed since the start (-7 to +7)")
