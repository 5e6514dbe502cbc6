"""Figures of the exercises: a small 3D skeleton posed by joint angles, checked, and projected.

A figure is one person 1.0 unit tall standing, with the segment lengths of an average adult
(Drillis and Contini's fractions of height, rounded). World axes: ``x`` forward (where the
figure faces when its root is not turned), ``y`` up, ``z`` to the figure's left. Joint angles
are in degrees and all zero in the anatomical standing position (arms hanging, palms forward).

Every joint turns its child segment relative to its parent, so a pose reads like a
physiotherapist's description: ``hip_l: {flex: 90}`` is a thigh raised forward to the
horizontal whatever the trunk does. Limbs of the right side are the mirror images of the left
side's with the same angles, so ``flex``, ``abd`` and ``rot`` mean the same on both sides.

Pose checks (``check_figure``): every angle within ``JOINT_LIMITS``; the body rests on the
parts its pose names as support (feet, knees, hands, back...) on the floor or on a prop's
surface (chair seat, bench, ball, roll), within ``CONTACT_TOLERANCE``, and no point of it is
below the floor or inside a solid prop; key poses differ by at least ``MIN_POSE_CHANGE``
degrees when the exercise moves.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Vec = tuple[float, float, float]
Mat = tuple[Vec, Vec, Vec]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]

# -- the skeleton -----------------------------------------------------------------------------

SPINE_SEGMENTS = (0.100, 0.100, 0.088)
"""Pelvis to waist (lumbar), waist to mid-chest, mid-chest to the base of the neck."""
SPINE_SHARE = {
    "flex": (0.30, 0.35, 0.35),
    "side": (0.30, 0.35, 0.35),
    "twist": (0.10, 0.45, 0.45),
}
"""How a spine angle is shared by its segments: turning happens mostly in the thoracic spine."""
NECK = 0.100
"""Base of the neck to the centre of the head."""
HEAD_RADIUS = 0.056
CLAVICLE: Vec = (0.0, -0.012, 0.115)
"""Base of the neck to the left shoulder joint, in the chest's frame."""
HIP_HALF_WIDTH = 0.055
UPPER_ARM = 0.186
FOREARM = 0.146
HAND = 0.070
THIGH = 0.245
SHANK = 0.285
"""Knee to the sole: the stick figure's shin reaches the floor (a standing hip is at 0.53)."""
FOOT = 0.120

BAR_HEIGHT = 1.30
"""Height of a pull-up bar: a figure hanging from it hangs with its hands there."""
CONTACT_TOLERANCE = 0.03
"""How far (in heights) a supporting part may be from its surface, about 5 cm on a person."""
MIN_POSE_CHANGE = 8.0
"""Key poses of an exercise that moves differ by at least this many degrees in some angle."""

JOINT_LIMITS: dict[str, tuple[float, float]] = {
    "spine.flex": (-45, 90),
    "spine.side": (-35, 35),
    "spine.twist": (-45, 45),
    "neck.flex": (-60, 70),
    "neck.side": (-45, 45),
    "neck.twist": (-80, 80),
    "girdle.elev": (-10, 35),
    "girdle.retract": (-25, 25),
    "shoulder.elev": (-60, 180),
    "shoulder.plane": (-95, 150),
    "shoulder.rot": (-90, 90),
    "elbow": (0, 150),
    "wrist": (-90, 90),
    "hip.flex": (-30, 140),
    "hip.abd": (-30, 60),
    "hip.rot": (-45, 45),
    "knee": (0, 155),
    "ankle": (-90, 30),
    "root.pitch": (-180, 180),
    "root.roll": (-90, 90),
    "root.yaw": (-180, 180),
}
"""Active ranges of an adult, a little generous for drawing (degrees).

spine: flexion (forward) to 90 and extension to 45 for the whole thoracolumbar spine (a cobra
with straight arms), side bend 35 and rotation 45 each way. neck: flexion 70, extension 60,
side bend 45, rotation 80. girdle (clavicle at the sternum): elevation 35 (a shrug),
depression 10, retraction and protraction 25. shoulder: ``elev`` is the arm's elevation from
hanging (180 overhead, negative behind the body) in the plane ``plane`` (0 in front, 90 out to
the side, to -95 across the body, to 150 reaching behind it). elbow 0-150. wrist: the hand bent
-90 to 90 from the
forearm's line (90 lays the hand flat on the floor under a vertical forearm). hip: flexion to
140 (a deep squat or child's pose), extension 30, abduction 60, adduction 30, rotation 45.
knee 0-155. ankle: dorsiflexion 30, plantar flexion to 90 (kneeling with the feet pointed).
"""


class View(StrEnum):
    """Where the camera stands: beside the figure's left, in front, behind, or between."""

    SIDE = "side"
    FRONT = "front"
    BACK = "back"
    THREE_QUARTER = "three-quarter"
    THREE_QUARTER_BACK = "three-quarter-back"


CAMERAS: dict[View, tuple[float, float]] = {
    View.SIDE: (74.0, 9.0),
    View.FRONT: (0.0, 0.0),
    View.BACK: (180.0, 0.0),
    View.THREE_QUARTER: (40.0, 12.0),
    View.THREE_QUARTER_BACK: (140.0, 12.0),
}
"""(azimuth, elevation) of each view: azimuth 0 looks at the figure's front, 90 at its left."""


