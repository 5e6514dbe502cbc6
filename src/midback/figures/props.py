"""Props as shapes: boxes, balls, rolls, discs and strands placed at the body's points.

A chair, bench, doorway, ball or roll stays where the first pose sets it; dumbbells, a band, a
barbell and a cable move with the hands (``model.ATTACHED``). Surfaces bear weight
(``surface_under``); solid shapes may hold no body point (``inside``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from midback.figures.model import Prop, PropKind
from midback.figures.vectors import Vec, add, centre, scale

BAR_HEIGHT = 1.30
"""Height of a pull-up bar: a figure hanging from it hangs with its hands there."""
CONTACT_TOLERANCE = 0.03
"""How far (in heights) a supporting part may be from its surface, about 5 cm on a person."""


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
    return centre(points[name] for name in prop.at) if prop.at else (0.0, 0.0, 0.0)


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
        ends = [add(hand, scale(axis, k)) for k in (-0.055, 0.055)]
        shapes.append(Strand((ends[0], ends[1]), thick=True))
        shapes.extend(Disc(end, axis, 0.034) for end in ends)
    return tuple(shapes)


def _palm(name: str, points: dict[str, Vec]) -> Vec:
    """Where a hand holds a handle: halfway along the hand (``hand_l`` is the fingertips)."""
    if name.startswith("hand_"):
        wrist = points["wrist_" + name[-1]]
        return centre((wrist, points[name]))
    return points[name]


def _barbell(prop: Prop, points: dict[str, Vec]) -> tuple[Shape, ...]:
    x, y, z = centre(_palm(n, points) for n in prop.at)
    axis: Vec = (0.0, 0.0, 1.0)
    shapes: list[Shape] = [Strand(((x, y, z - 0.5), (x, y, z + 0.5)), thick=True)]
    shapes.extend(Disc((x, y, z + k), axis, 0.075) for k in (-0.36, 0.36))
    return tuple(shapes)


def _band(prop: Prop, points: dict[str, Vec]) -> tuple[Shape, ...]:
    return (Strand(tuple(points[n] for n in prop.at)),)


def _cable(prop: Prop, points: dict[str, Vec]) -> tuple[Shape, ...]:
    x, y, z = centre(_palm(n, points) for n in prop.at)
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


def inside(point: Vec, shape: Shape) -> bool:
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
