"""Doses: how many sets, reps, seconds or breaths, each possibly a range as the articles give it."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)

from midback.domain.vocab import Level

_RANGE_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-|\u2013|to)\s*(\d+(?:\.\d+)?)\s*$")


class Range(BaseModel):
    """A closed interval of non-negative numbers; a single number is a range with min == max."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min < 0:
            raise ValueError(f"must not be negative, got {_num(self.min)}")
        if self.max < self.min:
            raise ValueError(f"range {_num(self.min)}-{_num(self.max)} runs backwards")
        return self

    @property
    def is_single(self) -> bool:
        """True when the range holds one value."""
        return self.min == self.max

    def at(self, level: Level) -> int:
        """The whole number a person at ``level`` does: low end, middle (rounded up) or high end."""
        if level is Level.BEGINNER:
            return math.ceil(self.min)
        if level is Level.ADVANCED:
            return math.floor(self.max) if self.max >= 1 else math.ceil(self.max)
        return math.ceil((self.min + self.max) / 2)

    def __str__(self) -> str:
        return _num(self.min) if self.is_single else f"{_num(self.min)}-{_num(self.max)}"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _parse_range(value: Any) -> Any:
    if isinstance(value, Range | dict):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a number or a range like 20-30, got a boolean")
    if isinstance(value, int | float):
        return {"min": value, "max": value}
    if isinstance(value, str):
        text = value.strip()
        match = _RANGE_TEXT.match(text)
        if match:
            return {"min": float(match[1]), "max": float(match[2])}
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"expected a number or a range like 20-30, got {value!r}") from None
        return {"min": number, "max": number}
    if isinstance(value, list | tuple) and len(value) == 2:
        return {"min": value[0], "max": value[1]}
    raise ValueError(f"expected a number or a range like 20-30, got {value!r}")


def _dump_range(value: Range) -> float | int | dict[str, float | int]:
    def plain(x: float) -> float | int:
        return int(x) if float(x).is_integer() else x

    if value.is_single:
        return plain(value.min)
    return {"min": plain(value.min), "max": plain(value.max)}


Quantity = Annotated[
    Range,
    BeforeValidator(_parse_range),
    PlainSerializer(_dump_range),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number"},
                {
                    "type": "object",
                    "properties": {"min": {"type": "number"}, "max": {"type": "number"}},
                    "required": ["min", "max"],
                },
            ]
        }
    ),
]
"""A number or a ``{"min", "max"}`` range; YAML may also write ``20-30``."""

DEFAULT_SOURCE = "default"
"""The ``source`` of a dose the articles do not give (ACSM-style defaults)."""

_META_FIELDS = frozenset({"source", "note", "defaults"})
"""Fields of a dose that describe it rather than say how much to do."""


class Dose(BaseModel):
    """How much of an exercise to do.

    A dose counts work by ``reps`` (each taking ``tempo_s`` seconds), by ``hold_s`` (a hold or a
    timed bout, e.g. leg swings for 30 s) or by ``breaths`` (about 5 s each). ``sets`` repeats
    that work; ``per_side`` doubles each set, one side then the other; ``rest_s`` separates sets.
    ``source`` names the article the numbers come from, or ``default`` with ``note`` saying
    which exercise-science default was used. ``defaults`` names the fields whose values are
    midback's own although ``source`` names an article (e.g. a tempo the article leaves open);
    with ``source: default`` every value is a default and ``defaults`` may stay empty.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    sets: Quantity | None = None
    reps: Quantity | None = None
    hold_s: Quantity | None = None
    breaths: Quantity | None = None
    per_side: bool = False
    rest_s: Quantity | None = None
    tempo_s: float | None = None
    """Seconds per rep; when absent the timeline uses a default by kind of exercise."""
    breath_pattern: str | None = None
    """How to breathe, e.g. "in through the nose, out through the mouth against an 'oo'"."""
    source: str
    note: str | None = None
    defaults: list[str] = []
    """Names of the fields (e.g. ``tempo_s``, ``rest_s``) whose values are midback defaults, not
    the article's; empty when ``source`` gives every value."""

    @model_validator(mode="after")
    def _has_work(self) -> Dose:
        if self.reps is None and self.hold_s is None and self.breaths is None:
            raise ValueError("a dose needs reps, hold_s or breaths")
        if self.tempo_s is not None and self.tempo_s <= 0:
            raise ValueError("tempo_s must be positive")
        if self.sets is not None and self.sets.min < 1:
            raise ValueError("sets must be at least 1")
        return self

    @model_validator(mode="after")
    def _defaults_name_fields(self) -> Dose:
        allowed = dose_fields()
        for name in self.defaults:
            if name not in allowed:
                known = ", ".join(sorted(allowed))
                raise ValueError(f"defaults: {name!r} is not a dose field (one of {known})")
        if len(set(self.defaults)) != len(self.defaults):
            raise ValueError("defaults: a field is named twice")
        return self

    def is_default(self, field: str) -> bool:
        """True when ``field``'s value is midback's default rather than the article's."""
        return self.source == DEFAULT_SOURCE or field in self.defaults

    def describe(self) -> str:
        """A short human summary, e.g. ``3 x 15 s hold, each side, 30 s rest``."""
        parts: list[str] = []
        work: list[str] = []
        if self.reps is not None:
            work.append(f"{self.reps} reps")
        if self.hold_s is not None:
            work.append(f"{self.hold_s} s")
        if self.breaths is not None:
            work.append(f"{self.breaths} breaths")
        each = " + ".join(work)
        parts.append(f"{self.sets} x {each}" if self.sets is not None else each)
        if self.per_side:
            parts.append("each side")
        if self.rest_s is not None:
            parts.append(f"{self.rest_s} s rest")
        return ", ".join(parts)


def dose_fields() -> frozenset[str]:
    """The names ``Dose.defaults`` may list: every field that says how much or how to do it."""
    return frozenset(Dose.model_fields) - _META_FIELDS