class Part(StrEnum):
    """Parts of the body a pose can rest on."""

    FEET = "feet"
    FOOT_L = "foot_l"
    FOOT_R = "foot_r"
    TOES = "toes"
    HEELS = "heels"
    KNEES = "knees"
    KNEE_L = "knee_l"
    KNEE_R = "knee_r"
    SHINS = "shins"
    LEGS = "legs"
    HANDS = "hands"
    HAND_L = "hand_l"
    HAND_R = "hand_r"
    FOREARMS = "forearms"
    FOREARM_L = "forearm_l"
    FOREARM_R = "forearm_r"
    SEAT = "seat"
    HIPS = "hips"
    BACK = "back"
    SHOULDERS = "shoulders"
    UPPER_BACK = "upper_back"
    CHEST = "chest"
    HEAD = "head"
    SHOULDER_L = "shoulder_l"
    SHOULDER_R = "shoulder_r"
    GRIP = "grip"
    """Hanging: the hands hold a pull-up bar."""


CONTACTS: dict[Part, tuple[tuple[str, ...], ...]] = {
    Part.FEET: (("ankle_l", "toe_l"), ("ankle_r", "toe_r")),
    Part.FOOT_L: (("ankle_l", "toe_l"),),
    Part.FOOT_R: (("ankle_r", "toe_r"),),
    Part.TOES: (("toe_l",), ("toe_r",)),
    Part.HEELS: (("ankle_l",), ("ankle_r",)),
    Part.KNEES: (("knee_l",), ("knee_r",)),
    Part.KNEE_L: (("knee_l",),),
    Part.KNEE_R: (("knee_r",),),
    Part.SHINS: (("knee_l",), ("ankle_l", "toe_l"), ("knee_r",), ("ankle_r", "toe_r")),
    Part.LEGS: (("knee_l",), ("ankle_l", "toe_l"), ("knee_r",), ("ankle_r", "toe_r")),
    Part.HANDS: (("wrist_l", "hand_l"), ("wrist_r", "hand_r")),
    Part.HAND_L: (("wrist_l", "hand_l"),),
    Part.HAND_R: (("wrist_r", "hand_r"),),
    Part.FOREARMS: (("elbow_l",), ("wrist_l", "hand_l"), ("elbow_r",), ("wrist_r", "hand_r")),
    Part.FOREARM_L: (("elbow_l",), ("wrist_l", "hand_l")),
    Part.FOREARM_R: (("elbow_r",), ("wrist_r", "hand_r")),
    Part.SEAT: (("pelvis", "hip_l", "hip_r"),),
    Part.HIPS: (("pelvis", "hip_l", "hip_r"),),
    Part.BACK: (("pelvis", "waist"), ("chest", "neck")),
    Part.SHOULDERS: (("neck", "shoulder_l", "shoulder_r"),),
    Part.UPPER_BACK: (("chest",),),
    Part.CHEST: (("chest", "neck"),),
    Part.HEAD: (("head",),),
    Part.SHOULDER_L: (("shoulder_l",),),
    Part.SHOULDER_R: (("shoulder_r",),),
    Part.GRIP: (("hand_l",), ("hand_r",)),
}
"""Each part is one or more contacts; a contact touches when its lowest point does."""

POINT_RADIUS = {"head": HEAD_RADIUS}
"""Points drawn with a size: the head's lowest point is its centre less its radius."""

POINTS = (
    "pelvis",
    "waist",
    "chest",
    "neck",
    "head",
    "shoulder_l",
    "elbow_l",
    "wrist_l",
    "hand_l",
    "shoulder_r",
    "elbow_r",
    "wrist_r",
    "hand_r",
    "hip_l",
    "knee_l",
    "ankle_l",
    "toe_l",
    "hip_r",
    "knee_r",
    "ankle_r",
    "toe_r",
)
"""Every point of the skeleton, in drawing order within its limb."""

# -- poses ------------------------------------------------------------------------------------


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Spine(_Frozen):
    """Forward flexion (negative: extension), side bend to the left, twist to the left."""

    flex: float = 0.0
    side: float = 0.0
    twist: float = 0.0


class Girdle(_Frozen):
    """The shoulder girdle: ``elev`` lifts the shoulder (a shrug), ``retract`` draws it back."""

    elev: float = 0.0
    retract: float = 0.0


class Shoulder(_Frozen):
    """The arm raised by ``elev`` in the plane ``plane`` (0 in front, 90 out to the side)."""

    elev: float = 0.0
    plane: float = 0.0
    rot: float = 0.0
    """Internal rotation: which way the elbow bends."""


class Hip(_Frozen):
    """The thigh: ``flex`` forward (negative: behind), ``abd`` outwards, ``rot`` inwards."""

    flex: float = 0.0
    abd: float = 0.0
    rot: float = 0.0


_PAIRED = ("girdle", "shoulder", "elbow", "wrist", "hip", "knee", "ankle")


