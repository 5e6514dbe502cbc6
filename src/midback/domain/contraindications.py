"""Which forms of an exercise a person's conditions rule out, and the cues they add.

A *form* is one way to do an exercise: the exercise itself or one of its variants. Each
condition has one rule in ``RULES`` naming the positions and demands it rules out; an
exercise's own ``avoid`` caution for a condition rules out every form, and a ``modify``
caution with a variant makes that variant the preferred form.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from midback.domain.catalogue import Caution, Exercise, Variant
from midback.domain.vocab import (
    CautionAction,
    Condition,
    Demand,
    Equipment,
    Kind,
    Place,
    Position,
)

CONDITION_LABELS: Final[Mapping[Condition, str]] = MappingProxyType(
    {
        Condition.PREGNANCY: "Pregnancy",
        Condition.OSTEOPOROSIS: "Osteoporosis (thin, fragile bones)",
        Condition.KNEE_PAIN: "Knee pain",
        Condition.WRIST_PAIN: "Wrist pain",
        Condition.SHOULDER_PAIN: "Shoulder pain",
        Condition.HIGH_BLOOD_PRESSURE: "High blood pressure",
        Condition.DISC_HERNIATION: "Slipped (herniated) disc",
        Condition.RECENT_SPINE_SURGERY: "Recent spine surgery",
        Condition.FRAGILE_BONES: "Fragile bones (long-term steroids, or a fall at 50 or over)",
    }
)
"""A plain label for each condition, for prompts, forms and messages."""

CAUTION_AVOID = "caution-avoid"
"""The rule id of a violation that comes from the exercise's own ``avoid`` caution."""

BREATHING_CUE = "Breathe out on the effort; never hold your breath."

ASSUMED_PREGNANCY_WEEKS: Final = 20
"""Weeks of pregnancy assumed when the person does not say: the strictest stage."""


@dataclass(frozen=True)
class Limit:
    """One thing a rule rules out: forms in any of ``positions``, with any of ``demands`` or
    needing any of ``equipment``; for pregnancy, from week ``from_week`` on (0: throughout)."""

    positions: frozenset[Position] = frozenset()
    demands: frozenset[Demand] = frozenset()
    equipment: frozenset[Equipment] = frozenset()
    from_week: int = 0


@dataclass(frozen=True)
class Rule:
    """What one condition rules out, and the guideline behind it.

    ``message`` names what is ruled out as a phrase that reads after "rules out" (and after
    "the plan leaves out"). A rule with ``until_cleared`` rules out every form until a
    clinician clears the person; once cleared, the rules of ``when_cleared`` apply instead.
    ``cue`` is added to every exercise whose kind is in ``cue_kinds``. Clearing never lifts
    ``limits``: a clinician's clearance lifts a refusal to plan, not a condition's limits.
    """

    id: str
    limits: tuple[Limit, ...]
    message: str
    source: str
    cue: str | None = None
    cue_kinds: frozenset[Kind] = frozenset()
    until_cleared: bool = False
    when_cleared: tuple[Condition, ...] = ()


def _limit(
    *,
    positions: Iterable[Position] = (),
    demands: Iterable[Demand] = (),
    equipment: Iterable[Equipment] = (),
    from_week: int = 0,
) -> Limit:
    return Limit(frozenset(positions), frozenset(demands), frozenset(equipment), from_week)


_FRAGILE_BONE_RULE: Final = Rule(
    id="spine-sparing",
    limits=(
        _limit(
            demands=(
                Demand.LOADED_FLEXION,
                Demand.REPEATED_FLEXION,
                Demand.END_RANGE_FLEXION,
                Demand.LEVERED_ROTATION,
                Demand.SPINAL_LOAD,
            )
        ),
    ),
    message="bending forward under load or again and again, resting at the end of a forward "
    "bend, twisting with a lever, and weights that load a bent-forward spine",
    source="Giangregorio et al. 2014, Too Fit To Fracture (Osteoporos Int 25)",
)

