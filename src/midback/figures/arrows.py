"""Movement in a still picture: the path of the joint that moves most, as an arrow or an inset.

A still picture draws its picture pose over a faint ghost of another key pose. ``movement``
follows the joint that travels farthest on the canvas between the two (a hand, an elbow, the
head...) through the poses between them, so the arrow along that path comes out curved for a
turn or a swing and straight for a lift or a pull. When the travel is small on the canvas (a
shoulder roll, a breath) the picture gets an ``Inset``: a close-up of the moving part, drawn
larger in the emptiest corner.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from midback.figures.camera import project
from midback.figures.drawing import Inset, Item
from midback.figures.framing import Point2, Viewport
from midback.figures.model import ATTACHED, FigureSpec, Pose
from midback.figures.placing import Placed, place
from midback.figures.poses import angles, blend

MOVERS = (
    "hand_l",
    "hand_r",
    "elbow_l",
    "elbow_r",
    "head",
    "neck",
    "shoulder_l",
    "shoulder_r",
    "chest",
    "knee_l",
    "knee_r",
    "toe_l",
    "toe_r",
)
"""The joints whose path an arrow may follow."""
STEPS = 8
"""Poses sampled along the movement, ends included."""
ARROW_FROM = 24.0
"""Travel (canvas units of the 400-wide picture) from which the picture itself gets an arrow."""
SHORTEST_ARROW = 10.0
"""Travel under which no arrow is drawn at all (without a close-up, one from here)."""
INSET_BELOW = 24.0
"""Travel under which the picture gets a close-up of the moving part (unless its figure
file says otherwise)."""
OFFSET = 12.0
"""How far beside the joint's path the arrow runs, away from the body."""
HEAD = 11.0
"""Length of the arrowhead."""
INSET_SIZE = (150.0, 112.0)
TWIST_FROM = 20.0
"""A change of the spine's twist (degrees) from which the arrow is an arc round the chest."""
UPRIGHT = 0.15
"""How far (in heights) the chest must be above the pelvis for that arc to read."""
TWIST_RADIUS = 0.27
"""The arc's radius round the chest (in heights): well outside the shoulders."""
TWIST_SWEEP = 110.0
"""The arc turns at least this far (degrees), centred on the turn, so it reads as a turn."""
TILT_REACH = 1.8
"""A tilt's arc runs this many times the mover's distance from its pivot out (past the head)."""
BLADE_LEVEL = 0.45
"""The squeeze arrows' height: this far from the shoulders down towards the chest."""
BLADE_ARROW = (1.1, 0.3)
"""Where a squeeze arrow starts and ends, as fractions of the way from the spine to the
shoulder."""
INSET_SPAN = 60.0
"""The close-up enlarges the movement to about this many canvas units..."""
INSET_ZOOM = (1.8, 3.0)
"""...by at least and at most these factors."""


@dataclass(frozen=True)
class Movement:
    """The path on the canvas of the joint that moves most from the ghost to the picture pose."""

    joint: str
    path: tuple[Point2, ...]
    travel: float
    """How far it goes on the canvas: the distance between the path's ends, or the path's
    width or height when larger (a circle)."""
    around: bool = False
    """The path is an arc round the trunk (a twist), not a joint's own path."""


def movement(
    spec: FigureSpec,
    ghost: Placed,
    shown: Placed,
    camera: tuple[float, float],
    view: Viewport,
    *,
    mirror: bool = False,
    joint: str | None = None,
    through: Sequence[Placed] = (),
) -> Movement:
    """The path of ``joint`` (else of the joint of ``MOVERS`` that travels farthest on the
    canvas) from ``ghost`` to ``shown``, by way of the poses ``through`` (a roll's circle);
    a mirrored picture mirrors ``joint`` too."""

    def canvas(placed: Placed, name: str) -> Point2:
        x, y, _ = project(placed.skeleton.points[name], camera)
        return view.to_canvas(x, y)

    if joint is not None and mirror and joint[-2:] in ("_l", "_r"):
        joint = joint[:-1] + ("r" if joint.endswith("l") else "l")
    if joint is None:
        joint = max(MOVERS, key=lambda n: math.dist(canvas(ghost, n), canvas(shown, n)))
    fixed = tuple(p for p in ghost.props if p.kind not in ATTACHED)
    stops = [ghost, *through, shown]
    path = [canvas(ghost, joint)]
    for start, end in pairwise(stops):
        for step in range(1, STEPS - 1):
            between: Pose = blend(start.pose, end.pose, step / (STEPS - 1))
            path.append(canvas(place(spec, between, fixed, mirror=mirror), joint))
        path.append(canvas(end, joint))
    xs, ys = [p[0] for p in path], [p[1] for p in path]
    travel = max(math.dist(path[0], path[-1]), max(xs) - min(xs), max(ys) - min(ys))
    return Movement(joint, tuple(path), travel)