class Joints(_Frozen):
    """Every joint's angles; a paired joint without a side (``knee: 90``) sets both sides."""

    spine: Spine = Spine()
    neck: Spine = Spine()
    girdle_l: Girdle = Girdle()
    girdle_r: Girdle = Girdle()
    shoulder_l: Shoulder = Shoulder()
    shoulder_r: Shoulder = Shoulder()
    elbow_l: float = 0.0
    elbow_r: float = 0.0
    wrist_l: float = 0.0
    wrist_r: float = 0.0
    hip_l: Hip = Hip()
    hip_r: Hip = Hip()
    knee_l: float = 0.0
    knee_r: float = 0.0
    ankle_l: float = 0.0
    ankle_r: float = 0.0

    @model_validator(mode="before")
    @classmethod
    def _both_sides(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        out = {k: v for k, v in data.items() if k not in _PAIRED}
        for name in _PAIRED:
            if name in data:
                for side in ("l", "r"):
                    key = f"{name}_{side}"
                    given = out.get(key)
                    both = data[name]
                    if isinstance(both, dict) and isinstance(given, dict):
                        out[key] = {**both, **given}
                    elif given is None:
                        out[key] = both
        return out


class Root(_Frozen):
    """The pelvis's orientation: ``pitch`` tips the trunk forward (90: face down, -90: face up)."""

    pitch: float = 0.0
    roll: float = 0.0
    """Tilts the body towards its left."""
    yaw: float = 0.0
    """Turns the body to its left."""


class Pose(_Frozen):
    """A key pose: a name the player's cues refer to, the angles, and what it rests on."""

    name: Slug
    root: Root = Root()
    joints: Joints = Joints()
    support: list[Part] | None = None
    """What the body rests on in this pose; the figure's ``support`` when left out."""


class PropKind(StrEnum):
    """Things drawn with the figure; the names are the catalogue's equipment."""

    MAT = "mat"
    CHAIR = "chair"
    DOORWAY = "doorway"
    TOWEL_ROLL = "towel-roll"
    DUMBBELLS = "dumbbells"
    RESISTANCE_BAND = "resistance-band"
    BARBELL = "barbell"
    CABLE_MACHINE = "cable-machine"
    PULL_UP_BAR = "pull-up-bar"
    EXERCISE_BALL = "exercise-ball"
    BENCH = "bench"


ATTACHED = frozenset(
    {PropKind.DUMBBELLS, PropKind.RESISTANCE_BAND, PropKind.BARBELL, PropKind.CABLE_MACHINE}
)
"""Props that move with the body (in the hands); the others stay where the first pose sets them."""


class Prop(_Frozen):
    """A prop, placed at body points ``at`` of the first pose (or of every pose when held)."""

    kind: PropKind
    at: list[str] = Field(default_factory=list)
    """Body points: a chair's seat under ``pelvis``, dumbbells in ``hand_l``/``hand_r``..."""
    part: Literal["seat", "back"] = "seat"
    """Which part of a chair is at ``at``: the seat (sitting) or the top of its back (a hand)."""
    seat_back: float = 0.12
    """How far behind ``at`` a chair's back stands when sitting (small: leaning on it)."""
    back: bool = True
    """False draws a stool: a chair without a back (when the back would hide the figure)."""
    grip: Literal["lateral", "forward"] = "lateral"
    """Which way a dumbbell's handle runs: across the body, or forwards (palms facing in)."""

    @model_validator(mode="after")
    def _known_points(self) -> Prop:
        for name in self.at:
            if name not in POINTS:
                raise ValueError(f"unknown body point {name!r} (one of {', '.join(POINTS)})")
        return self


CueName = Literal[
    "get-ready", "intro", "rep", "move", "hold", "breathe-in", "breathe-out", "switch-sides", "rest"
]


class Show(_Frozen):
    """What the still picture shows: ``pose`` drawn fully, over a faint ``ghost`` pose."""

    pose: Slug | None = None
    ghost: Slug | None = None
    mover: str | None = None
    """The body point whose path the motion arrow follows (the one moving most when None)."""
    inset: bool | None = None
    """A close-up of the moving part: True or False, or None for one when it moves little."""

    @model_validator(mode="after")
    def _known_mover(self) -> Show:
        if self.mover is not None and self.mover not in POINTS:
            raise ValueError(f"unknown body point {self.mover!r} (one of {', '.join(POINTS)})")
        return self


class Camera(_Frozen):
    """A camera between the views: azimuth 0 in front, 90 at the figure's left; elevation up."""

    azimuth: float = Field(ge=-180, le=360)
    elevation: float = Field(default=0.0, ge=0, le=85)


class FigureSpec(_Frozen):
    """How to draw one exercise or variant: view, support, props, key poses, cue mapping."""

    view: View = View.SIDE
    camera: Camera | None = None
    """Overrides ``view``'s camera when an exercise needs a particular angle."""
    support: list[Part] = Field(min_length=1)
    anchor: Part | None = None
    """The part kept in place from pose to pose; the first support part when left out."""
    props: list[Prop] = Field(default_factory=list)
    poses: list[Pose] = Field(min_length=1)
    cue_poses: dict[CueName, list[Slug]] = Field(default_factory=dict)
    """Which poses each kind of cue moves through, in order (the rest have defaults)."""
    drawn_side: Literal["left", "right"] = "left"
    """The side the poses show; the other side's cues show their mirror image."""
    moves: bool = True
    """False for an exercise held still, whose key poses may be alike."""
    cycle_s: float | None = Field(default=None, gt=0)
    """A hold goes round its cue poses every this many seconds (walking, leg swings)."""
    show: Show = Show()

    @model_validator(mode="after")
    def _names(self) -> FigureSpec:
        names = [p.name for p in self.poses]
        if len(set(names)) != len(names):
            raise ValueError("pose names repeat")
        for kind, targets in self.cue_poses.items():
            for target in targets:
                if target not in names:
                    raise ValueError(f"cue_poses.{kind}: no pose called {target!r}")
        for shown in (self.show.pose, self.show.ghost):
            if shown is not None and shown not in names:
                raise ValueError(f"show: no pose called {shown!r}")
        return self

    def pose(self, name: str) -> Pose:
        """The key pose called ``name``."""
        for pose in self.poses:
            if pose.name == name:
                return pose
        raise KeyError(name)

    def support_of(self, pose: Pose) -> list[Part]:
        """What ``pose`` rests on."""
        return pose.support if pose.support is not None else self.support

    def cue_targets(self, kind: str) -> list[str]:
        """The poses a cue of ``kind`` moves through, in order.

        Defaults: a rep goes to the last pose and back to the first; a move, a hold and the
        breaths go to (or stay in) the last pose; everything else shows the first.
        """
        given = self.cue_poses.get(kind)  # type: ignore[call-overload]
        if given:
            return list(given)
        first, last = self.poses[0].name, self.poses[-1].name
        if kind == "rep":
            return [last, first] if first != last else [first]
        if kind in ("move", "hold", "breathe-in", "breathe-out"):
            return [last]
        return [first]

    def shown(self) -> tuple[str, str | None]:
        """The still picture's pose and ghost (defaults: the last pose over the first)."""
        pose = self.show.pose or self.poses[-1].name
        ghost = self.show.ghost
        if ghost is None and self.show.pose is None and len(self.poses) > 1:
            ghost = self.poses[0].name
        return pose, (ghost if ghost != pose else None)


# -- angles: limits, distance, mirror, blend ---------------------------------------------------


def angles(pose: Pose) -> dict[str, float]:
    """Every angle of ``pose`` by its field path, e.g. ``joints.hip_l.flex``."""
    out = {f"root.{k}": float(v) for k, v in pose.root.model_dump().items()}
    for name, value in pose.joints.model_dump().items():
        if isinstance(value, dict):
            for axis, number in value.items():
                out[f"joints.{name}.{axis}"] = float(number)
        else:
            out[f"joints.{name}"] = float(value)
    return out


def limit_of(path: str) -> tuple[float, float]:
    """The range ``JOINT_LIMITS`` gives the angle at ``path`` (``joints.knee_l`` -> knee)."""
    name = path.removeprefix("joints.")
    parts = name.split(".")
    joint = parts[0].removesuffix("_l").removesuffix("_r")
    key = ".".join([joint, *parts[1:]])
    return JOINT_LIMITS[key]


def pose_distance(a: Pose, b: Pose) -> float:
    """The largest difference between two poses' angles, in degrees."""
    first, second = angles(a), angles(b)
    return max(abs(first[k] - second[k]) for k in first)


def mirrored(pose: Pose) -> Pose:
    """The pose done on the other side: left and right swapped, turns and tilts reversed."""
    data = pose.model_dump()
    joints = data["joints"]
    for name in _PAIRED:
        joints[f"{name}_l"], joints[f"{name}_r"] = joints[f"{name}_r"], joints[f"{name}_l"]
    for spine in (joints["spine"], joints["neck"]):
        spine["side"], spine["twist"] = -spine["side"], -spine["twist"]
    data["root"]["roll"], data["root"]["yaw"] = -data["root"]["roll"], -data["root"]["yaw"]
    if data["support"] is not None:
        data["support"] = [mirror_part(Part(p)) for p in data["support"]]
    return Pose.model_validate(data)


_SIDED = {
    Part.FOOT_L: Part.FOOT_R,
    Part.KNEE_L: Part.KNEE_R,
    Part.HAND_L: Part.HAND_R,
    Part.FOREARM_L: Part.FOREARM_R,
    Part.SHOULDER_L: Part.SHOULDER_R,
}
_SIDED |= {v: k for k, v in _SIDED.items()}


def mirror_prop(prop: Prop) -> Prop:
    """The prop for the mirrored pose: held in, or placed at, the other side's points."""
    flip = {"_l": "_r", "_r": "_l"}
    return prop.model_copy(update={"at": [n[:-2] + flip.get(n[-2:], n[-2:]) for n in prop.at]})


def mirror_part(part: Part) -> Part:
    """The same part on the other side (``foot_l`` for ``foot_r``); ``feet`` stays ``feet``."""
    return _SIDED.get(part, part)


def blend(a: Pose, b: Pose, t: float) -> Pose:
    """The pose a fraction ``t`` of the way from ``a`` to ``b`` (angle by angle)."""
    first, second = a.model_dump(), b.model_dump()

    def mix(x: object, y: object) -> object:
        if isinstance(x, dict) and isinstance(y, dict):
            return {k: mix(x[k], y[k]) for k in x}
        if isinstance(x, int | float) and isinstance(y, int | float):
            return x + (y - x) * t
        return x if t < 0.5 else y

    mixed = {
        "name": a.name,
        "root": mix(first["root"], second["root"]),
        "joints": mix(first["joints"], second["joints"]),
        "support": _union(a.support, b.support),
    }
    return Pose.model_validate(mixed)


def _union(a: list[Part] | None, b: list[Part] | None) -> list[Part] | None:
    if a is None or b is None:
        return a or b
    return list(dict.fromkeys([*a, *b]))


# -- vectors ----------------------------------------------------------------------------------


def _rx(deg: float) -> Mat:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return ((1.0, 0.0, 0.0), (0.0, c, -s), (0.0, s, c))


def _ry(deg: float) -> Mat:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return ((c, 0.0, s), (0.0, 1.0, 0.0), (-s, 0.0, c))


def _rz(deg: float) -> Mat:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return ((c, -s, 0.0), (s, c, 0.0), (0.0, 0.0, 1.0))


def _mul(a: Mat, b: Mat) -> Mat:
    rows = tuple(
        tuple(sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)) for i in range(3)
    )
    return rows  # type: ignore[return-value]