RULES: Final[Mapping[Condition, Rule]] = MappingProxyType(
    {
        # ACOG Committee Opinion 804 (2020): avoid heavy lifting with a held breath, activities
        # with a risk of falling (hanging from a bar, a loaded barbell) or of pressure on the
        # belly; after the first trimester the growing belly makes crunches, planks and lying
        # face down unsuitable; after about 20 weeks avoid lying flat on the back (the womb
        # presses on the vena cava). Without the weeks, midback assumes 20 or more.
        Condition.PREGNANCY: Rule(
            id="pregnancy-stages",
            limits=(
                _limit(
                    positions=(Position.HANGING,),
                    demands=(
                        Demand.HANGING,
                        Demand.BREATH_HOLD,
                        Demand.SPINAL_LOAD,
                        Demand.CLOSED_TWIST,
                        Demand.LEVERED_ROTATION,
                    ),
                    equipment=(Equipment.BARBELL, Equipment.PULL_UP_BAR),
                ),
                _limit(
                    positions=(Position.PRONE,),
                    demands=(Demand.LOADED_FLEXION, Demand.BELLY_PRESSURE),
                    from_week=13,
                ),
                _limit(positions=(Position.SUPINE,), from_week=20),
            ),
            message="barbell and hanging work, lifts that make you hold your breath, weights held "
            "bent forward and twists that press on the belly; from 13 weeks crunches, planks and "
            "lying face down; from 20 weeks lying flat on your back",
            source="ACOG Committee Opinion 804 (2020)",
        ),
        Condition.OSTEOPOROSIS: _FRAGILE_BONE_RULE,
        Condition.FRAGILE_BONES: _FRAGILE_BONE_RULE,
        # Common joint-protection advice (and the catalogue's own cautions): kneeling and
        # hands-and-knees positions load sore knees; the seated or standing forms do not.
        Condition.KNEE_PAIN: Rule(
            id="no-kneeling",
            limits=(_limit(positions=(Position.KNEELING, Position.ALL_FOURS)),),
            message="kneeling and hands-and-knees positions",
            source="joint-protection advice (midback default)",
        ),
        # Weight on bent-back wrists (and so on hands and knees) aggravates sore wrists.
        Condition.WRIST_PAIN: Rule(
            id="no-weight-on-hands",
            limits=(_limit(positions=(Position.ALL_FOURS,), demands=(Demand.WEIGHT_ON_HANDS,)),),
            message="putting weight on your hands, including hands-and-knees positions",
            source="joint-protection advice (midback default)",
        ),
        # Overhead reaching and hanging load a painful shoulder at the end of its range.
        Condition.SHOULDER_PAIN: Rule(
            id="no-overhead-or-hanging",
            limits=(
                _limit(positions=(Position.HANGING,), demands=(Demand.OVERHEAD, Demand.HANGING)),
            ),
            message="raising your arms overhead and hanging from a bar",
            source="joint-protection advice (midback default)",
        ),
        # ACSM's Guidelines for Exercise Testing and Prescription: with high blood pressure
        # breathe out on the effort and never hold the breath (the Valsalva manoeuvre spikes
        # blood pressure); head-down positions raise the pressure in the head.
        Condition.HIGH_BLOOD_PRESSURE: Rule(
            id="no-breath-hold-or-head-down",
            limits=(_limit(demands=(Demand.BREATH_HOLD, Demand.HEAD_BELOW_HEART)),),
            message="efforts that make you hold your breath and resting with your head below "
            "your heart",
            source="ACSM's Guidelines for Exercise Testing and Prescription",
            cue=BREATHING_CUE,
            cue_kinds=frozenset({Kind.STRENGTH}),
        ),
        # NICE NG59 recommends exercise for back pain and sciatica; loaded and repeated forward
        # bending, weights that load the spine and levered twists raise the load on the disc.
        Condition.DISC_HERNIATION: Rule(
            id="no-loaded-flexion-or-levered-twist",
            limits=(
                _limit(
                    demands=(
                        Demand.LOADED_FLEXION,
                        Demand.REPEATED_FLEXION,
                        Demand.SPINAL_LOAD,
                        Demand.LEVERED_ROTATION,
                    )
                ),
            ),
            message="bending forward under load or again and again, weights that load your "
            "spine and twisting with a lever",
            source="NICE NG59 (2016, updated 2020)",
        ),
        # After spine surgery exercise follows the surgeon's protocol: nothing self-guided
        # until cleared (the screen sends the person to a doctor), then the spine-sparing
        # fragile-bone and disc limits.
        Condition.RECENT_SPINE_SURGERY: Rule(
            id="no-exercise-until-cleared",
            limits=(),
            message="all exercise until a doctor or surgeon clears you",
            source="the surgeon's protocol (midback default)",
            until_cleared=True,
            when_cleared=(Condition.FRAGILE_BONES, Condition.DISC_HERNIATION),
        ),
    }
)
"""The rule each condition brings; docs and tests list it."""

