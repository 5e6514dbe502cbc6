"""Each form's movement tags (``demands``), pinned: the safety rules rule exercises out by them.

A form is an exercise or one of its variants; a variant without its own ``demands`` inherits
the exercise's. A retag that drops (or adds) a tag must change this table on purpose.
"""

from __future__ import annotations

import pytest

from midback.domain.catalogue import Catalogue, Exercise
from midback.domain.vocab import Demand

LF, RF, ERF = "loaded-flexion", "repeated-flexion", "end-range-flexion"
LR, CT, BP = "levered-rotation", "closed-twist", "belly-pressure"
HBH, HANDS, OVER = "head-below-heart", "weight-on-hands", "overhead"
HANG, HOLD, LOAD = "hanging", "breath-hold", "spinal-load"

TAGS: dict[tuple[str, str | None], set[str]] = {
    ("band-pull-apart", None): set(),
    ("barbell-shrug-behind-back", None): {LOAD, HOLD},
    ("barbell-shrug-behind-back", "light-dumbbells"): set(),
    ("bent-over-row", None): {LOAD, HOLD},
    ("bent-over-row", "dumbbells"): {LOAD, HOLD},
    ("bird-dog", None): {HANDS},
    ("bird-dog", "standing"): set(),
    ("bridge", None): set(),
    ("bridge", "ball"): set(),
    ("brisk-walk", None): set(),
    # cat-cow's rounding is gentle, unloaded and not held at the end of the range
    ("cat-cow", None): {HANDS},
    ("cat-cow", "seated"): set(),
    # forehead on the floor with the hips on the heels: the head rests below the heart
    ("childs-pose", None): {ERF, HBH},
    ("childs-pose", "chair"): {ERF, HBH},
    ("cobra", None): {HANDS},
    ("cobra", "forearms"): set(),
    ("core-breath", None): set(),
    ("core-breath", "seated"): set(),
    ("crunch", None): {LF, RF, BP},
    # elbows at shoulder height: the arms are not overhead
    ("doorway-stretch", None): set(),
    ("doorway-stretch", "low-arms"): set(),
    ("leg-swing-front-back", None): set(),
    ("leg-swing-lateral", None): set(),
    ("neck-side-bend", None): set(),
    # the free hand on the bench or chair carries the trunk, so the weight does not load the spine
    ("one-arm-dumbbell-row", None): {HANDS},
    ("one-arm-dumbbell-row", "standing-split"): set(),
    ("one-arm-dumbbell-row", "all-fours"): {HANDS},
    ("prone-chest-lift", None): {HANDS},
    ("prone-chest-lift", "hands-by-sides"): set(),
    ("pull-up", None): {HANG, OVER, HOLD},
    ("pull-up", "band-assisted"): {HANG, OVER},
    ("renegade-row", None): {HANDS, HOLD, BP},
    ("reverse-fly", None): {LOAD},
    ("reverse-fly", "band"): {LOAD},
    ("scapular-squeeze", None): set(),
    ("seated-cable-row", None): set(),
    ("seated-rotation", None): {LR},
    ("seated-rotation", "gentle"): set(),
    ("seated-spinal-twist", None): {LR, CT},
    ("seated-spinal-twist", "chair"): set(),
    ("shoulder-roll", None): set(),
    ("side-reach", None): {OVER},
    ("side-reach", "hands-on-hips"): set(),
    ("sphinx", None): set(),
    ("thoracic-extension-roll", None): set(),
    ("thoracic-extension-roll", "chair-backbend"): set(),
    # body weight on the lowered shoulder levers the twist; the head rests on the floor
    ("thread-the-needle", None): {HANDS, LR, HBH},
    ("thread-the-needle", "seated"): set(),
}


def _form_demands(exercise: Exercise, variant_id: str | None) -> set[str]:
    if variant_id is None:
        return {d.value for d in exercise.demands}
    variant = exercise.variant(variant_id)
    demands = exercise.demands if variant.demands is None else variant.demands
    return {d.value for d in demands}


def test_the_table_names_only_known_tags() -> None:
    known = {d.value for d in Demand}
    assert set().union(*TAGS.values()) <= known


def test_every_form_in_the_catalogue_is_in_the_table(cat: Catalogue) -> None:
    forms = {(e.id, v) for e in cat.exercises.values() for v in [None, *(x.id for x in e.variants)]}
    assert forms == set(TAGS)


@pytest.mark.parametrize(
    ("exercise_id", "variant_id"), list(TAGS), ids=[f"{e}:{v}" for e, v in TAGS]
)
def test_each_form_carries_exactly_its_tags(
    cat: Catalogue, exercise_id: str, variant_id: str | None
) -> None:
    exercise = cat.exercises[exercise_id]
    assert _form_demands(exercise, variant_id) == TAGS[(exercise_id, variant_id)]


def test_variants_whose_tags_differ_from_the_exercise_say_so_themselves(cat: Catalogue) -> None:
    """The forms the safety rules depend on most carry their own list, not an inherited one."""
    own = {
        ("childs-pose", "chair"),
        ("reverse-fly", "band"),
        ("bent-over-row", "dumbbells"),
        ("pull-up", "band-assisted"),
        ("seated-spinal-twist", "chair"),
        ("seated-rotation", "gentle"),
    }
    for exercise_id, variant_id in own:
        assert cat.exercises[exercise_id].variant(variant_id).demands is not None
