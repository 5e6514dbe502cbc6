"""Small 3D vector helpers for the figures: rotations about the axes, sums, scales, centres.

Vectors are tuples ``(x, y, z)``; matrices are three rows. Angles are in degrees.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

Vec = tuple[float, float, float]
Mat = tuple[Vec, Vec, Vec]


def rx(deg: float) -> Mat:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return ((1.0, 0.0, 0.0), (0.0, c, -s), (0.0, s, c))


def ry(deg: float) -> Mat:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return ((c, 0.0, s), (0.0, 1.0, 0.0), (-s, 0.0, c))


def rz(deg: float) -> Mat:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return ((c, -s, 0.0), (s, c, 0.0), (0.0, 0.0, 1.0))


def mul(a: Mat, b: Mat) -> Mat:
    rows = tuple(
        tuple(sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)) for i in range(3)
    )
    return rows  # type: ignore[return-value]


def chain(*mats: Mat) -> Mat:
    out: Mat = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    for m in mats:
        out = mul(out, m)
    return out


def apply(m: Mat, v: Vec) -> Vec:
    return (
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    )


def add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def scale(v: Vec, k: float) -> Vec:
    return (v[0] * k, v[1] * k, v[2] * k)


def mirror_z(v: Vec) -> Vec:
    return (v[0], v[1], -v[2])


def centre(points: Iterable[Vec]) -> Vec:
    pts = list(points)
    n = len(pts)
    return (sum(p[0] for p in pts) / n, sum(p[1] for p in pts) / n, sum(p[2] for p in pts) / n)
