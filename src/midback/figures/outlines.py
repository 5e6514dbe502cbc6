"""The 3D outline points of the props' shapes: what a picture must frame, and draws."""

from __future__ import annotations

import math

from midback.figures.props import Ball, Box, Disc, Roll, Shape
from midback.figures.vectors import Vec


def outline(shape: Shape) -> list[Vec]:
    if isinstance(shape, Box):
        return corners(shape)
    if isinstance(shape, Ball):
        c, r = shape.centre, shape.radius
        return [
            (c[0] + dx, c[1] + dy, c[2] + dz)
            for dx, dy, dz in ((r, 0, 0), (-r, 0, 0), (0, r, 0), (0, -r, 0), (0, 0, r), (0, 0, -r))
        ]
    if isinstance(shape, Roll):
        return roll_points(shape)
    if isinstance(shape, Disc):
        return disc_points(shape.centre, shape.normal, shape.radius)
    return list(shape.points)


def corners(box: Box) -> list[Vec]:
    (x0, y0, z0), (x1, y1, z1) = box.lo, box.hi
    return [(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)]


def disc_points(centre: Vec, normal: Vec, radius: float, n: int = 16) -> list[Vec]:
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


def roll_points(roll: Roll) -> list[Vec]:
    out: list[Vec] = []
    for end in (-roll.half_length, roll.half_length):
        centre = (roll.centre[0], roll.centre[1], roll.centre[2] + end)
        out += disc_points(centre, (0.0, 0.0, 1.0), roll.radius)
    return out


def _cross(a: Vec, b: Vec) -> Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _unit(v: Vec) -> Vec:
    n = math.sqrt(v[0] ** 2 + v[1] ** 2 + v[2] ** 2) or 1.0
    return (v[0] / n, v[1] / n, v[2] / n)