_POSITION_WORDS: Final[Mapping[Position, str]] = MappingProxyType(
    {
        Position.STANDING: "standing",
        Position.SEATED_CHAIR: "sitting on a chair",
        Position.SEATED_FLOOR: "sitting on the floor",
        Position.KNEELING: "kneeling",
        Position.ALL_FOURS: "being on hands and knees",
        Position.PRONE: "lying face down",
        Position.SUPINE: "lying on your back",
        Position.HANGING: "hanging from a bar",
    }
)

_DEMAND_WORDS: Final[Mapping[Demand, str]] = MappingProxyType(
    {
        Demand.LOADED_FLEXION: "bending forward under load",
        Demand.REPEATED_FLEXION: "repeated forward bends",
        Demand.END_RANGE_FLEXION: "resting at the end of a forward bend",
        Demand.LEVERED_ROTATION: "a twist pushed further with a lever",
        Demand.CLOSED_TWIST: "a twist that presses on the belly",
        Demand.BELLY_PRESSURE: "hard work for the belly muscles",
        Demand.HEAD_BELOW_HEART: "the head below the heart",
        Demand.WEIGHT_ON_HANDS: "weight on the hands",
        Demand.OVERHEAD: "arms overhead",
        Demand.HANGING: "hanging from a bar",
        Demand.BREATH_HOLD: "a held breath",
        Demand.SPINAL_LOAD: "a weight loading the spine",
    }
)


@dataclass(frozen=True)
class Violation:
    """Why a form is ruled out for a person.

    ``rule`` is the id of the condition's rule (``RULES``), or ``CAUTION_AVOID`` when the
    exercise's own caution says to avoid it. ``message`` says why in plain words, as a clause
    with no final full stop so it reads inside a sentence ("left out: ...", "because ...").
    """

    condition: Condition
    rule: str
    message: str


@dataclass(frozen=True)
class Form:
    """One way to do an exercise: the exercise itself (``variant`` None) or one of its variants.

    The attributes are the variant's, falling back to the exercise's where the variant
    leaves them out.
    """

    exercise: Exercise
    variant: Variant | None = None

    @property
    def name(self) -> str:
        """The variant's name, or the exercise's."""
        return self.variant.name if self.variant else self.exercise.name

    @property
    def positions(self) -> list[Position]:
        """Body positions of this form."""
        return self.variant.positions if self.variant else self.exercise.positions

    @property
    def equipment(self) -> list[Equipment]:
        """Equipment this form needs."""
        return self.variant.equipment if self.variant else self.exercise.equipment

    @property
    def places(self) -> list[Place]:
        """Places this form can be done in."""
        if self.variant is not None and self.variant.places is not None:
            return self.variant.places
        return self.exercise.places

    @property
    def demands(self) -> list[Demand]:
        """What this form asks of the body."""
        if self.variant is not None and self.variant.demands is not None:
            return self.variant.demands
        return self.exercise.demands


def forms(exercise: Exercise) -> list[Form]:
    """Every form of ``exercise``: the exercise itself first, then each variant in order."""
    return [Form(exercise), *(Form(exercise, variant) for variant in exercise.variants)]


def violations(
    form: Form,
    conditions: Collection[Condition],
    *,
    cleared: bool = False,
    pregnancy_weeks: int | None = None,
) -> list[Violation]:
    """Every reason ``conditions`` rule ``form`` out; empty when the form is safe.

    ``cleared`` means a clinician has cleared the person to exercise; it lifts the blanket
    ban of ``recent_spine_surgery`` (whose spine-sparing limits then apply) and nothing else.
    ``pregnancy_weeks`` picks the pregnancy limits; None assumes ASSUMED_PREGNANCY_WEEKS.
    """
    weeks = ASSUMED_PREGNANCY_WEEKS if pregnancy_weeks is None else pregnancy_weeks
    found: list[Violation] = []
    for condition in _unique(conditions):
        read_for = _caution_conditions([condition])
        for caution in form.exercise.cautions:
            if caution.condition in read_for and caution.action is CautionAction.AVOID:
                found.append(Violation(condition, CAUTION_AVOID, caution.text.rstrip(".")))
        rule = RULES[condition]
        if rule.until_cleared and not cleared:
            message = f"{_label(condition)} rules out {rule.message}"
            found.append(Violation(condition, rule.id, message))
            continue
        applied = [RULES[c] for c in rule.when_cleared] if rule.until_cleared else [rule]
        for each in applied:
            violation = _apply(each, condition, form, weeks)
            if violation is not None:
                found.append(violation)
    return found


