"""Why an exercise is in a plan, in plain words for the person: what it does, what it adds to
this session, how it serves what they asked for, and how it is dosed.

Never an id, a direction's code name or METs: the tables below say each direction and kind in
words a person uses.
"""

from __future__ import annotations

from collections.abc import Sequence

from midback.domain.vocab import Direction, Focus, Kind, Place

DOES: dict[Direction, str] = {
    Direction.FLEXION: "rounds the back forward",
    Direction.EXTENSION: "arches the upper back, the opposite of a slump",
    Direction.ROTATION: "turns the upper back",
    Direction.SIDE_BEND: "bends the trunk to the side",
    Direction.RETRACTION: "draws the shoulder blades back together",
    Direction.CORE_STABILITY: "steadies the trunk",
    Direction.AEROBIC: "gets the blood moving",
}
"""What a movement in each direction does, after "it" or "the only exercise here that"."""

MUSCLES: dict[Direction, str] = {
    Direction.FLEXION: "the belly muscles that support the spine",
    Direction.EXTENSION: "the back muscles that keep you from slumping",
    Direction.ROTATION: "the muscles that turn the trunk",
    Direction.SIDE_BEND: "the muscles along the sides of the trunk",
    Direction.RETRACTION: "the muscles between the shoulder blades that hold you upright",
    Direction.CORE_STABILITY: "the deep trunk muscles that steady the spine",
    Direction.AEROBIC: "the heart and lungs",
}
"""The muscles strength work in each direction builds, after "strengthens"."""

STRETCHES: dict[Direction, str] = {
    Direction.FLEXION: "stretches the muscles along the spine by rounding the back",
    Direction.EXTENSION: "arches the upper back to open the chest",
    Direction.ROTATION: "turns the upper back to ease its stiffness",
    Direction.SIDE_BEND: "stretches the sides of the trunk",
    Direction.RETRACTION: "stretches the fronts of the shoulders",
    Direction.CORE_STABILITY: "steadies the trunk while it stretches",
    Direction.AEROBIC: "keeps the blood moving",
}
"""What a stretch in each direction does."""

LOOSENS: dict[Direction, str] = {
    Direction.FLEXION: "rounding",
    Direction.EXTENSION: "arching",
    Direction.ROTATION: "turning",
    Direction.SIDE_BEND: "bending to the side",
    Direction.RETRACTION: "drawing the shoulders back",
    Direction.CORE_STABILITY: "swinging the legs from a steady trunk",
    Direction.AEROBIC: "moving",
}
"""How mobility work in each direction loosens the back, after "loosens the back by"."""

ASKED: dict[Focus, str] = {
    Focus.RELIEF: "eases the back, the relief you asked for",
    Focus.MOBILITY: "frees the back, the mobility you asked for",
    Focus.STRENGTH: "builds the strength you asked for",
    Focus.POSTURE: "helps you sit and stand taller, as you asked",
    Focus.CARDIO: "the walking you asked for",
}
"""How an exercise that serves the focus serves it."""

WHERE: dict[Place, str] = {
    Place.DESK: " at a desk",
    Place.CAR: " at the wheel",
    Place.HOME: "",
    Place.GYM: "",
}
"""Where upright posture matters for someone planning at this place."""


def what_it_does(kind: Kind, directions: Sequence[Direction], place: Place) -> str:
    """What the exercise does, e.g. "strengthens the muscles between the shoulder blades that
    hold you upright at a desk"."""
    if kind is Kind.CARDIO:
        return "a brisk walk gets the blood moving and loosens stiff joints, the back's among them"
    if kind is Kind.STRENGTH:
        muscles = [MUSCLES[d] + (WHERE[place] if d is Direction.RETRACTION else "")
                   for d in directions]  # fmt: skip
        return "strengthens " + _and(muscles)
    if kind is Kind.STRETCH:
        return _and([STRETCHES[d] for d in directions])
    if kind is Kind.BREATHING:
        return "slow breathing that calms the muscles around the spine and " + _and(
            [DOES[d] for d in directions]
        )
    return "loosens the back by " + _and([LOOSENS[d] for d in directions])


def why(
    *,
    kind: Kind,
    directions: Sequence[Direction],
    place: Place,
    focus: Focus | None,
    only_here: Sequence[Direction] = (),
    warm_up: bool = False,
    dose: str | None = None,
    form: str | None = None,
) -> str:
    """The reasons for one block, as a sentence.

    ``focus`` is given when the exercise is the work the person's focus asks for;
    ``only_here`` lists the directions no other block of the session moves in; ``warm_up``
    says it warms up for other work; ``dose`` and ``form`` say, in words, why this dose and
    this form.
    """
    parts = [what_it_does(kind, directions, place)]
    if only_here:
        missed = "a direction" if len(only_here) == 1 else "directions"
        parts.append(
            "the only exercise here that " + _and([DOES[d] for d in only_here])
            + f", {missed} the session would otherwise miss"
        )  # fmt: skip
    if warm_up:
        parts.append("it warms the back up for the main work")
    if focus is not None:
        parts.append(ASKED[focus])
    if dose:
        parts.append(dose)
    if form:
        parts.append(form)
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _and(phrases: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    unique = list(dict.fromkeys(phrases))
    if len(unique) <= 1:
        return "".join(unique)
    return ", ".join(unique[:-1]) + " and " + unique[-1]