def twist_movement(
    ghost: Placed, shown: Placed, camera: tuple[float, float], view: Viewport
) -> Movement | None:
    """For an upright trunk that turns (the spine's twist changes by ``TWIST_FROM`` or more):
    an arc round the chest, in front of it, turning as the shoulders turn; else None."""
    before, after = angles(ghost.pose), angles(shown.pose)
    if abs(after["joints.spine.twist"] - before["joints.spine.twist"]) < TWIST_FROM:
        return None
    points = shown.skeleton.points
    if points["chest"][1] - points["pelvis"][1] < UPRIGHT:
        return None

    def facing(placed: Placed) -> float:
        left, right = placed.skeleton.points["shoulder_l"], placed.skeleton.points["shoulder_r"]
        return math.atan2(left[2] - right[2], left[0] - right[0]) - math.pi / 2

    start = facing(ghost)
    turn = (facing(shown) - start + math.pi) % (2 * math.pi) - math.pi
    if abs(turn) < math.radians(TWIST_SWEEP):  # a symbol, drawn long enough to read
        middle = start + turn / 2
        turn = math.copysign(math.radians(TWIST_SWEEP), turn)
        start = middle - turn / 2
    cx, cy, cz = points["chest"]
    path = []
    for step in range(STEPS * 2):
        angle = start + turn * step / (STEPS * 2 - 1)
        world = (cx + TWIST_RADIUS * math.cos(angle), cy, cz + TWIST_RADIUS * math.sin(angle))
        x, y, _ = project(world, camera)
        path.append(view.to_canvas(x, y))
    xs, ys = [p[0] for p in path], [p[1] for p in path]
    travel = max(math.dist(path[0], path[-1]), max(xs) - min(xs), max(ys) - min(ys))
    return Movement("chest", tuple(path), travel, around=True)


def tilt_movement(
    move: Movement,
    ghost: Placed,
    shown: Placed,
    pivot: str,
    camera: tuple[float, float],
    view: Viewport,
) -> Movement:
    """``move`` as an arc round body point ``pivot`` at ``TILT_REACH`` times the mover's
    distance: a head tipped towards a shoulder gets an arc from above the head down to the
    side, in the picture's plane, which reads as a tilt rather than a turn."""

    def canvas(placed: Placed, name: str) -> Point2:
        x, y, _ = project(placed.skeleton.points[name], camera)
        return view.to_canvas(x, y)

    start, end = canvas(ghost, pivot), canvas(shown, pivot)
    first, last = move.path[0], move.path[-1]
    a0 = math.atan2(first[1] - start[1], first[0] - start[0])
    turn = (math.atan2(last[1] - end[1], last[0] - end[0]) - a0 + math.pi) % (2 * math.pi)
    turn -= math.pi
    radius = max(math.dist(first, start), math.dist(last, end)) * TILT_REACH
    path = []
    for step in range(STEPS * 2):
        t = step / (STEPS * 2 - 1)
        cx, cy = start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t
        angle = a0 + turn * t
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        path.append((round(x, 2), round(y, 2)))
    xs, ys = [p[0] for p in path], [p[1] for p in path]
    travel = max(math.dist(path[0], path[-1]), max(xs) - min(xs), max(ys) - min(ys))
    return Movement(move.joint, tuple(path), travel, around=True)


def squeeze_movements(
    shown: Placed, camera: tuple[float, float], view: Viewport
) -> tuple[Movement, Movement]:
    """Two straight arrows at the shoulder blades of ``shown``, each from beside its shoulder
    towards the spine: the blades drawn together (``BLADE_LEVEL``, ``BLADE_ARROW``)."""

    def canvas(name: str) -> Point2:
        x, y, _ = project(shown.skeleton.points[name], camera)
        return view.to_canvas(x, y)

    neck, chest = canvas("neck"), canvas("chest")
    moves = []
    for side in ("l", "r"):
        shoulder = canvas(f"shoulder_{side}")
        y = shoulder[1] + (chest[1] - neck[1]) * BLADE_LEVEL
        spine_x = neck[0] + (chest[0] - neck[0]) * BLADE_LEVEL
        outer, inner = BLADE_ARROW
        path = tuple(
            (round(spine_x + (shoulder[0] - spine_x) * f, 2), round(y, 2))
            for f in (outer + (inner - outer) * i / (STEPS - 1) for i in range(STEPS))
        )
        travel = abs(path[-1][0] - path[0][0])
        moves.append(Movement(f"shoulder_{side}", path, travel, around=True))
    return moves[0], moves[1]


