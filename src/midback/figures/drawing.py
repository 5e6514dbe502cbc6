"""A placed pose as a picture: named lines, polygons and circles on a canvas 400 wide.

Items keep their names and number of points from pose to pose, so the player can tween two
drawings item by item. ``order`` lists them back to front (far limbs and props first).

Classes (styled by the SVG's own style sheet, the player's CSS, or presentation attributes):
``body`` the figure's lines, with ``trunk`` or ``limb`` and ``far`` for the limbs on the far side;
``head``, ``nose``; ``ghost`` for the faint pose of a still picture; props are ``prop`` (boxes
and balls), ``prop-top``, ``plate``, ``bar``, ``band`` and ``cable``; ``floor`` and ``mat``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from midback.figures.camera import project
from midback.figures.framing import HEIGHT, WIDTH, Point2, Viewport, shadow_ring
from midback.figures.model import ATTACHED, PropKind
from midback.figures.outlines import corners, disc_points, roll_points
from midback.figures.placing import Placed
from midback.figures.props import Ball, Box, Disc, PropShapes, Roll, Strand
from midback.figures.skeleton import HEAD_RADIUS
from midback.figures.vectors import Vec


@dataclass(frozen=True)
class Item:
    """One thing drawn: a polyline, a closed polygon or a circle, in canvas units (y down)."""

    name: str
    shape: Literal["line", "poly", "circle"]
    points: tuple[Point2, ...]
    cls: str
    depth: float
    radius: float = 0.0


@dataclass(frozen=True)
class Inset:
    """A close-up drawn over a corner: the canvas box ``source`` shown enlarged in ``target``.

    Boxes are ``(x, y, width, height)`` in canvas units; ``items`` are drawn in the close-up
    only (its own arrow, sized for the enlargement).
    """

    source: tuple[float, float, float, float]
    target: tuple[float, float, float, float]
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Drawing:
    """Items in painting order (back to front), the canvas size and a close-up, if any."""

    items: tuple[Item, ...]
    width: int = WIDTH
    height: int = HEIGHT
    inset: Inset | None = None
    mover: str | None = None
    """The body point whose movement an arrow shows, if any."""


# -- the body ---------------------------------------------------------------------------------

LIMBS = {
    "leg_l": ("hip_l", "knee_l", "ankle_l", "toe_l"),
    "leg_r": ("hip_r", "knee_r", "ankle_r", "toe_r"),
    "arm_l": ("shoulder_l", "elbow_l", "wrist_l", "hand_l"),
    "arm_r": ("shoulder_r", "elbow_r", "wrist_r", "hand_r"),
}
SPINE = ("pelvis", "waist", "chest", "neck")
FAR_GAP = 0.03
"""A limb this much farther from the viewer than its pair is drawn faint, as the far side."""
SPINE_SAMPLES = 4
"""Points per spine segment on the smooth curve through the spine's joints."""


def body_items(
    placed: Placed,
    camera: tuple[float, float],
    view: Viewport,
    *,
    prefix: str = "",
    extra: str = "",
) -> list[Item]:
    """The figure's items: limbs, trunk, neck, head and nose (named with ``prefix``)."""
    pts = {name: project(p, camera) for name, p in placed.skeleton.points.items()}

    def canvas(names: Sequence[str]) -> tuple[Point2, ...]:
        return tuple(view.to_canvas(pts[n][0], pts[n][1]) for n in names)

    def depth(names: Iterable[str]) -> float:
        values = [pts[n][2] for n in names]
        return sum(values) / len(values)

    trunk_depth = depth(("pelvis", "chest", "neck"))
    tag = f" {extra}" if extra else ""
    items: list[Item] = []
    depths = {name: depth(joints[1:]) for name, joints in LIMBS.items()}
    for name, joints in LIMBS.items():
        other = name[:-1] + ("r" if name.endswith("l") else "l")
        far = " far" if depths[name] < depths[other] - FAR_GAP else ""
        items.append(
            Item(prefix + name, "line", canvas(joints), f"body limb{far}{tag}", depths[name])
        )
    spine = _smooth([view.to_canvas(pts[n][0], pts[n][1]) for n in SPINE])
    items.append(Item(prefix + "spine", "line", spine, f"body trunk{tag}", trunk_depth))
    items.append(
        Item(
            prefix + "hips",
            "line",
            canvas(("hip_l", "pelvis", "hip_r")),
            f"body limb{tag}",
            trunk_depth - 0.001,
        )
    )
    items.append(
        Item(
            prefix + "girdle",
            "line",
            canvas(("shoulder_l", "neck", "shoulder_r")),
            f"body limb{tag}",
            trunk_depth + 0.001,
        )
    )
    head = placed.skeleton.points["head"]
    hx, hy, hd = pts["head"]
    items.append(
        Item(
            prefix + "neck",
            "line",
            canvas(("neck", "head")),
            f"body limb{tag}",
            (hd + pts["neck"][2]) / 2,
        )
    )
    centre = view.to_canvas(hx, hy)
    radius = round(HEAD_RADIUS * view.scale, 1)
    items.append(Item(prefix + "head", "circle", (centre,), f"head{tag}", hd + 0.002, radius))
    items.append(
        Item(prefix + "nose", "poly", _nose(head, placed, camera, view), f"nose{tag}", hd + 0.001)
    )
    return items


