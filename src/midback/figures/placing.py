"""A pose put on its support: kept over its anchor, lowered onto the floor or a prop's top."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from midback.figures.model import ATTACHED, FigureSpec, Part, Pose
from midback.figures.poses import mirror_part, mirror_prop, mirrored
from midback.figures.props import (
    BAR_HEIGHT,
    MAT_HALF_WIDTH,
    MAT_MARGIN,
    PropShapes,
    place_prop,
    surface_under,
)
from midback.figures.skeleton import POINT_RADIUS, Skeleton, skeleton
from midback.figures.vectors import Vec, centre

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
    x, _, z = centre(lows)
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
        hands = centre(skel.points[n] for n in ("hand_l", "hand_r"))
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