def _chain(*mats: Mat) -> Mat:
    out: Mat = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    for m in mats:
        out = _mul(out, m)
    return out


def _apply(m: Mat, v: Vec) -> Vec:
    return (
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    )


def _add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _scale(v: Vec, k: float) -> Vec:
    return (v[0] * k, v[1] * k, v[2] * k)


def _mirror(v: Vec) -> Vec:
    return (v[0], v[1], -v[2])


def _centre(points: Iterable[Vec]) -> Vec:
    pts = list(points)
    n = len(pts)
    return (sum(p[0] for p in pts) / n, sum(p[1] for p in pts) / n, sum(p[2] for p in pts) / n)


# -- forward kinematics -----------------------------------------------------------------------

_DOWN: Vec = (0.0, -1.0, 0.0)


def _spine_turn(spine: Spine, share: int) -> Mat:
    return _chain(
        _rz(-spine.flex * SPINE_SHARE["flex"][share]),
        _rx(spine.side * SPINE_SHARE["side"][share]),
        _ry(-spine.twist * SPINE_SHARE["twist"][share]),
    )


def _arm(girdle: Girdle, shoulder: Shoulder, elbow: float, wrist: float) -> list[Vec]:
    """Shoulder, elbow, wrist and hand of a left arm, from the neck base in the chest's frame."""
    clavicle = _chain(_ry(-girdle.retract), _rx(-girdle.elev))
    joint = _apply(clavicle, CLAVICLE)
    upper = _chain(_ry(-shoulder.plane), _rz(shoulder.elev), _ry(shoulder.rot))
    elbow_at = _add(joint, _apply(upper, _scale(_DOWN, UPPER_ARM)))
    fore = _mul(upper, _rz(elbow))
    wrist_at = _add(elbow_at, _apply(fore, _scale(_DOWN, FOREARM)))
    hand = _mul(fore, _rz(wrist))
    return [joint, elbow_at, wrist_at, _add(wrist_at, _apply(hand, _scale(_DOWN, HAND)))]


