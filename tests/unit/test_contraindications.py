"""Condition rules: which forms of an exercise each condition rules out, and the cues it adds."""

from __future__ import annotations

from typing import Any

import pytest

from midback.domain.catalogue import Caution, Exercise, Variant
from midback.domain.contraindications import (
    BREATHING_CUE,
    CAUTION_AVOID,
    CONDITION_LABELS,
    RULES,
    Form,
    extra_cues,
    forms,
    safe_forms,
    violations,
)
from midback.domain.dose import Dose
from midback.domain.vocab import Condition, Demand, Kind, Position

C = Condition


def exercise(
    *,
    positions: list[str] | None = None,
    demands: list[str] | None = None,
    kind: str = "mobility",
    variants: list[Variant] | None = None,
    cautions: list[dict[str, Any]] | None = None,
) -> Exercise:
    """A small exercise with just the attributes a test cares about."""
    return Exercise(
        id="test-move",
        name="Test move",
        summary="A move made up for a test.",
        kind=kind,
        directions=["flexion"],
        positions=positions or ["standing"],
        places=["home"],
        equipment=["none"],
        demands=demands or [],
        dose=Dose(reps=10, source="default"),
        steps=["Do the move."],
        cues=["Breathe."],
        cautions=[Caution(**c) for c in cautions or []],
        variants=variants or [],
        sources=["default"],
    )


def variant(
    variant_id: str = "seated",
    *,
    positions: list[str] | None = None,
    demands: list[str] | None = None,
    places: list[str] | None = None,
) -> Variant:
    return Variant(
        id=variant_id,
        name=f"{variant_id.title()} test move",
        positions=positions or ["seated-chair"],
        equipment=["chair"],
        places=places,
        demands=demands,
        why="For a test.",
    )


def ruled_out(ex: Exercise, conditions: list[Condition], *, cleared: bool = False) -> bool:
    return bool(violations(Form(ex), conditions, cleared=cleared))


# --- each condition, as a table of exercise attributes ---------------------------------

CASES = [
    # pregnancy (ACOG 804), weeks not given: the 20-weeks-or-more stage
    (C.PREGNANCY, ["prone"], [], True),
    (C.PREGNANCY, ["supine"], [], True),
    (C.PREGNANCY, ["hanging"], [], True),
    (C.PREGNANCY, ["standing"], ["breath-hold"], True),
    (C.PREGNANCY, ["standing"], ["spinal-load"], True),
    (C.PREGNANCY, ["seated-floor"], ["closed-twist"], True),
    (C.PREGNANCY, ["seated-chair"], ["levered-rotation"], True),
    (C.PREGNANCY, ["supine"], ["loaded-flexion"], True),
    (C.PREGNANCY, ["all-fours"], ["belly-pressure"], True),
    (C.PREGNANCY, ["all-fours"], [], False),
    (C.PREGNANCY, ["seated-chair"], [], False),
    # fragile bones (Too Fit To Fracture): spine-sparing
    (C.OSTEOPOROSIS, ["supine"], ["loaded-flexion"], True),
    (C.OSTEOPOROSIS, ["supine"], ["repeated-flexion"], True),
    (C.OSTEOPOROSIS, ["kneeling"], ["end-range-flexion"], True),
    (C.OSTEOPOROSIS, ["seated-chair"], ["levered-rotation"], True),
    (C.OSTEOPOROSIS, ["standing"], ["spinal-load"], True),
    (C.OSTEOPOROSIS, ["prone"], [], False),
    (C.OSTEOPOROSIS, ["seated-chair"], ["closed-twist"], False),
    (C.FRAGILE_BONES, ["kneeling"], ["end-range-flexion"], True),
    (C.FRAGILE_BONES, ["supine"], ["loaded-flexion"], True),
    (C.FRAGILE_BONES, ["standing"], [], False),
    # knee pain: no kneeling or all-fours
    (C.KNEE_PAIN, ["kneeling"], [], True),
    (C.KNEE_PAIN, ["all-fours"], [], True),
    (C.KNEE_PAIN, ["standing"], ["weight-on-hands"], False),
    (C.KNEE_PAIN, ["seated-floor"], [], False),
    # wrist pain: no weight on hands, no all-fours
    (C.WRIST_PAIN, ["prone"], ["weight-on-hands"], True),
    (C.WRIST_PAIN, ["all-fours"], [], True),
    (C.WRIST_PAIN, ["kneeling"], [], False),
    (C.WRIST_PAIN, ["hanging"], ["hanging"], False),
    # shoulder pain: no overhead or hanging
    (C.SHOULDER_PAIN, ["standing"], ["overhead"], True),
    (C.SHOULDER_PAIN, ["hanging"], [], True),
    (C.SHOULDER_PAIN, ["standing"], ["hanging"], True),
    (C.SHOULDER_PAIN, ["all-fours"], ["weight-on-hands"], False),
    # high blood pressure (ACSM): no breath-hold, no head below the heart
    (C.HIGH_BLOOD_PRESSURE, ["standing"], ["breath-hold"], True),
    (C.HIGH_BLOOD_PRESSURE, ["seated-chair"], ["head-below-heart"], True),
    (C.HIGH_BLOOD_PRESSURE, ["standing"], ["spinal-load"], False),
    (C.HIGH_BLOOD_PRESSURE, ["supine"], [], False),
    # disc herniation: no loaded or repeated flexion, spinal load or levered twist
    (C.DISC_HERNIATION, ["supine"], ["loaded-flexion"], True),
    (C.DISC_HERNIATION, ["supine"], ["repeated-flexion"], True),
    (C.DISC_HERNIATION, ["standing"], ["spinal-load"], True),
    (C.DISC_HERNIATION, ["seated-floor"], ["levered-rotation"], True),
    (C.DISC_HERNIATION, ["kneeling"], ["end-range-flexion"], False),
    (C.DISC_HERNIATION, ["seated-chair"], [], False),
    # recent spine surgery: nothing at all unless cleared
    (C.RECENT_SPINE_SURGERY, ["standing"], [], True),
    (C.RECENT_SPINE_SURGERY, ["seated-chair"], [], True),
]


