"""Where the figure is seen from, and the projection of its points onto the picture plane."""

from __future__ import annotations

import math

from midback.figures.model import FigureSpec, View
from midback.figures.vectors import Vec

CAMERAS: dict[View, tuple[float, float]] = {
    View.SIDE: (74.0, 9.0),
    View.FRONT: (0.0, 0.0),
    View.BACK: (180.0, 0.0),
    View.THREE_QUARTER: (40.0, 12.0),
    View.THREE_QUARTER_BACK: (140.0, 12.0),
}
"""(azimuth, elevation) of each view: azimuth 0 looks at the figure's front, 90 at its left."""


def camera_of(spec: FigureSpec) -> tuple[float, float]:
    """(azimuth, elevation) in degrees for the figure."""
    if spec.camera is not None:
        return (spec.camera.azimuth, spec.camera.elevation)
    return CAMERAS[spec.view]


def project(point: Vec, camera: tuple[float, float]) -> tuple[float, float, float]:
    """``(x, y, depth)`` on the picture plane: x to the right, y up, depth towards the viewer."""
    azimuth, elevation = (math.radians(a) for a in camera)
    x = point[0] * math.sin(azimuth) + point[2] * math.cos(azimuth)
    towards = point[0] * math.cos(azimuth) + point[2] * math.sin(azimuth)
    y = point[1] * math.cos(elevation) - towards * math.sin(elevation)
    depth = towards * math.cos(elevation) + point[1] * math.sin(elevation)
    return (x, y, depth)
