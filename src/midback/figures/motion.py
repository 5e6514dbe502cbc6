"""Keyframes for the moving figure in the web player.

The player fetches them once per exercise as JSON and tweens between frames by itself, so the
3D work stays here: each key pose is drawn as a frame, and each pair of poses gets
``TWEEN_STEPS - 1`` frames between them, blended angle by angle (a straight line between two
drawings would shrink limbs that swing). Frames come for both sides: the drawn side and its
mirror image. Item names and point counts agree across all frames of one figure.
"""

from __future__ import annotations

from typing import Any

from midback.figures.camera import camera_of
from midback.figures.drawing import Drawing, drawing
from midback.figures.model import ATTACHED, FigureSpec
from midback.figures.placing import place, place_all
from midback.figures.poses import blend, mirrored
from midback.figures.render import ground_for, viewport_for

TWEEN_STEPS = 6
CUE_KINDS = (
    "get-ready",
    "intro",
    "rep",
    "move",
    "hold",
    "breathe-in",
    "breathe-out",
    "switch-sides",
    "rest",
)


def keyframes(spec: FigureSpec, *, title: str) -> dict[str, Any]:
    """The JSON the player animates: poses, tweens and cue targets, for both sides.

    ``sides.left.poses.NAME`` is a frame; ``sides.left.tweens["A|B"]`` the frames from pose A
    to pose B (A before B in ``poses``; play them backwards to go from B to A). A frame is a
    list of items ``{n: name, s: line|poly|circle, c: classes, p: [x, y, ...], r: radius}``
    in painting order.
    """
    names = [p.name for p in spec.poses]
    view = viewport_for(spec)
    return {
        "title": title,
        "width": view.width,
        "height": view.height,
        "poses": names,
        "drawn_side": spec.drawn_side,
        "cycle_s": spec.cycle_s,
        "cues": {kind: spec.cue_targets(kind) for kind in CUE_KINDS},
        "sides": {side: _side(spec, mirror=side != spec.drawn_side) for side in ("left", "right")},
    }


def _side(spec: FigureSpec, *, mirror: bool) -> dict[str, Any]:
    camera = camera_of(spec)
    view = viewport_for(spec)
    placed = place_all(spec, mirror=mirror)
    fixed = tuple(p for p in placed[0].props if p.kind not in ATTACHED)
    ground = ground_for(spec)
    poses = [mirrored(p) if mirror else p for p in spec.poses]
    frames = {p.pose.name: _frame(drawing(p, camera, view, mat=ground)) for p in placed}
    tweens: dict[str, list[list[dict[str, Any]]]] = {}
    for i, first in enumerate(poses):
        for second in poses[i + 1 :]:
            steps = []
            for step in range(1, TWEEN_STEPS):
                between = blend(first, second, step / TWEEN_STEPS)
                placed_between = place(spec, between, fixed, mirror=mirror)
                steps.append(_frame(drawing(placed_between, camera, view, mat=ground)))
            tweens[f"{first.name}|{second.name}"] = steps
    return {"poses": frames, "tweens": tweens}


def _frame(d: Drawing) -> list[dict[str, Any]]:
    out = []
    for item in d.items:
        entry: dict[str, Any] = {
            "n": item.name,
            "s": item.shape,
            "c": item.cls,
            "p": [value for point in item.points for value in point],
        }
        if item.shape == "circle":
            entry["r"] = item.radius
        out.append(entry)
    return out
