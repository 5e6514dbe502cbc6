"""Framing: the canvas and the scale that show every pose of a figure, both sides, whole.

The canvas is 400 wide and as high as the figure needs, from ``LOW_HEIGHT`` (a body lying
down) to 300 (standing): where a page or the player limits the picture's height, a flat
figure is then drawn larger. The figure fills the width up to ``SIDE_PADDING``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from midback.figures.camera import project
from midback.figures.outlines import outline
from midback.figures.placing import Placed
from midback.figures.props import PropShapes
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
"""A point on the canvas: x to the right, y down."""


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
    points += [p for prop in extra for shape in prop.shapes for p in outline(shape)]
    for point in points:
        x, y, _ = project(point, camera)
        xs.append(x)
        ys.append(y)
    level = camera[1] == 0
    if level:
        ys.append(-0.02)
    else:  # the shadow on the floor is drawn whole too
        for item in placed_list:
            for point in shadow_ring(item):
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
            points += outline(shape)
    return points


SHADOW_MARGIN = 0.05
"""How far the shadow reaches past the body's points near the floor (heights): little, so a
body lying down, not its shadow, sets the width of the picture."""


def shadow_ring(placed: Placed) -> list[Vec]:
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