BELLY_FRONT = 0.045
"""How far in front of the spine's line the belly line runs (units of height)..."""
BELLY_ROUND = 0.012
"""...and how much it bulges at its middle before a breath in adds the pose's ``belly``."""
BELLY_SAMPLES = 9


def belly_item(
    placed: Placed, camera: tuple[float, float], view: Viewport, *, ghost: bool = False
) -> Item:
    """A line over the belly, from the pelvis to the chest, in front of the trunk: bulging by
    ``BELLY_ROUND`` plus the pose's ``belly`` (a ghost's is faint)."""
    points = placed.skeleton.points
    pelvis, chest = points["pelvis"], points["chest"]
    up = _unit(tuple(c - p for c, p in zip(chest, pelvis, strict=True)))
    side = _unit(tuple(a - b for a, b in zip(points["hip_l"], points["hip_r"], strict=True)))
    front = (
        up[1] * side[2] - up[2] * side[1],
        up[2] * side[0] - up[0] * side[2],
        up[0] * side[1] - up[1] * side[0],
    )
    line = []
    for step in range(BELLY_SAMPLES):
        t = step / (BELLY_SAMPLES - 1)
        out = BELLY_FRONT + math.sin(math.pi * t) * (BELLY_ROUND + placed.pose.belly)
        x, y, _ = project(
            (
                pelvis[0] + (chest[0] - pelvis[0]) * t + front[0] * out,
                pelvis[1] + (chest[1] - pelvis[1]) * t + front[1] * out,
                pelvis[2] + (chest[2] - pelvis[2]) * t + front[2] * out,
            ),
            camera,
        )
        line.append(view.to_canvas(x, y))
    depth = project(chest, camera)[2]
    name, cls = ("ghost.belly", "belly ghost") if ghost else ("belly", "belly")
    return Item(name, "line", tuple(line), cls, depth)


def _unit(v: tuple[float, ...]) -> tuple[float, float, float]:
    length = math.sqrt(sum(c * c for c in v)) or 1.0
    return (v[0] / length, v[1] / length, v[2] / length)


def _nose(
    head: Vec, placed: Placed, camera: tuple[float, float], view: Viewport
) -> tuple[Point2, ...]:
    face, up = placed.skeleton.face, placed.skeleton.up
    r = HEAD_RADIUS

    def at(forward: float, upward: float) -> Point2:
        p = (
            head[0] + face[0] * forward + up[0] * upward,
            head[1] + face[1] * forward + up[1] * upward,
            head[2] + face[2] * forward + up[2] * upward,
        )
        x, y, _ = project(p, camera)
        return view.to_canvas(x, y)

    return (at(r * 0.75, r * 0.45), at(r * 1.42, -r * 0.1), at(r * 0.75, -r * 0.35))


def _smooth(points: list[Point2]) -> tuple[Point2, ...]:
    """A Catmull-Rom curve through ``points``, sampled (the ends are kept)."""

    def along(a: float, b: float, c: float, d: float, t: float) -> float:
        return 0.5 * (
            2 * b
            + (c - a) * t
            + (2 * a - 5 * b + 4 * c - d) * t * t
            + (3 * b - a - 3 * c + d) * t**3
        )

    out: list[Point2] = [points[0]]
    padded = [points[0], *points, points[-1]]
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        for step in range(1, SPINE_SAMPLES + 1):
            t = step / SPINE_SAMPLES
            x = along(p0[0], p1[0], p2[0], p3[0], t)
            y = along(p0[1], p1[1], p2[1], p3[1], t)
            out.append((round(x, 1), round(y, 1)))
    return tuple(out)


# -- props ------------------------------------------------------------------------------------


def prop_items(
    props: Sequence[PropShapes],
    camera: tuple[float, float],
    view: Viewport,
    *,
    prefix: str = "",
    extra: str = "",
) -> list[Item]:
    """Items of the props; each shape keeps its place in the list (``chair.3``)."""
    tag = f" {extra}" if extra else ""
    items: list[Item] = []
    for prop in props:
        for index, shape in enumerate(prop.shapes):
            name = f"{prefix}{prop.kind.value}.{index}"
            items += _shape_items(name, prop.kind, shape, camera, view, tag)
    return items


