"""What a figure file says: key poses by joint angles, the props, the view and the cues.

A figure is one person 1.0 unit tall standing. World axes: ``x`` forward (where the figure
faces when its root is not turned), ``y`` up, ``z`` to the figure's left. Joint angles are in
degrees and all zero in the anatomical standing position (arms hanging, palms forward).

Every joint turns its child segment relative to its parent, so a pose reads like a
physiotherapist's description: ``hip_l: {flex: 90}`` is a thigh raised forward to the
horizontal whatever the trunk does. Limbs of the right side are the mirror images of the left
side's with the same angles, so ``flex``, ``abd`` and ``rot`` mean the same on both sides.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]


class View(StrEnum):
    """Where the camera stands: beside the figure's left, in front, behind, or between."""

    SIDE = "side"
    FRONT = "front"
    BACK = "back"
    THREE_QUARTER = "three-quarter"
    THREE_QUARTER_BACK = "three-quarter-back"


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


PAIRED = ("girdle", "shoulder", "elbow", "wrist", "hip", "knee", "ankle")


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
        out = {k: v for k, v in data.items() if k not in PAIRED}
        for name in PAIRED:
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
    belly: float = Field(default=0.0, ge=0.0, le=0.06)
    """How far the belly rises with a breath in (units of height), drawn as a line over the
    belly where the figure's ``show.belly`` asks for it."""


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
    pivot: str | None = None
    """The arrow is an arc round this body point, outside the mover's path: a tilt (the head
    round the neck) reads as a tilt, not as the head's own short path."""
    belly: bool = False
    """A line over the belly, in the picture pose and (faint) in the ghost: a breath's rise,
    too small for the joints to show (each pose's ``belly`` says how far it rises)."""
    squeeze: bool = False
    """Two arrows at the shoulder blades, each towards the spine, instead of the mover's path
    (a squeeze of the blades moves the joints too little to draw)."""

    @model_validator(mode="after")
    def _known_mover(self) -> Show:
        for point in (self.mover, self.pivot):
            if point is not None and point not in POINTS:
                raise ValueError(f"unknown body point {point!r} (one of {', '.join(POINTS)})")
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