def safe_forms(
    exercise: Exercise,
    conditions: Collection[Condition],
    *,
    cleared: bool = False,
    pregnancy_weeks: int | None = None,
) -> list[Form]:
    """The forms of ``exercise`` no condition rules out, base first.

    Variants that the exercise's ``modify`` cautions name for the person's conditions come
    first, as the preferred forms.
    """
    preferred = _preferred_variants(exercise, conditions)
    allowed = [
        f
        for f in forms(exercise)
        if not violations(f, conditions, cleared=cleared, pregnancy_weeks=pregnancy_weeks)
    ]
    return sorted(allowed, key=lambda f: f.variant is None or f.variant.id not in preferred)


def extra_cues(form: Form, conditions: Collection[Condition]) -> list[str]:
    """Cues the person's conditions add to ``form``, in condition order, without repeats.

    These are each rule's cue for the exercise's kind (the blood-pressure breathing cue on
    strength work) and the text of the exercise's ``modify`` cautions that name no variant.
    """
    cues: list[str] = []
    for condition in _unique(conditions):
        rule = RULES[condition]
        if rule.cue is not None and form.exercise.kind in rule.cue_kinds:
            cues.append(rule.cue)
        read_for = _caution_conditions([condition])
        for caution in form.exercise.cautions:
            if (
                caution.condition in read_for
                and caution.action is CautionAction.MODIFY
                and caution.variant is None
            ):
                cues.append(caution.text)
    return list(dict.fromkeys(cues))


def _apply(rule: Rule, condition: Condition, form: Form, weeks: int) -> Violation | None:
    hits: list[str] = []
    for limit in rule.limits:
        if condition is Condition.PREGNANCY and weeks < limit.from_week:
            continue
        hits += [_POSITION_WORDS[p] for p in form.positions if p in limit.positions]
        hits += [_DEMAND_WORDS[d] for d in form.demands if d in limit.demands]
        hits += [f"needs a {e.value.replace('-', ' ')}" for e in form.equipment
                 if e in limit.equipment]  # fmt: skip
    if not hits:
        return None
    shown = ", ".join(dict.fromkeys(hits))
    message = f"{_label(condition)} rules out {rule.message} (this form: {shown})"
    return Violation(condition, rule.id, message)


def _label(condition: Condition) -> str:
    return CONDITION_LABELS[condition].lower()


def preferring_caution(
    exercise: Exercise, variant_id: str, conditions: Collection[Condition]
) -> Caution | None:
    """The exercise's ``modify`` caution that names ``variant_id`` for one of ``conditions``."""
    wanted = _caution_conditions(conditions)
    for caution in exercise.cautions:
        if (
            caution.action is CautionAction.MODIFY
            and caution.variant == variant_id
            and caution.condition in wanted
        ):
            return caution
    return None


def _preferred_variants(exercise: Exercise, conditions: Collection[Condition]) -> set[str]:
    wanted = _caution_conditions(conditions)
    return {
        c.variant
        for c in exercise.cautions
        if c.action is CautionAction.MODIFY and c.variant is not None and c.condition in wanted
    }


def _unique(conditions: Iterable[Condition]) -> list[Condition]:
    return list(dict.fromkeys(conditions))


def _caution_conditions(conditions: Iterable[Condition]) -> set[Condition]:
    """The conditions an exercise's cautions are read for: fragile bones (steroids, a fall at
    50 or over) take the osteoporosis cautions, which are written for the same fragility."""
    found = set(conditions)
    if Condition.FRAGILE_BONES in found:
        found.add(Condition.OSTEOPOROSIS)
    return found
