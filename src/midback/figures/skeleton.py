"""The skeleton: segment lengths of an average adult, and the points of a pose.

Segment lengths are Drillis and Contini's fractions of height, rounded, for a person 1.0
unit tall. ``skeleton`` is the forward kinematics: every point of ``POINTS`` for a pose,
with the pelvis at the origin.
"""

from __future__ import annotations

from dataclasses import dataclass

from midback.figures.model import Girdle, Hip, Pose, Shoulder, Spine
from midback.figures.vectors import Mat, Vec, add, apply, chain, mirror_z, mul, rx, ry, rz, scale

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

POINT_RADIUS = {"head": HEAD_RADIUS}
"""Points drawn with a size: the head's lowest point is its centre less its radius."""


_DOWN: Vec = (0.0, -1.0, 0.0)


def _spine_turn(spine: Spine, share: int) -> Mat:
    return chain(
        rz(-spine.flex * SPINE_SHARE["flex"][share]),
        rx(spine.side * SPINE_SHARE["side"][share]),
        ry(-spine.twist * SPINE_SHARE["twist"][share]),
    )


def _arm(girdle: Girdle, shoulder: Shoulder, elbow: float, wrist: float) -> list[Vec]:
    """Shoulder, elbow, wrist and hand of a left arm, from the neck base in the chest's frame."""
    clavicle = chain(ry(-girdle.retract), rx(-girdle.elev))
    joint = apply(clavicle, CLAVICLE)
    upper = chain(ry(-shoulder.plane), rz(shoulder.elev), ry(shoulder.rot))
    elbow_at = add(joint, apply(upper, scale(_DOWN, UPPER_ARM)))
    fore = mul(upper, rz(elbow))
    wrist_at = add(elbow_at, apply(fore, scale(_DOWN, FOREARM)))
    hand = mul(fore, rz(wrist))
    return [joint, elbow_at, wrist_at, add(wrist_at, apply(hand, scale(_DOWN, HAND)))]


def _leg(hip: Hip, knee: float, ankle: float) -> list[Vec]:
    """Hip, knee, ankle and toe of a left leg, from the pelvis in the pelvis's frame."""
    joint: Vec = (0.0, 0.0, HIP_HALF_WIDTH)
    thigh = chain(rz(hip.flex), rx(-hip.abd), ry(hip.rot))
    knee_at = add(joint, apply(thigh, scale(_DOWN, THIGH)))
    shank = mul(thigh, rz(-knee))
    ankle_at = add(knee_at, apply(shank, scale(_DOWN, SHANK)))
    foot = mul(shank, rz(ankle))
    return [joint, knee_at, ankle_at, add(ankle_at, apply(foot, (FOOT, 0.0, 0.0)))]


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
        return Skeleton({k: add(v, offset) for k, v in self.points.items()}, self.face, self.up)


def skeleton(pose: Pose) -> Skeleton:
    """Forward kinematics: the points of ``pose`` with the pelvis at the origin."""
    j = pose.joints
    root = chain(ry(-pose.root.yaw), rz(-pose.root.pitch), rx(pose.root.roll))
    points: dict[str, Vec] = {"pelvis": (0.0, 0.0, 0.0)}
    frame = root
    at: Vec = (0.0, 0.0, 0.0)
    for index, name in enumerate(("waist", "chest", "neck")):
        frame = mul(frame, _spine_turn(j.spine, index))
        at = add(at, apply(frame, (0.0, SPINE_SEGMENTS[index], 0.0)))
        points[name] = at
    chest = frame
    neck = chain(chest, rz(-j.neck.flex), rx(j.neck.side), ry(-j.neck.twist))
    points["head"] = add(at, apply(neck, (0.0, NECK, 0.0)))
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
                v = mirror_z(vector) if mirror else vector
                points[f"{name}_{side}"] = add(base, apply(turn, v))
    return Skeleton(points, apply(neck, (1.0, 0.0, 0.0)), apply(neck, (0.0, 1.0, 0.0)))