def arrow_items(
    move: Movement,
    body: Sequence[Point2],
    *,
    zoom: float = 1.0,
    cls: str = "arrow",
    name: str | None = None,
) -> list[Item]:
    """An arrow beside ``move``'s path (trimmed at both ends), on the side away from ``body``.

    ``zoom``: the arrow is for a close-up this many times larger (its offset and head shrink
    to match, so they look the same size once enlarged).
    """
    if move.around:  # already round the body: no need to move it aside
        path = _trimmed(list(move.path), 0.05, 0.95)
    elif math.dist(move.path[0], move.path[-1]) < move.travel / 3:  # round a circle
        path = _trimmed(_rounded(list(move.path)), 0.04, 0.86)
    else:
        path = _beside(_trimmed(list(move.path), 0.12, 0.88), body, OFFSET / zoom)
    head_size = HEAD / zoom
    (x0, y0), (x1, y1) = path[-2], path[-1]
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    tip = (round(x1 + ux * head_size * 0.6, 2), round(y1 + uy * head_size * 0.6, 2))
    back = (x1 - ux * head_size * 0.4, y1 - uy * head_size * 0.4)
    wing = head_size * 0.55
    head = (
        tip,
        (round(back[0] - uy * wing, 2), round(back[1] + ux * wing, 2)),
        (round(back[0] + uy * wing, 2), round(back[1] - ux * wing, 2)),
    )
    return [
        Item(name or cls, "line", tuple(path), cls, 1e3),
        Item(f"{name or cls}.head", "poly", head, f"{cls}-head", 1e3),
    ]


def inset_for(
    move: Movement,
    body: Sequence[Point2],
    canvas: tuple[int, int],
    *,
    also: Sequence[Movement] = (),
    showing: Sequence[Point2] = (),
) -> Inset:
    """A close-up round the middle of ``move`` (and of the movements ``also``, each with its
    arrow, and of the points ``showing``), placed in the corner of ``canvas`` (its width and
    height) with least of ``body``."""
    width, height = INSET_SIZE
    canvas_width, canvas_height = canvas
    xs = [p[0] for m in (move, *also) for p in m.path] + [p[0] for p in showing]
    ys = [p[1] for m in (move, *also) for p in m.path] + [p[1] for p in showing]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    wide = also or showing
    travel = max(move.travel, max(xs) - min(xs), max(ys) - min(ys)) if wide else move.travel
    low, high = INSET_ZOOM
    zoom = min(high, max(low, INSET_SPAN / max(travel, 1.0)))
    if showing:  # fit what it must show, with a margin, however little that enlarges it
        span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
        zoom = min(zoom, 0.8 * min(width / max(span_x, 1.0), height / max(span_y, 1.0)))
    sw, sh = width / zoom, height / zoom
    source = (round(cx - sw / 2, 1), round(cy - sh / 2, 1), round(sw, 1), round(sh, 1))
    margin = 6.0
    corners = [
        (margin, margin),
        (canvas_width - width - margin, margin),
        (margin, canvas_height - height - margin),
        (canvas_width - width - margin, canvas_height - height - margin),
    ]

    def crowding(corner: tuple[float, float]) -> tuple[int, float]:
        x, y = corner
        inside = sum(1 for px, py in body if x <= px <= x + width and y <= py <= y + height)
        away = -math.dist((x + width / 2, y + height / 2), (cx, cy))
        return inside, away

    x, y = min(corners, key=crowding)
    arrow = []
    for number, each in enumerate((move, *also)):
        name = f"inset-arrow-{number}" if number else None
        arrow += arrow_items(each, body, zoom=zoom, cls="inset-arrow", name=name)
    return Inset(source=source, target=(x, y, width, height), items=tuple(arrow))


def _rounded(path: list[Point2], times: int = 3) -> list[Point2]:
    """``path`` with its corners cut (Chaikin's method), ends kept."""
    for _ in range(times):
        out = [path[0]]
        for (x0, y0), (x1, y1) in pairwise(path):
            out += [(0.75 * x0 + 0.25 * x1, 0.75 * y0 + 0.25 * y1)]
            out += [(0.25 * x0 + 0.75 * x1, 0.25 * y0 + 0.75 * y1)]
        path = [*out, path[-1]]
    return path


def _trimmed(path: list[Point2], start: float, end: float) -> list[Point2]:
    """The part of ``path`` from fraction ``start`` to ``end`` of its length."""
    lengths = [0.0]
    for a, b in pairwise(path):
        lengths.append(lengths[-1] + math.dist(a, b))
    total = lengths[-1] or 1.0

    def at(fraction: float) -> Point2:
        goal = fraction * total
        for i in range(1, len(path)):
            if lengths[i] >= goal:
                span = (lengths[i] - lengths[i - 1]) or 1.0
                t = (goal - lengths[i - 1]) / span
                (x0, y0), (x1, y1) = path[i - 1], path[i]
                return (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
        return path[-1]

    inner = [p for p, s in zip(path, lengths, strict=True) if start * total < s < end * total]
    ends = [at(start), *inner, at(end)]
    return [(round(x, 2), round(y, 2)) for x, y in ends]


def _beside(path: list[Point2], body: Sequence[Point2], offset: float) -> list[Point2]:
    """``path`` moved ``offset`` across its chord, to the side farther from ``body``'s centre."""
    (x0, y0), (x1, y1) = path[0], path[-1]
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    bx = sum(p[0] for p in body) / max(len(body), 1)
    by = sum(p[1] for p in body) / max(len(body), 1)
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    if (mx - bx) * nx + (my - by) * ny < 0:
        nx, ny = -nx, -ny
    return [(round(x + nx * offset, 2), round(y + ny * offset, 2)) for x, y in path]