def _leg(hip: Hip, knee: float, ankle: float) -> list[Vec]:
    """Hip, knee, ankle and toe of a left leg, from the pelvis in the pelvis's frame."""
    joint: Vec = (0.0, 0.0, HIP_HALF_WIDTH)
    thigh = _chain(_rz(hip.flex), _rx(-hip.abd), _ry(hip.rot))
    knee_at = _add(joint, _apply(thigh, _scale(_DOWN, THIGH)))
    shank = _mul(thigh, _rz(-knee))
    ankle_at = _add(knee_at, _apply(shank, _scale(_DOWN, SHANK)))
    foot = _mul(shank, _rz(ankle))
    return [joint, knee_at, ankle_at, _add(ankle_at, _apply(foot, (FOOT, 0.0, 0.0)))]


@dataclass(frozen=True)
class Skeleton:
    """A posed skeleton: every point of ``POINTS`` and the way the face looks."""

    points: dict[str, Vec]
    face: Vec
    """Unit vector out of the face (used to draw the nose)."""
    up: Vec
    """Unit vector out of the top of the head."""

    def moved(self, offset: Vec) -> Skeleton:
        """The same skeleton moved by ``offset``."""
        return Skeleton({k: _add(v, offset) for k, v in self.points.items()}, self.face, self.up)


def skeleton(pose: Pose) -> Skeleton:
    """Forward kinematics: the points of ``pose`` with the pelvis at the origin."""
    j = pose.joints
    root = _chain(_ry(-pose.root.yaw), _rz(-pose.root.pitch), _rx(pose.root.roll))
    points: dict[str, Vec] = {"pelvis": (0.0, 0.0, 0.0)}
    frame = root
    at: Vec = (0.0, 0.0, 0.0)
    for index, name in enumerate(("waist", "chest", "neck")):
        frame = _mul(frame, _spine_turn(j.spine, index))
        at = _add(at, _apply(frame, (0.0, SPINE_SEGMENTS[index], 0.0)))
        points[name] = at
    chest = frame
    neck = _chain(chest, _rz(-j.neck.flex), _rx(j.neck.side), _ry(-j.neck.twist))
    points["head"] = _add(at, _apply(neck, (0.0, NECK, 0.0)))
    for side, mirror in (("l", False), ("r", True)):
        arm = _arm(
            getattr(j, f"girdle_{side}"),
            getattr(j, f"shoulder_{side}"),
            getattr(j, f"elbow_{side}"),
            getattr(j, f"wrist_{side}"),
        )
        leg = _leg(
            getattr(j, f"hip_{side}"), getattr(j, f"knee_{side}"), getattr(j, f"ankle_{side}")
        )
        for names, local, base, turn in (
            (("shoulder", "elbow", "wrist", "hand"), arm, at, chest),
            (("hip", "knee", "ankle", "toe"), leg, points["pelvis"], root),
        ):
            for name, vector in zip(names, local, strict=True):
                v = _mirror(vector) if mirror else vector
                points[f"{name}_{side}"] = _add(base, _apply(turn, v))
    return Skeleton(points, _apply(neck, (1.0, 0.0, 0.0)), _apply(neck, (0.0, 1.0, 0.0)))


# -- props ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """An axis-aligned box: ``solid`` ones may hold no body point, ``surface`` ones bear weight."""

    lo: Vec
    hi: Vec
    surface: bool = False
    solid: bool = False


@dataclass(frozen=True)
class Ball:
    """A sphere (an exercise ball); its top bears weight."""

    centre: Vec
    radius: float


@dataclass(frozen=True)
class Roll:
    """A cylinder lying along ``z`` (a towel roll); its top bears weight."""

    centre: Vec
    radius: float
    half_length: float


@dataclass(frozen=True)
class Disc:
    """A flat disc (a weight plate) facing along ``normal``."""

    centre: Vec
    normal: Vec
    radius: float


@dataclass(frozen=True)
class Strand:
    """A line through points: a band, a cable, a bar."""

    points: tuple[Vec, ...]
    thick: bool = False


