"""The closed vocabularies the catalogue, the screen and the planner share."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """What an exercise mainly does."""

    STRETCH = "stretch"
    MOBILITY = "mobility"
    STRENGTH = "strength"
    BREATHING = "breathing"
    CARDIO = "cardio"


class Direction(StrEnum):
    """Ways an exercise moves or loads the spine (article 000: move it in several)."""

    FLEXION = "flexion"
    EXTENSION = "extension"
    ROTATION = "rotation"
    SIDE_BEND = "side-bend"
    RETRACTION = "retraction"
    CORE_STABILITY = "core-stability"
    AEROBIC = "aerobic"


class Position(StrEnum):
    """Body positions an exercise is done in."""

    STANDING = "standing"
    SEATED_CHAIR = "seated-chair"
    SEATED_FLOOR = "seated-floor"
    KNEELING = "kneeling"
    ALL_FOURS = "all-fours"
    PRONE = "prone"
    SUPINE = "supine"
    HANGING = "hanging"


class Place(StrEnum):
    """Where a person is when they exercise."""

    DESK = "desk"
    CAR = "car"
    HOME = "home"
    GYM = "gym"


class Equipment(StrEnum):
    """Things an exercise needs. ``none`` means the body alone."""

    NONE = "none"
    CHAIR = "chair"
    MAT = "mat"
    DOORWAY = "doorway"
    TOWEL_ROLL = "towel-roll"
    DUMBBELLS = "dumbbells"
    RESISTANCE_BAND = "resistance-band"
    BARBELL = "barbell"
    CABLE_MACHINE = "cable-machine"
    PULL_UP_BAR = "pull-up-bar"
    EXERCISE_BALL = "exercise-ball"
    BENCH = "bench"


class Demand(StrEnum):
    """What an exercise asks of the body beyond its positions; safety rules read these."""

    LOADED_FLEXION = "loaded-flexion"
    """The spine curls forward under load or against gravity (a crunch, a sit-up)."""
    REPEATED_FLEXION = "repeated-flexion"
    """The spine bends forward many times in a row (crunch reps)."""
    END_RANGE_FLEXION = "end-range-flexion"
    """The spine rests at the end of its forward bend for a sustained hold (child's pose, a
    seated forward fold)."""
    LEVERED_ROTATION = "levered-rotation"
    """A twist pushed to the end of its range by a lever: an arm pressing against the knee or
    the chair, or the weight of the legs in a floor twist."""
    CLOSED_TWIST = "closed-twist"
    """The trunk turns towards a bent leg, so the thigh or an arm presses on the belly."""
    BELLY_PRESSURE = "belly-pressure"
    """The belly wall works hard against gravity or a weight (a crunch, a plank, a row from a
    high plank), raising the pressure inside the belly."""
    HEAD_BELOW_HEART = "head-below-heart"
    """The head rests lower than the heart (a deep forward fold with the head hanging)."""
    WEIGHT_ON_HANDS = "weight-on-hands"
    """Body weight rests on the hands with wrists bent back."""
    OVERHEAD = "overhead"
    """Arms raised above the head."""
    HANGING = "hanging"
    """The body hangs from the hands."""
    BREATH_HOLD = "breath-hold"
    """The effort tempts or needs a held breath (heavy lifts)."""
    SPINAL_LOAD = "spinal-load"
    """An external weight loads the spine (barbell, dumbbells with a bent-over trunk)."""


class Condition(StrEnum):
    """Health conditions the plan adapts to.

    ``fragile_bones`` is also derived by the screen from long-term steroids, or from a fall or
    knock at 50 or over (Finucane et al. 2020: both raise the risk of a vertebral fracture).
    """

    PREGNANCY = "pregnancy"
    OSTEOPOROSIS = "osteoporosis"
    KNEE_PAIN = "knee_pain"
    WRIST_PAIN = "wrist_pain"
    SHOULDER_PAIN = "shoulder_pain"
    HIGH_BLOOD_PRESSURE = "high_blood_pressure"
    DISC_HERNIATION = "disc_herniation"
    RECENT_SPINE_SURGERY = "recent_spine_surgery"
    FRAGILE_BONES = "fragile_bones"


class CautionAction(StrEnum):
    """What a caution tells a person with the condition to do."""

    AVOID = "avoid"
    MODIFY = "modify"


class Level(StrEnum):
    """A person's training level; picks a point inside each dose range."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Focus(StrEnum):
    """What the person most wants from a session."""

    RELIEF = "relief"
    MOBILITY = "mobility"
    STRENGTH = "strength"
    POSTURE = "posture"
    CARDIO = "cardio"
    """A walk as the main work: it may take the whole session, not just a third."""