@pytest.mark.parametrize(("condition", "positions", "demands", "out"), CASES)
def test_each_condition_rules_out_its_positions_and_demands(
    condition: Condition, positions: list[str], demands: list[str], out: bool
) -> None:
    ex = exercise(positions=positions, demands=demands)
    assert ruled_out(ex, [condition]) is out


@pytest.mark.parametrize(
    ("demands", "out"),
    [
        ([], False),
        (["repeated-flexion"], True),
        (["loaded-flexion"], True),
        (["levered-rotation"], True),
        (["end-range-flexion"], True),
        (["spinal-load"], True),
        (["weight-on-hands"], False),
    ],
)
def test_cleared_after_spine_surgery_applies_the_osteoporosis_and_disc_rules(
    demands: list[str], out: bool
) -> None:
    ex = exercise(positions=["standing"], demands=demands)
    found = violations(Form(ex), [C.RECENT_SPINE_SURGERY], cleared=True)
    assert bool(found) is out
    assert all(v.condition is C.RECENT_SPINE_SURGERY for v in found)


def test_an_exercise_with_no_risky_attributes_suits_every_condition_but_surgery() -> None:
    ex = exercise(positions=["standing"])
    others = [c for c in Condition if c is not C.RECENT_SPINE_SURGERY]
    assert violations(Form(ex), others) == []


def test_every_condition_has_a_rule_and_a_label() -> None:
    assert set(RULES) == set(Condition)
    assert set(CONDITION_LABELS) == set(Condition)
    distinct = {id(rule): rule for rule in RULES.values()}.values()
    assert len({rule.id for rule in distinct}) == len(distinct)
    assert all(rule.source for rule in RULES.values())


def test_a_violation_names_the_condition_rule_and_what_the_form_involves() -> None:
    (found,) = violations(Form(exercise(positions=["prone"])), [C.PREGNANCY])
    assert found.condition is C.PREGNANCY
    assert found.rule == "pregnancy-stages"
    assert "lying face down" in found.message
    assert found.message.startswith("pregnancy rules out")
    assert not found.message.endswith(".")


