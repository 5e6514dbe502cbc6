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
from midback.figures.model import ATTACHED, PropKind
from midback.figures.placing import Placed
from midback.figures.props import Ball, Box, Disc, PropShapes, Roll, Strand
from midback.figures.skeleton import HEAD_RADIUS
from midback.figures.vectors import Vec

WIDTH = 400
HEIGHT = 300
PADDING = 18.0
"""Canvas units kept clear above and below the figure."""
SIDE_PADDING = 8.0
"""Canvas units kept clear left and right: a figure lying down fills the width (issue 17)."""
LOW_HEIGHT = 200
"""The lowest canvas (2:1), for a body lying down: the picture of a wide, flat figure is made
no taller than it needs, so where the height is limited (the player on a phone gives its
figure under a third of the screen's height) the body is drawn larger."""
Point2 = tuple[float, float]


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


@dataclass(frozen=True)
class Viewport:
    """Maps projected world units onto the canvas: ``canvas = offset + scale * (x, -y)``."""

    scale: float
    dx: float
    dy: float
    floor_y: float | None
    """Canvas y of the floor (drawn as a line) when the camera is level, else None."""
    width: int = WIDTH
    height: int = HEIGHT
    """The canvas: 400 wide, and from ``LOW_HEIGHT`` to 300 high (lower for a body lying
    down, so it fills the width of a picture whose height a phone limits)."""

    def to_canvas(self, x: float, y: float) -> Point2:
        return (round(self.dx + self.scale * x, 1), round(self.dy - self.scale * y, 1))


def fit(
    placed: Iterable[Placed],
    camera: tuple[float, float],
    *,
    extra: Sequence[PropShapes] = (),
) -> Viewport:
    """The viewport that shows every pose in ``placed`` (body and props) and ``extra``."""
    xs: list[float] = []
    ys: list[float] = []
    placed_list = list(placed)
    points = [p for item in placed_list for p in _all_points(item)]
    points += [p for prop in extra for shape in prop.shapes for p in _shape_points(shape)]
    for point in points:
        x, y, _ = project(point, camera)
        xs.append(x)
        ys.append(y)
    level = camera[1] == 0
    if level:
        ys.append(-0.02)
    else:  # the shadow on the floor is drawn whole too
        for item in placed_list:
            for point in _shadow_ring(item):
                x, y, _ = project(point, camera)
                xs.append(x)
                ys.append(y)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    span_y = max(y1 - y0, 0.3)
    scale = min((WIDTH - 2 * SIDE_PADDING) / max(x1 - x0, 0.3), (HEIGHT - 2 * PADDING) / span_y)
    height = min(HEIGHT, max(LOW_HEIGHT, math.ceil(span_y * scale + 2 * PADDING)))
    dx = WIDTH / 2 - scale * (x0 + x1) / 2
    dy = height / 2 + scale * (y0 + y1) / 2
    floor = round(dy, 1) if level else None
    return Viewport(scale, dx, dy, floor, WIDTH, height)


def _all_points(item: Placed) -> list[Vec]:
    points = list(item.skeleton.points.values())
    head = item.skeleton.points["head"]
    r = HEAD_RADIUS * 1.3
    points += [
        (head[0] + dx, head[1] + dy, head[2] + dz)
        for dx, dy, dz in ((r, 0, 0), (-r, 0, 0), (0, r, 0), (0, -r, 0), (0, 0, r), (0, 0, -r))
    ]
    for prop in item.props:
        for shape in prop.shapes:
            points += _shape_points(shape)
    return points


def _shape_points(shape: Box | Ball | Roll | Disc | Strand) -> list[Vec]:
    if isinstance(shape, Box):
        return _corners(shape)
    if isinstance(shape, Ball):
        c, r = shape.centre, shape.radius
        return [
            (c[0] + dx, c[1] + dy, c[2] + dz)
            for dx, dy, dz in ((r, 0, 0), (-r, 0, 0), (0, r, 0), (0, -r, 0), (0, 0, r), (0, 0, -r))
        ]
    if isinstance(shape, Roll):
        return _roll_points(shape)
    if isinstance(shape, Disc):
        return _disc_points(shape.centre, shape.normal, shape.radius)
    return list(shape.points)


def _corners(box: Box) -> list[Vec]:
    (x0, y0, z0), (x1, y1, z1) = box.lo, box.hi
    return [(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)]


def _disc_points(centre: Vec, normal: Vec, radius: float, n: int = 16) -> list[Vec]:
    # two unit vectors across the normal
    a: Vec = (0.0, 1.0, 0.0) if abs(normal[1]) < 0.9 else (1.0, 0.0, 0.0)
    u = _unit(_cross(normal, a))
    v = _unit(_cross(normal, u))
    out = []
    for i in range(n):
        t = 2 * math.pi * i / n
        c, s = math.cos(t) * radius, math.sin(t) * radius
        out.append(
            (
                centre[0] + u[0] * c + v[0] * s,
                centre[1] + u[1] * c + v[1] * s,
                centre[2] + u[2] * c + v[2] * s,
            )
        )
    return out


def _roll_points(roll: Roll) -> list[Vec]:
    out: list[Vec] = []
    for end in (-roll.half_length, roll.half_length):
        centre = (roll.centre[0], roll.centre[1], roll.centre[2] + end)
        out += _disc_points(centre, (0.0, 0.0, 1.0), roll.radius)
    return out


def _cross(a: Vec, b: Vec) -> Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _unit(v: Vec) -> Vec:
    n = math.sqrt(v[0] ** 2 + v[1] ** 2 + v[2] ** 2) or 1.0
    return (v[0] / n, v[1] / n, v[2] / n)


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
        projected = flat(_disc_points(shape.centre, shape.normal, shape.radius))
        return [Item(name, "poly", canvas(projected), "plate" + tag, mean_depth(projected))]
    if isinstance(shape, Roll):
        projected = flat(_roll_points(shape))
        hull = _hull([(x, y) for x, y, _ in projected], 12)
        near = max(projected[:16], projected[16:], key=mean_depth)
        depth = mean_depth(projected)
        return [
            Item(name, "poly", tuple(view.to_canvas(x, y) for x, y in hull), "prop" + tag, depth),
            Item(name + "e", "poly", canvas(near), "prop-top" + tag, depth + 0.001),
        ]
    projected = flat(_corners(shape))
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
    for point in _shadow_ring(placed):
        x, y, _ = project(point, camera)
        ring.append(view.to_canvas(x, y))
    return Item("floor", "poly", tuple(ring), "shadow", -2e3)


SHADOW_MARGIN = 0.05
"""How far the shadow reaches past the body's points near the floor (heights): little, so a
body lying down, not its shadow, sets the width of the picture."""


def _shadow_ring(placed: Placed) -> list[Vec]:
    """The outline of the shadow on the floor: an ellipse round the points near the floor."""
    low = [p for p in placed.skeleton.points.values() if p[1] < 0.15] or list(
        placed.skeleton.points.values()
    )
    cx = sum(p[0] for p in low) / len(low)
    cz = sum(p[2] for p in low) / len(low)
    rx = max(0.3, (max(p[0] for p in low) - min(p[0] for p in low)) / 2 + SHADOW_MARGIN)
    rz = max(0.2, (max(p[2] for p in low) - min(p[2] for p in low)) / 2 + SHADOW_MARGIN)
    ring: list[Vec] = []
    for i in range(24):
        t = 2 * math.pi * i / 24
        ring.append((cx + rx * math.cos(t), 0.0, cz + rz * math.sin(t)))
    return ring
