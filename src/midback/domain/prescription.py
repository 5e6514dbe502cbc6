"""A prescription: a dose made concrete for one person, and how long it takes.

The planner, the timeline and both players share this arithmetic, so a plan's estimate and the
player's clock agree to the second.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, field_validator

from midback.domain.dose import DEFAULT_SOURCE, Dose
from midback.domain.vocab import Kind, Level

GET_READY_S = 5
"""Countdown before the first exercise."""
TRANSITION_S = 10
"""Before each exercise, at least: its name and key cue, and time to get into position."""
STEP_S = 5
"""Every block lasts a whole number of these: the transition is lengthened by 0-4 s to fit.

Whole 5-second steps make times read cleanly and let the planner solve its knapsack exactly
on a coarse time grid."""
SWITCH_S = 5
"""Between the first and the second side of a set."""
BREATH_S = 5
"""One slow breath, in and out (about 12 a minute)."""

DEFAULT_TEMPO_S: dict[Kind, int] = {
    Kind.STRENGTH: 3,
    Kind.MOBILITY: 4,
    Kind.STRETCH: 5,
    Kind.BREATHING: BREATH_S,
    Kind.CARDIO: 1,
}
"""Seconds per rep where a dose gives no tempo (default: controlled 1-2 s up, 1-2 s down)."""

DEFAULT_REST_S: dict[Kind, int] = {
    Kind.STRENGTH: 45,
    Kind.MOBILITY: 10,
    Kind.STRETCH: 10,
    Kind.BREATHING: 10,
    Kind.CARDIO: 30,
}
"""Rest between sets where a dose gives none (default: ACSM 30-60 s for light resistance work)."""

MINUTES_FROM_S = 120
"""Holds this long or longer that are whole minutes read as minutes ("10 min", a walk)."""


class Prescription(BaseModel):
    """The concrete numbers a person does: whole sets, reps, seconds and breaths."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sets: int = Field(default=1, ge=1)
    reps: int | None = Field(default=None, ge=1)
    hold_s: int | None = Field(default=None, ge=1)
    breaths: int | None = Field(default=None, ge=1)
    per_side: bool = False
    rest_s: int = Field(default=0, ge=0)
    tempo_s: int = Field(default=3, ge=1)
    source: str = DEFAULT_SOURCE
    defaults: tuple[str, ...] = ()
    """The fields whose values are midback's own although ``source`` names an article (its
    dose's ``defaults``, a rest or tempo midback filled in, or sets the planner added to reach
    a proper dose); empty when ``source`` gives every value or is ``default``."""

    @field_validator("defaults")
    @classmethod
    def _defaults_name_fields(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            if name not in AMOUNT_FIELDS:
                raise ValueError(f"defaults: {name!r} is not one of {', '.join(AMOUNT_FIELDS)}")
        if len(set(value)) != len(value):
            raise ValueError("defaults: a field is named twice")
        return value

    @classmethod
    def from_dose(cls, dose: Dose, kind: Kind, level: Level) -> Prescription:
        """The dose at ``level``: the low end, middle or high end of each range."""
        sets = dose.sets.at(level) if dose.sets is not None else 1
        marked = [f for f in dose.defaults if f in AMOUNT_FIELDS]
        if dose.rest_s is not None:
            rest = dose.rest_s.at(level)
        else:
            rest = DEFAULT_REST_S[kind] if sets > 1 else 0
            if rest:
                marked.append("rest_s")
        if dose.tempo_s is None and dose.reps is not None:
            marked.append("tempo_s")
        return cls(
            sets=max(1, sets),
            reps=_opt(dose.reps, level),
            hold_s=_opt(dose.hold_s, level),
            breaths=_opt(dose.breaths, level),
            per_side=dose.per_side,
            rest_s=rest,
            tempo_s=max(1, round(dose.tempo_s)) if dose.tempo_s else DEFAULT_TEMPO_S[kind],
            source=dose.source,
            defaults=marking(marked) if dose.source != DEFAULT_SOURCE else (),
        )

    @property
    def rep_s(self) -> int:
        """Seconds one rep takes: the movement, plus a hold or breaths at the end when given."""
        if self.breaths is not None:
            return self.breaths * BREATH_S
        return self.tempo_s + (self.hold_s or 0)

    @property
    def work_s(self) -> int:
        """Seconds of work for one side of one set."""
        if self.reps is not None:
            return self.reps * self.rep_s
        if self.breaths is not None:
            return self.breaths * BREATH_S
        return self.hold_s or 0

    @property
    def sides(self) -> int:
        """How many sides each set is done on."""
        return 2 if self.per_side else 1

    @property
    def set_s(self) -> int:
        """Seconds one set takes, both sides and the switch between them."""
        return self.sides * self.work_s + (self.sides - 1) * SWITCH_S

    @property
    def active_s(self) -> int:
        """Seconds of sets and the rests between them (the block without its transition)."""
        return self.sets * self.set_s + (self.sets - 1) * self.rest_s

    @property
    def transition_s(self) -> int:
        """The block's transition: TRANSITION_S, lengthened so the block ends on a STEP_S."""
        return TRANSITION_S + (-(TRANSITION_S + self.active_s)) % STEP_S

    @property
    def seconds(self) -> int:
        """Seconds the whole block takes: transition, every set and the rests between sets."""
        return self.transition_s + self.active_s

    @property
    def total_reps(self) -> int:
        """Reps over all sets and sides (0 for holds and breath counts)."""
        return (self.reps or 0) * self.sets * self.sides

    def describe(self) -> str:
        """Short human text, e.g. ``3 x 15 s, each side, 10 s rest``."""
        if self.reps is not None:
            work = f"{self.reps} reps"
            if self.breaths is not None:
                work += f" of {self.breaths} breaths"
            elif self.hold_s is not None:
                work += f" with {self.hold_s} s hold"
        elif self.breaths is not None:
            work = f"{self.breaths} breaths"
        else:
            work = _seconds(self.hold_s or 0)
        parts = [f"{self.sets} x {work}" if self.sets > 1 else work]
        if self.per_side:
            parts.append("each side")
        if self.sets > 1 and self.rest_s:
            parts.append(f"{self.rest_s} s rest")
        return ", ".join(parts)


AMOUNT_FIELDS = ("sets", "reps", "hold_s", "breaths", "per_side", "rest_s", "tempo_s")
"""The fields of a prescription that say how much or how; ``defaults`` may name these."""


def marking(fields: Iterable[str]) -> tuple[str, ...]:
    """``fields`` without repeats, in ``AMOUNT_FIELDS`` order (so equal doses compare equal)."""
    named = set(fields)
    return tuple(f for f in AMOUNT_FIELDS if f in named)


def _seconds(seconds: int) -> str:
    """``45 s``; ``10 min`` for whole minutes from MINUTES_FROM_S up."""
    if seconds >= MINUTES_FROM_S and seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def _opt(value: object, level: Level) -> int | None:
    from midback.domain.dose import Range

    if value is None:
        return None
    assert isinstance(value, Range)
    return max(1, value.at(level))