Shape = Box | Ball | Roll | Disc | Strand


@dataclass(frozen=True)
class PropShapes:
    """One prop's shapes, ready to draw."""

    kind: PropKind
    shapes: tuple[Shape, ...]


CHAIR_SEAT = 0.28
CHAIR_TOP = 0.52
BENCH_TOP = 0.25
BALL_RADIUS = 0.19
ROLL_RADIUS = 0.05
MAT_THICKNESS = 0.008
MAT_HALF_WIDTH = 0.2
"""A mat is about 0.4 of a person's height wide (70 cm)..."""
MAT_MARGIN = 0.06
"""...or wider, and this much longer than the body on it at each end (a little: the body,
not its mat, sets the width of the picture)."""


def _anchor(prop: Prop, points: dict[str, Vec]) -> Vec:
    return _centre(points[name] for name in prop.at) if prop.at else (0.0, 0.0, 0.0)


def _box(x0: float, x1: float, y0: float, y1: float, z0: float, z1: float, **kw: bool) -> Box:
    return Box(
        (min(x0, x1), min(y0, y1), min(z0, z1)), (max(x0, x1), max(y0, y1), max(z0, z1)), **kw
    )


def _chair(prop: Prop, points: dict[str, Vec]) -> tuple[Shape, ...]:
    x, _, z = _anchor(prop, points)
    depth, half, board = 0.24, 0.13, 0.025
    back = x - 0.005 if prop.part == "back" else x - prop.seat_back
    front = back + depth
    legs = tuple(
        _box(lx, lx + 0.022, 0.0, CHAIR_SEAT - board, lz, lz + 0.022)
        for lx in (back, front - 0.022)
        for lz in (z - half, z + half - 0.022)
    )
    seat = _box(
        back, front, CHAIR_SEAT - board, CHAIR_SEAT, z - half, z + half, surface=True, solid=True
    )
    if not prop.back:
        return (*legs, seat)
    rest = _box(back - board, back, CHAIR_SEAT - board, CHAIR_TOP, z - half, z + half, surface=True)
    return (*legs, seat, rest)


def _bench(prop: Prop, points: dict[str, Vec]) -> tuple[Shape, ...]:
    xs = [points[n][0] for n in prop.at]
    z = _anchor(prop, points)[2]
    x0, x1, half = min(xs) - 0.12, max(xs) + 0.12, 0.085
    top = _box(x0, x1, BENCH_TOP - 0.05, BENCH_TOP, z - half, z + half, surface=True, solid=True)
    legs = tuple(
        _box(lx, lx + 0.03, 0.0, BENCH_TOP - 0.05, z - half + 0.02, z + half - 0.02)
        for lx in (x0 + 0.04, x1 - 0.07)
    )
    return (*legs, top)


def _doorway(prop: Prop, points: dict[str, Vec]) -> tuple[Shape, ...]:
    x = _anchor(prop, points)[0] + 0.012
    inner = max(0.2, min(abs(points[n][2]) for n in prop.at) - 0.09)
    outer, wall, top = inner + 0.06, 0.06, 1.2
    return (
        _box(x, x + wall, 0.0, top, inner, outer),
        _box(x, x + wall, 0.0, top, -outer, -inner),
        _box(x, x + wall, top, top + 0.05, -outer, outer),
    )


def _dumbbells(prop: Prop, points: dict[str, Vec]) -> tuple[Shape, ...]:
    axis: Vec = (0.0, 0.0, 1.0) if prop.grip == "lateral" else (1.0, 0.0, 0.0)
    shapes: list[Shape] = []
    for name in prop.at:
        hand = _palm(name, points)
        ends = [_add(hand, _scale(axis, k)) for k in (-0.055, 0.055)]
        shapes.append(Strand((ends[0], ends[1]), thick=True))
        shapes.extend(Disc(end, axis, 0.034) for end in ends)
    return tuple(shapes)


def _palm(name: str, points: dict[str, Vec]) -> Vec:
    """Where a hand holds a handle: halfway along the hand (``hand_l`` is the fingertips)."""
    if name.startswith("hand_"):
        wrist = points["wrist_" + name[-1]]
        return _centre((wrist, points[name]))
    return points[name]


def _barbell(prop: Prop, points: dict[str, Vec]) -> tuple[Shape, ...]:
    x, y, z = _centre(_palm(n, points) for n in prop.at)
    axis: Vec = (0.0, 0.0, 1.0)
    shapes: list[Shape] = [Strand(((x, y, z - 0.5), (x, y, z + 0.5)), thick=True)]
    shapes.extend(Disc((x, y, z + k), axis, 0.075) for k in (-0.36, 0.36))
    return tuple(shapes)


def _band(prop: Prop, points: dict[str, Vec]) -> tuple[Shape, ...]:
    return (Strand(tuple(points[n] for n in prop.at)),)


def _cable(prop: Prop, points: dict[str, Vec]) -> tuple[Shape, ...]:
    x, y, z = _centre(_palm(n, points) for n in prop.at)
    feet = max(points[n][0] for n in ("toe_l", "toe_r", "ankle_l", "ankle_r"))
    column = feet + 0.03
    pulley: Vec = (column, 0.2, 0.0)
    return (
        _box(column, column + 0.14, 0.0, 0.95, -0.11, 0.11),
        _box(column - 0.03, column, 0.0, 0.13, -0.12, 0.12),
        Strand((pulley, (x, y, z))),
        Strand(((x, y, z - 0.07), (x, y, z + 0.07)), thick=True),
    )


