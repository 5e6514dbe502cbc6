"""Every condition's limits over the whole catalogue: each form of each exercise is ruled out
exactly when its tags, positions or kit meet the guideline's list (written out here, apart from
``contraindications``), or its own caution says to avoid it."""

from __future__ import annotations

import pytest

from midback.domain.catalogue import Catalogue
from midback.domain.contraindications import Form, forms, violations
from midback.domain.vocab import CautionAction, Condition, Demand, Equipment, Position

D, P, C = Demand, Position, Condition

FRAGILE = {D.LOADED_FLEXION, D.REPEATED_FLEXION, D.END_RANGE_FLEXION, D.LEVERED_ROTATION,
           D.SPINAL_LOAD}  # fmt: skip


def expected_out(form: Form, condition: Condition, weeks: int) -> bool:
    """The guidelines' limits (see the README's table), from the form's own attributes."""
    demands, positions, kit = set(form.demands), set(form.positions), set(form.equipment)
    avoid = {c.condition for c in form.exercise.cautions if c.action is CautionAction.AVOID}
    fragile = condition is C.FRAGILE_BONES
    avoid_for = {C.FRAGILE_BONES, C.OSTEOPOROSIS} if fragile else {condition}
    if avoid & avoid_for:
        return True
    if condition in (C.OSTEOPOROSIS, C.FRAGILE_BONES):
        return bool(demands & FRAGILE)
    if condition is C.DISC_HERNIATION:
        return bool(demands & {D.LOADED_FLEXION, D.REPEATED_FLEXION, D.SPINAL_LOAD,
                               D.LEVERED_ROTATION})  # fmt: skip
    if condition is C.HIGH_BLOOD_PRESSURE:
        return bool(demands & {D.BREATH_HOLD, D.HEAD_BELOW_HEART})
    if condition is C.KNEE_PAIN:
        return bool(positions & {P.KNEELING, P.ALL_FOURS})
    if condition is C.WRIST_PAIN:
        return P.ALL_FOURS in positions or D.WEIGHT_ON_HANDS in demands
    if condition is C.SHOULDER_PAIN:
        return P.HANGING in positions or bool(demands & {D.OVERHEAD, D.HANGING})
    if condition is C.PREGNANCY:
        out = bool(demands & {D.HANGING, D.BREATH_HOLD, D.SPINAL_LOAD, D.CLOSED_TWIST,
                              D.LEVERED_ROTATION})  # fmt: skip
        out |= P.HANGING in positions or bool(kit & {Equipment.BARBELL, Equipment.PULL_UP_BAR})
        if weeks >= 13:
            out |= P.PRONE in positions or bool(demands & {D.LOADED_FLEXION, D.BELLY_PRESSURE})
        if weeks >= 20:
            out |= P.SUPINE in positions
        return out
    raise AssertionError(condition)


CASES = [(c, 20) for c in Condition if c is not Condition.RECENT_SPINE_SURGERY]
CASES += [(Condition.PREGNANCY, weeks) for weeks in (8, 12, 13, 19, 40)]


@pytest.mark.parametrize(("condition", "weeks"), CASES)
def test_each_condition_rules_out_exactly_the_forms_its_guideline_lists(
    cat: Catalogue, condition: Condition, weeks: int
) -> None:
    wrong = []
    for exercise in cat.exercises.values():
        for form in forms(exercise):
            for cleared in (False, True):
                ruled = bool(violations(form, [condition], cleared=cleared, pregnancy_weeks=weeks))
                if ruled is not expected_out(form, condition, weeks):
                    wrong.append((form.name, cleared, ruled))
    assert wrong == []


def test_the_named_examples_hold(cat: Catalogue) -> None:
    def out(exercise: str, variant: str | None, condition: Condition, weeks: int = 20) -> bool:
        ex = cat.exercises[exercise]
        form = next(f for f in forms(ex) if (f.variant.id if f.variant else None) == variant)
        return bool(violations(form, [condition], cleared=True, pregnancy_weeks=weeks))

    assert out("childs-pose", None, C.OSTEOPOROSIS)
    assert out("childs-pose", "chair", C.OSTEOPOROSIS)
    assert out("crunch", None, C.FRAGILE_BONES)
    assert out("bent-over-row", None, C.FRAGILE_BONES)
    assert out("seated-spinal-twist", None, C.DISC_HERNIATION)
    assert not out("seated-spinal-twist", "chair", C.DISC_HERNIATION)
    for gym in ("barbell-shrug-behind-back", "pull-up", "bent-over-row", "reverse-fly",
                "renegade-row"):  # fmt: skip
        assert out(gym, None, C.PREGNANCY), gym
    assert not out("bridge", None, C.PREGNANCY, weeks=12)
    assert out("bridge", None, C.PREGNANCY, weeks=20)