def test_each_condition_reports_its_own_violation() -> None:
    ex = exercise(positions=["all-fours"], demands=["weight-on-hands", "breath-hold"])
    found = violations(Form(ex), [C.KNEE_PAIN, C.WRIST_PAIN, C.HIGH_BLOOD_PRESSURE, C.KNEE_PAIN])
    assert [(v.condition, v.rule) for v in found] == [
        (C.KNEE_PAIN, "no-kneeling"),
        (C.WRIST_PAIN, "no-weight-on-hands"),
        (C.HIGH_BLOOD_PRESSURE, "no-breath-hold-or-head-down"),
    ]


# --- variants swap in ------------------------------------------------------------------


def test_forms_lists_the_exercise_first_then_each_variant() -> None:
    ex = exercise(variants=[variant("seated"), variant("wall", positions=["standing"])])
    assert [f.variant.id if f.variant else None for f in forms(ex)] == [None, "seated", "wall"]


def test_a_variant_falls_back_to_the_exercises_demands_and_places() -> None:
    ex = exercise(demands=["overhead"], variants=[variant("seated")])
    seated = forms(ex)[1]
    assert seated.demands == [Demand.OVERHEAD]
    assert seated.places == ex.places
    assert seated.positions == [Position.SEATED_CHAIR]
    assert seated.name == "Seated test move"


def test_an_all_fours_exercise_with_a_seated_variant_suits_knee_pain_through_the_variant() -> None:
    ex = exercise(positions=["all-fours"], variants=[variant("seated", demands=[])])
    allowed = safe_forms(ex, [C.KNEE_PAIN])
    assert [f.variant.id if f.variant else None for f in allowed] == ["seated"]


def test_a_variant_that_keeps_a_forbidden_demand_is_still_ruled_out() -> None:
    ex = exercise(demands=["overhead"], variants=[variant("seated")])
    assert safe_forms(ex, [C.SHOULDER_PAIN]) == []


def test_a_variant_that_drops_a_forbidden_demand_is_allowed() -> None:
    ex = exercise(demands=["overhead"], variants=[variant("seated", demands=[])])
    assert [f.variant.id for f in safe_forms(ex, [C.SHOULDER_PAIN]) if f.variant] == ["seated"]


def test_safe_forms_puts_the_base_first_without_conditions() -> None:
    ex = exercise(variants=[variant("seated")])
    assert safe_forms(ex, [])[0].variant is None


def test_a_modify_caution_moves_its_variant_to_the_front() -> None:
    ex = exercise(
        positions=["standing"],
        variants=[variant("wall", positions=["standing"]), variant("seated")],
        cautions=[
            {"condition": "pregnancy", "action": "modify", "variant": "seated", "text": "Sit."}
        ],
    )
    allowed = safe_forms(ex, [C.PREGNANCY])
    assert [f.variant.id if f.variant else None for f in allowed] == ["seated", None, "wall"]
    assert safe_forms(ex, [C.KNEE_PAIN])[0].variant is None


def test_an_avoid_caution_rules_out_every_form() -> None:
    ex = exercise(
        variants=[variant("seated")],
        cautions=[
            {"condition": "osteoporosis", "action": "avoid", "text": "Skip this with osteoporosis."}
        ],
    )
    assert safe_forms(ex, [C.OSTEOPOROSIS]) == []
    found = violations(forms(ex)[1], [C.OSTEOPOROSIS])
    assert [(v.rule, v.message) for v in found] == [(CAUTION_AVOID, "Skip this with osteoporosis")]
    assert len(safe_forms(ex, [C.KNEE_PAIN])) == 2


def test_nothing_is_safe_after_spine_surgery_until_cleared() -> None:
    ex = exercise(variants=[variant("seated")])
    assert safe_forms(ex, [C.RECENT_SPINE_SURGERY]) == []
    assert len(safe_forms(ex, [C.RECENT_SPINE_SURGERY], cleared=True)) == 2