def _pull_up_bar(prop: Prop, points: dict[str, Vec]) -> tuple[Shape, ...]:
    x, _, z = _anchor(prop, points)
    y = BAR_HEIGHT
    top = y + 0.12
    return (
        Strand(((x, y, z - 0.45), (x, y, z + 0.45)), thick=True),
        Strand(((x, y, z - 0.45), (x, top, z - 0.45))),
        Strand(((x, y, z + 0.45), (x, top, z + 0.45))),
    )


def _ball(prop: Prop, points: dict[str, Vec]) -> tuple[Shape, ...]:
    x, _, z = _anchor(prop, points)
    return (Ball((x, BALL_RADIUS, z), BALL_RADIUS),)


def _roll(prop: Prop, points: dict[str, Vec]) -> tuple[Shape, ...]:
    x, _, z = _anchor(prop, points)
    return (Roll((x, ROLL_RADIUS, z), ROLL_RADIUS, 0.2),)


_BUILDERS = {
    PropKind.CHAIR: _chair,
    PropKind.BENCH: _bench,
    PropKind.DOORWAY: _doorway,
    PropKind.DUMBBELLS: _dumbbells,
    PropKind.BARBELL: _barbell,
    PropKind.RESISTANCE_BAND: _band,
    PropKind.CABLE_MACHINE: _cable,
    PropKind.PULL_UP_BAR: _pull_up_bar,
    PropKind.EXERCISE_BALL: _ball,
    PropKind.TOWEL_ROLL: _roll,
}


def place_prop(prop: Prop, points: dict[str, Vec]) -> PropShapes:
    """The shapes of ``prop`` for a skeleton with these points (a mat is placed by the figure)."""
    if prop.kind is PropKind.MAT:
        return PropShapes(prop.kind, ())
    return PropShapes(prop.kind, _BUILDERS[prop.kind](prop, points))


def mat(extent: tuple[float, float, float, float]) -> PropShapes:
    """A mat on the floor covering ``(x0, x1, z0, z1)``."""
    x0, x1, z0, z1 = extent
    return PropShapes(PropKind.MAT, (_box(x0, x1, 0.0, MAT_THICKNESS, z0, z1),))


def surface_under(point: Vec, props: Sequence[PropShapes]) -> float:
    """Height of the highest surface under ``point``: a prop's top, or the floor (0)."""
    x, _, z = point
    best = 0.0
    for prop in props:
        for shape in prop.shapes:
            top = _top(shape, x, z)
            if top is not None and top > best:
                best = top
    return best


def _top(shape: Shape, x: float, z: float) -> float | None:
    margin = 0.02
    if isinstance(shape, Box) and shape.surface:
        inside_x = shape.lo[0] - margin <= x <= shape.hi[0] + margin
        if inside_x and shape.lo[2] - margin <= z <= shape.hi[2] + margin:
            return shape.hi[1]
    elif isinstance(shape, Ball):
        d2 = (x - shape.centre[0]) ** 2 + (z - shape.centre[2]) ** 2
        if d2 <= shape.radius**2:
            return shape.centre[1] + math.sqrt(shape.radius**2 - d2)
    elif isinstance(shape, Roll):
        dx = x - shape.centre[0]
        if abs(dx) <= shape.radius and abs(z - shape.centre[2]) <= shape.half_length + margin:
            return shape.centre[1] + math.sqrt(shape.radius**2 - dx * dx)
    return None


def _inside(point: Vec, shape: Shape) -> bool:
    tol = CONTACT_TOLERANCE
    if isinstance(shape, Box) and shape.solid:
        return all(shape.lo[i] + tol < point[i] < shape.hi[i] - tol for i in (0, 2)) and (
            shape.lo[1] < point[1] < shape.hi[1] - tol
        )
    if isinstance(shape, Ball):
        return math.dist(point, shape.centre) < shape.radius - tol
    if isinstance(shape, Roll):
        dx, dy = point[0] - shape.centre[0], point[1] - shape.centre[1]
        return math.hypot(dx, dy) < shape.radius - tol and abs(point[2] - shape.centre[2]) < (
            shape.half_length
        )
    return False


# -- placing a figure -------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """A pose on its support, with its props, in world coordinates."""

    pose: Pose
    skeleton: Skeleton
    props: tuple[PropShapes, ...]
    support: tuple[Part, ...]
    gaps: dict[Part, float] = field(default_factory=dict)
    """How far each supporting part is from its surface (0 when it rests on it)."""


def _lowest(points: dict[str, Vec], contact: tuple[str, ...]) -> Vec:
    def height(name: str) -> float:
        return points[name][1] - POINT_RADIUS.get(name, 0.0)

    name = min(contact, key=height)
    x, _, z = points[name]
    return (x, height(name), z)


def _anchor_offset(skel: Skeleton, part: Part) -> Vec:
    lows = [_lowest(skel.points, c) for c in CONTACTS[part]]
    x, _, z = _centre(lows)
    return (-x, 0.0, -z)