def _shape_items(
    name: str,
    kind: PropKind,
    shape: Box | Ball | Roll | Disc | Strand,
    camera: tuple[float, float],
    view: Viewport,
    tag: str,
) -> list[Item]:
    def flat(points: Iterable[Vec]) -> list[tuple[float, float, float]]:
        return [project(p, camera) for p in points]

    def canvas(projected: Iterable[tuple[float, float, float]]) -> tuple[Point2, ...]:
        return tuple(view.to_canvas(x, y) for x, y, _ in projected)

    def mean_depth(projected: Sequence[tuple[float, float, float]]) -> float:
        return sum(p[2] for p in projected) / len(projected)

    if isinstance(shape, Strand):
        projected = flat(shape.points)
        cls = {PropKind.RESISTANCE_BAND: "band", PropKind.CABLE_MACHINE: "cable"}.get(kind, "bar")
        if shape.thick:
            cls = "bar"
        return [Item(name, "line", canvas(projected), cls + tag, mean_depth(projected))]
    if isinstance(shape, Ball):
        x, y, d = project(shape.centre, camera)
        return [
            Item(
                name,
                "circle",
                (view.to_canvas(x, y),),
                "prop" + tag,
                d,
                round(shape.radius * view.scale, 1),
            )
        ]
    if isinstance(shape, Disc):
        projected = flat(disc_points(shape.centre, shape.normal, shape.radius))
        return [Item(name, "poly", canvas(projected), "plate" + tag, mean_depth(projected))]
    if isinstance(shape, Roll):
        projected = flat(roll_points(shape))
        hull = _hull([(x, y) for x, y, _ in projected], 12)
        near = max(projected[:16], projected[16:], key=mean_depth)
        depth = mean_depth(projected)
        return [
            Item(name, "poly", tuple(view.to_canvas(x, y) for x, y in hull), "prop" + tag, depth),
            Item(name + "e", "poly", canvas(near), "prop-top" + tag, depth + 0.001),
        ]
    projected = flat(corners(shape))
    hull = _hull([(x, y) for x, y, _ in projected], 6)
    (x0, _, z0), (x1, y1, z1) = shape.lo, shape.hi
    top = flat([(x0, y1, z0), (x1, y1, z0), (x1, y1, z1), (x0, y1, z1)])
    cls = "mat" if kind is PropKind.MAT else "prop"
    depth = -1e3 if kind is PropKind.MAT else mean_depth(projected)
    return [
        Item(name, "poly", tuple(view.to_canvas(x, y) for x, y in hull), cls + tag, depth),
        Item(name + "t", "poly", canvas(top), f"{cls}-top{tag}", depth + 0.0005),
    ]


def _hull(points: list[Point2], size: int) -> list[Point2]:
    """The convex hull (counter-clockwise), padded by repeating its last point to ``size``."""
    pts = sorted(set((round(x, 6), round(y, 6)) for x, y in points))
    if len(pts) <= 2:
        hull = pts
    else:

        def turn(o: Point2, a: Point2, b: Point2) -> float:
            return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

        lower: list[Point2] = []
        for p in pts:
            while len(lower) >= 2 and turn(lower[-2], lower[-1], p) <= 0:
                lower.pop()
            lower.append(p)
        upper: list[Point2] = []
        for p in reversed(pts):
            while len(upper) >= 2 and turn(upper[-2], upper[-1], p) <= 0:
                upper.pop()
            upper.append(p)
        hull = lower[:-1] + upper[:-1]
    if len(hull) > size:  # keep the points spread over the outline
        step = len(hull) / size
        hull = [hull[int(i * step)] for i in range(size)]
    return hull + [hull[-1]] * (size - len(hull))


# -- whole drawings ---------------------------------------------------------------------------


def drawing(
    placed: Placed,
    camera: tuple[float, float],
    view: Viewport,
    *,
    ghost: Placed | None = None,
    floor: bool = True,
    mat: PropShapes | None = None,
) -> Drawing:
    """The picture of ``placed``, over a faint ``ghost`` pose, with the floor and a mat."""
    ground: list[Item] = []
    if floor and view.floor_y is not None:
        line = ((0.0, view.floor_y), (float(view.width), view.floor_y))
        ground.append(Item("floor", "line", line, "floor", -2e3))
    elif floor:
        ground.append(_shadow(placed, camera, view))
    if mat is not None:
        ground += prop_items([mat], camera, view)
    faint: list[Item] = []
    if ghost is not None:
        faint = body_items(ghost, camera, view, prefix="ghost.", extra="ghost")
        held = [p for p in ghost.props if p.kind in _HELD]
        faint += prop_items(held, camera, view, prefix="ghost.", extra="ghost")
        faint.sort(key=lambda i: i.depth)
    fixed = [p for p in placed.props if p.kind not in ATTACHED]
    held = [p for p in placed.props if p.kind in ATTACHED]
    behind = prop_items(fixed, camera, view)
    behind.sort(key=lambda i: i.depth)
    main = body_items(placed, camera, view) + prop_items(held, camera, view)
    main.sort(key=lambda i: i.depth)
    ground.sort(key=lambda i: i.depth)
    return Drawing(tuple(ground + behind + faint + main), width=view.width, height=view.height)


_HELD = {PropKind.DUMBBELLS, PropKind.RESISTANCE_BAND}
"""Held props the faint pose of a still picture keeps (a barbell's plates would crowd it)."""


def _shadow(placed: Placed, camera: tuple[float, float], view: Viewport) -> Item:
    """A flat ellipse on the floor under the figure (for a camera looking down)."""
    ring = []
    for point in shadow_ring(placed):
        x, y, _ = project(point, camera)
        ring.append(view.to_canvas(x, y))
    return Item("floor", "poly", tuple(ring), "shadow", -2e3)