# --- extra cues --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "conditions", "cued"),
    [
        ("strength", [C.HIGH_BLOOD_PRESSURE], True),
        ("stretch", [C.HIGH_BLOOD_PRESSURE], False),
        ("strength", [C.KNEE_PAIN], False),
        ("strength", [], False),
    ],
)
def test_high_blood_pressure_adds_the_breathing_cue_to_strength_exercises(
    kind: str, conditions: list[Condition], cued: bool
) -> None:
    form = Form(exercise(kind=kind))
    assert (BREATHING_CUE in extra_cues(form, conditions)) is cued


def test_the_breathing_cue_reads_as_the_brief_says() -> None:
    assert BREATHING_CUE == "Breathe out on the effort; never hold your breath."
    assert Kind.STRENGTH in RULES[C.HIGH_BLOOD_PRESSURE].cue_kinds


def test_a_modify_caution_without_a_variant_becomes_a_cue_for_that_condition() -> None:
    ex = exercise(
        kind="strength",
        cautions=[
            {"condition": "pregnancy", "action": "modify", "text": "Keep the arch small."},
            {"condition": "knee_pain", "action": "modify", "variant": "seated", "text": "Sit."},
        ],
        variants=[variant("seated")],
    )
    assert extra_cues(Form(ex), [C.PREGNANCY, C.KNEE_PAIN]) == ["Keep the arch small."]
    assert extra_cues(Form(ex), [C.HIGH_BLOOD_PRESSURE, C.HIGH_BLOOD_PRESSURE]) == [BREATHING_CUE]


# --- pregnancy by stage, kit, and clearance ------------------------------------------------


@pytest.mark.parametrize(
    ("weeks", "positions", "demands", "out"),
    [
        (8, ["prone"], [], False),
        (12, ["supine"], ["loaded-flexion"], False),
        (13, ["supine"], ["loaded-flexion"], True),
        (13, ["prone"], [], True),
        (13, ["all-fours"], ["belly-pressure"], True),
        (13, ["supine"], [], False),
        (19, ["supine"], [], False),
        (20, ["supine"], [], True),
        (1, ["seated-floor"], ["closed-twist"], True),
        (1, ["seated-chair"], ["levered-rotation"], True),
        (1, ["standing"], ["breath-hold"], True),
        (1, ["hanging"], [], True),
        (40, ["seated-chair"], [], False),
    ],
)
def test_pregnancy_limits_grow_with_the_weeks(
    weeks: int, positions: list[str], demands: list[str], out: bool
) -> None:
    ex = exercise(positions=positions, demands=demands)
    assert bool(violations(Form(ex), [C.PREGNANCY], pregnancy_weeks=weeks)) is out


def test_pregnancy_rules_out_barbell_and_pull_up_bar_work_at_any_stage() -> None:
    base = exercise(positions=["standing"]).model_dump()
    ex = Exercise.model_validate({**base, "equipment": ["barbell"]})
    (found,) = violations(Form(ex), [C.PREGNANCY], pregnancy_weeks=6)
    assert "barbell" in found.message


@pytest.mark.parametrize("condition", [C.OSTEOPOROSIS, C.FRAGILE_BONES, C.DISC_HERNIATION,
                                       C.PREGNANCY, C.HIGH_BLOOD_PRESSURE])  # fmt: skip
def test_clearance_never_lifts_a_conditions_limits(condition: Condition) -> None:
    ex = exercise(
        demands=["loaded-flexion", "repeated-flexion", "breath-hold", "belly-pressure"],
        positions=["supine"],
    )
    assert violations(Form(ex), [condition], cleared=True)


def test_fragile_bones_take_the_osteoporosis_cautions() -> None:
    ex = exercise(
        variants=[variant("seated")],
        cautions=[
            {"condition": "osteoporosis", "action": "modify", "variant": "seated", "text": "Sit."},
            {"condition": "osteoporosis", "action": "modify", "text": "Keep the spine long."},
        ],
    )
    assert safe_forms(ex, [C.FRAGILE_BONES])[0].variant is not None
    assert extra_cues(Form(ex), [C.FRAGILE_BONES]) == ["Keep the spine long."]
    avoid = exercise(cautions=[{"condition": "osteoporosis", "action": "avoid", "text": "No."}])
    assert safe_forms(avoid, [C.FRAGILE_BONES]) == []