def place(
    spec: FigureSpec,
    pose: Pose,
    fixed: Sequence[PropShapes] | None = None,
    *,
    mirror: bool = False,
) -> Placed:
    """Put ``pose`` on its support: kept over the figure's anchor, lowered onto its surfaces.

    ``fixed`` are the props that stay put (chair, bench, ball...) from the figure's first pose;
    when None they are placed from this pose. ``mirror``: ``pose`` is already mirrored, so the
    figure's own support and anchor are taken on the other side too.
    """
    support = spec.support_of(pose)
    anchor = spec.anchor or spec.support[0]
    props = spec.props
    if mirror:
        anchor = mirror_part(anchor)
        if pose.support is None:
            support = [mirror_part(p) for p in support]
        props = [mirror_prop(p) for p in props]
    skel = skeleton(pose)
    skel = skel.moved(_anchor_offset(skel, anchor))
    if fixed is None:
        fixed = tuple(place_prop(p, skel.points) for p in props if p.kind not in ATTACHED)
    if Part.GRIP in support:
        hands = _centre(skel.points[n] for n in ("hand_l", "hand_r"))
        lift = BAR_HEIGHT - hands[1]
    else:
        lift = max(
            surface_under(low, fixed) - low[1]
            for part in support
            for low in (_lowest(skel.points, c) for c in CONTACTS[part])
        )
    skel = skel.moved((0.0, lift, 0.0))
    gaps: dict[Part, float] = {}
    for part in support:
        worst = 0.0
        for contact in CONTACTS[part]:
            low = _lowest(skel.points, contact)
            surface = BAR_HEIGHT if part is Part.GRIP else surface_under(low, fixed)
            worst = max(worst, abs(low[1] - surface))
        gaps[part] = worst
    held = tuple(place_prop(p, skel.points) for p in props if p.kind in ATTACHED)
    return Placed(pose, skel, (*fixed, *held), tuple(support), gaps)


def place_all(spec: FigureSpec, *, mirror: bool = False) -> list[Placed]:
    """Every key pose placed, sharing the props its first pose sets (``mirror``: other side)."""
    poses = [mirrored(p) if mirror else p for p in spec.poses]
    first = place(spec, poses[0], mirror=mirror)
    fixed = tuple(p for p in first.props if p.kind not in ATTACHED)
    return [first, *(place(spec, p, fixed, mirror=mirror) for p in poses[1:])]


def floor_extent(
    placed: Iterable[Placed], *, near: float = 0.12
) -> tuple[float, float, float, float] | None:
    """``(x0, x1, z0, z1)`` along the body points near the floor: where a mat goes."""
    xs: list[float] = []
    zs: list[float] = []
    for item in placed:
        for point in item.skeleton.points.values():
            if point[1] <= near:
                xs.append(point[0])
                zs.append(point[2])
    if not xs:
        return None
    middle = (min(zs) + max(zs)) / 2
    z0 = min(middle - MAT_HALF_WIDTH, min(zs) - MAT_MARGIN)
    z1 = max(middle + MAT_HALF_WIDTH, max(zs) + MAT_MARGIN)
    return (min(xs) - MAT_MARGIN, max(xs) + MAT_MARGIN, z0, z1)


# -- checks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A failed check: where (a field path such as ``poses[1].joints.knee_l``) and what."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def check_figure(spec: FigureSpec, *, prefix: str = "") -> list[Problem]:
    """Every problem with ``spec``: angles beyond their limits, floating or sunken bodies, and
    key poses too alike for an exercise that moves. Empty when the figure is sound."""
    problems: list[Problem] = []
    for index, pose in enumerate(spec.poses):
        where = f"{prefix}poses[{index}]"
        for path, value in angles(pose).items():
            low, high = limit_of(path)
            if not low <= value <= high:
                name = path.removeprefix("joints.")
                problems.append(
                    Problem(
                        f"{where}.{path}",
                        f"{value:g} is beyond the range {low:g} to {high:g} of {name}",
                    )
                )
    if problems:
        return problems
    placed = place_all(spec)
    for index, item in enumerate(placed):
        where = f"{prefix}poses[{index}]"
        for part, gap in item.gaps.items():
            if gap > CONTACT_TOLERANCE:
                problems.append(
                    Problem(
                        f"{where}.support",
                        f"{part.value} is {gap:.3f} off its surface (pose {item.pose.name!r})",
                    )
                )
        for name, point in item.skeleton.points.items():
            bottom = point[1] - POINT_RADIUS.get(name, 0.0)
            if bottom < -CONTACT_TOLERANCE:
                problems.append(Problem(f"{where}", f"{name} is {-bottom:.3f} below the floor"))
            for prop in item.props:
                if any(_inside(point, shape) for shape in prop.shapes):
                    problems.append(Problem(f"{where}", f"{name} is inside the {prop.kind.value}"))
    if spec.moves:
        for i, a in enumerate(spec.poses):
            for b in spec.poses[i + 1 :]:
                if pose_distance(a, b) < MIN_POSE_CHANGE:
                    problems.append(
                        Problem(
                            f"{prefix}poses",
                            f"poses {a.name!r} and {b.name!r} are alike"
                            f" (under {MIN_POSE_CHANGE:g} degrees apart)",
                        )
                    )
        if len(spec.poses) < 2:
            problems.append(Problem(f"{prefix}poses", "an exercise that moves needs two key poses"))
    return problems


# -- projection -------------------------------------------------------------------------------


def camera_of(spec: FigureSpec) -> tuple[float, float]:
    """(azimuth, elevation) in degrees for the figure."""
    if spec.camera is not None:
        return (spec.camera.azimuth, spec.camera.elevation)
    return CAMERAS[spec.view]


def project(point: Vec, camera: tuple[float, float]) -> tuple[float, float, float]:
    """``(x, y, depth)`` on the picture plane: x to the right, y up, depth towards the viewer."""
    azimuth, elevation = (math.radians(a) for a in camera)
    x = point[0] * math.sin(azimuth) + point[2] * math.cos(azimuth)
    towards = point[0] * math.cos(azimuth) + point[2] * math.sin(azimuth)
    y = point[1] * math.cos(elevation) - towards * math.sin(elevation)
    depth = towards * math.cos(elevation) + point[1] * math.sin(elevation)
    return (x, y, depth)
