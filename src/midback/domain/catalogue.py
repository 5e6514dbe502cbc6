"""The catalogue: exercises, programs, guide pages and the articles they come from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from midback.domain.dose import Dose
from midback.domain.vocab import (
    CautionAction,
    Condition,
    Demand,
    Direction,
    Equipment,
    Kind,
    Place,
    Position,
)
from midback.errors import UnknownIdError
from midback.words import close_matches

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Frozen(BaseModel):
    # defer_build: a start-up validates the whole catalogue at once (``loader.Snapshot``), so
    # each class's own validator is built only if something validates that class directly
    # (the YAML loader, the web app); building them all at import cost several milliseconds.
    # Empty-list defaults are written ``= []``: pydantic copies them for each instance, and a
    # ``default_factory`` costs an ``inspect.signature`` call per field when the schema is built.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Source(_Frozen):
    """One of the five articles midback is built from (cite by ``title``)."""

    id: Slug
    title: Text
    year: int | None = None
    gives: Text
    """What the article contributes, in a sentence."""


class Caution(_Frozen):
    """What a person with ``condition`` should do about this exercise."""

    condition: Condition
    action: CautionAction
    text: Text
    variant: Slug | None = None
    """For ``modify``: the variant that makes the exercise fit the condition."""


class Variant(_Frozen):
    """Another way to do an exercise, with its own positions and equipment.

    ``demands`` and ``places`` fall back to the exercise's when left out.
    """

    id: Slug
    name: Text
    positions: list[Position] = Field(min_length=1)
    equipment: list[Equipment] = Field(min_length=1)
    places: list[Place] | None = None
    demands: list[Demand] | None = None
    steps: list[Text] = []
    """Steps that differ from the exercise's; empty means the exercise's steps apply."""
    why: Text
    """Who this variant is for (e.g. sore knees or wrists)."""


class Exercise(_Frozen):
    """One exercise, with its default dose and everything a person needs to do it safely."""

    id: Slug
    name: Text
    aliases: list[Text] = []
    summary: Text
    kind: Kind
    directions: list[Direction] = Field(min_length=1)
    positions: list[Position] = Field(min_length=1)
    places: list[Place] = Field(min_length=1)
    equipment: list[Equipment] = Field(min_length=1)
    demands: list[Demand] = []
    dose: Dose
    steps: list[Text] = Field(min_length=1)
    cues: list[Text] = Field(min_length=1)
    """Breathing and form cues; the first is the key cue the player speaks at the intro."""
    mistakes: list[Text] = []
    cautions: list[Caution] = []
    variants: list[Variant] = []
    progressions: list[Slug] = []
    regressions: list[Slug] = []
    muscles: list[Text] = []
    sources: list[Slug] = Field(min_length=1)
    picture: Text | None = None
    """What a figure of the exercise shows, in words (the brief for its drawing)."""

    def variant(self, variant_id: str) -> Variant:
        """The variant called ``variant_id``; raises UnknownIdError with suggestions."""
        for variant in self.variants:
            if variant.id == variant_id:
                return variant
        raise UnknownIdError(
            f"variant of {self.id}", variant_id, _close(variant_id, (v.id for v in self.variants))
        )


class ProgramEntry(_Frozen):
    """One exercise of a program, optionally as a variant and with the program's own dose."""

    exercise_id: Slug
    variant: Slug | None = None
    dose: Dose | None = None
    """Replaces the exercise's default dose when given."""


class Program(_Frozen):
    """A named routine taken from one article, in its order and with its doses."""

    id: Slug
    name: Text
    source: Slug
    description: Text
    entries: list[ProgramEntry] = Field(min_length=1)


class GuidePage(_Frozen):
    """A guide page in Markdown, e.g. causes of mid-back pain or how to stretch."""

    id: Slug
    title: Text
    body: Text
    sources: list[Slug] = []


class Catalogue(_Frozen):
    """Everything midback knows, validated and cross-checked. Build it with ``load_catalogue``."""

    sources: dict[str, Source]
    exercises: dict[str, Exercise]
    programs: dict[str, Program]
    guides: dict[str, GuidePage]

    def exercise(self, exercise_id: str) -> Exercise:
        """The exercise with this id or alias; raises UnknownIdError naming close ids."""
        found = self.exercises.get(exercise_id)
        if found is not None:
            return found
        wanted = exercise_id.strip().lower()
        for exercise in self.exercises.values():
            if wanted in (a.lower() for a in exercise.aliases) or wanted == exercise.name.lower():
                return exercise
        names = {e.id: e.id for e in self.exercises.values()}
        names.update({a.lower(): e.id for e in self.exercises.values() for a in e.aliases})
        close = [names[n] for n in _close(exercise_id, names)]
        raise UnknownIdError("exercise", exercise_id, list(dict.fromkeys(close)))

    def program(self, program_id: str) -> Program:
        """The program with this id; raises UnknownIdError naming close ids."""
        try:
            return self.programs[program_id]
        except KeyError:
            raise UnknownIdError("program", program_id, _close(program_id, self.programs)) from None

    def guide(self, guide_id: str) -> GuidePage:
        """The guide page with this id; raises UnknownIdError naming close ids."""
        try:
            return self.guides[guide_id]
        except KeyError:
            raise UnknownIdError("guide page", guide_id, _close(guide_id, self.guides)) from None

    def filter(
        self,
        *,
        place: Place | None = None,
        equipment: Equipment | None = None,
        kind: Kind | None = None,
    ) -> list[Exercise]:
        """Exercises of ``kind`` that can be done at ``place`` and use ``equipment``.

        An exercise matches a place or equipment when it, or one of its variants, does.
        """
        found = []
        for e in self.exercises.values():
            if kind is not None and e.kind is not kind:
                continue
            places = [e.places] + [v.places for v in e.variants if v.places]
            if place is not None and not any(place in p for p in places):
                continue
            kits = [e.equipment] + [v.equipment for v in e.variants]
            if equipment is not None and not any(equipment in k for k in kits):
                continue
            found.append(e)
        return found

    def source_title(self, source_id: str) -> str:
        """The article title to cite for ``source_id`` (``default`` reads as a default)."""
        source = self.sources.get(source_id)
        return source.title if source else "default (exercise-science reference)"


def _close(value: str, candidates: Iterable[str]) -> list[str]:
    return close_matches(value, candidates, cutoff=0.5)
