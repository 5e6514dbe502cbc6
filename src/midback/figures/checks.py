"""Pose checks: angles within human range, the body on its support, key poses that differ.

``check_figure`` finds every angle beyond ``JOINT_LIMITS``; every supporting part farther than
``CONTACT_TOLERANCE`` from its surface; any point below the floor or inside a solid prop; and,
for an exercise that moves, key poses less than ``MIN_POSE_CHANGE`` degrees apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from midback.figures.model import FigureSpec
from midback.figures.placing import place_all
from midback.figures.poses import angles, pose_distance
from midback.figures.props import CONTACT_TOLERANCE, inside
from midback.figures.skeleton import POINT_RADIUS

MIN_POSE_CHANGE = 8.0
"""Key poses of an exercise that moves differ by at least this many degrees in some angle."""

JOINT_LIMITS: dict[str, tuple[float, float]] = {
    "spine.flex": (-45, 90),
    "spine.side": (-35, 35),
    "spine.twist": (-45, 45),
    "neck.flex": (-60, 70),
    "neck.side": (-45, 45),
    "neck.twist": (-80, 80),
    "girdle.elev": (-10, 35),
    "girdle.retract": (-25, 25),
    "shoulder.elev": (-60, 180),
    "shoulder.plane": (-95, 150),
    "shoulder.rot": (-90, 90),
    "elbow": (0, 150),
    "wrist": (-90, 90),
    "hip.flex": (-30, 140),
    "hip.abd": (-30, 60),
    "hip.rot": (-45, 45),
    "knee": (0, 155),
    "ankle": (-90, 30),
    "root.pitch": (-180, 180),
    "root.roll": (-90, 90),
    "root.yaw": (-180, 180),
}
"""Active ranges of an adult, a little generous for drawing (degrees).

spine: flexion (forward) to 90 and extension to 45 for the whole thoracolumbar spine (a cobra
with straight arms), side bend 35 and rotation 45 each way. neck: flexion 70, extension 60,
side bend 45, rotation 80. girdle (clavicle at the sternum): elevation 35 (a shrug),
depression 10, retraction and protraction 25. shoulder: ``elev`` is the arm's elevation from
hanging (180 overhead, negative behind the body) in the plane ``plane`` (0 in front, 90 out to
the side, to -95 across the body, to 150 reaching behind it). elbow 0-150. wrist: the hand bent
-90 to 90 from the
forearm's line (90 lays the hand flat on the floor under a vertical forearm). hip: flexion to
140 (a deep squat or child's pose), extension 30, abduction 60, adduction 30, rotation 45.
knee 0-155. ankle: dorsiflexion 30, plantar flexion to 90 (kneeling with the feet pointed).
"""


def limit_of(path: str) -> tuple[float, float]:
    """The range ``JOINT_LIMITS`` gives the angle at ``path`` (``joints.knee_l`` -> knee)."""
    name = path.removeprefix("joints.")
    parts = name.split(".")
    joint = parts[0].removesuffix("_l").removesuffix("_r")
    key = ".".join([joint, *parts[1:]])
    return JOINT_LIMITS[key]


@dataclass(frozen=True)
class Problem:
    """A failed check: where (a field path such as ``poses[1].joints.knee_l``) and what."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def check_figure(spec: FigureSpec, *, prefix: str = "") -> list[Problem]:
    """Every problem with ``spec``: angles beyond their limits, floating or sunken bodies, and
    key poses too alike for an exercise that moves. Empty when the figure is sound."""
    problems: list[Problem] = []
    for index, pose in enumerate(spec.poses):
        where = f"{prefix}poses[{index}]"
        for path, value in angles(pose).items():
            low, high = limit_of(path)
            if not low <= value <= high:
                name = path.removeprefix("joints.")
                problems.append(
                    Problem(
                        f"{where}.{path}",
                        f"{value:g} is beyond the range {low:g} to {high:g} of {name}",
                    )
                )
    if problems:
        return problems
    placed = place_all(spec)
    for index, item in enumerate(placed):
        where = f"{prefix}poses[{index}]"
        for part, gap in item.gaps.items():
            if gap > CONTACT_TOLERANCE:
                problems.append(
                    Problem(
                        f"{where}.support",
                        f"{part.value} is {gap:.3f} off its surface (pose {item.pose.name!r})",
                    )
                )
        for name, point in item.skeleton.points.items():
            bottom = point[1] - POINT_RADIUS.get(name, 0.0)
            if bottom < -CONTACT_TOLERANCE:
                problems.append(Problem(f"{where}", f"{name} is {-bottom:.3f} below the floor"))
            for prop in item.props:
                if any(inside(point, shape) for shape in prop.shapes):
                    problems.append(Problem(f"{where}", f"{name} is inside the {prop.kind.value}"))
    if spec.moves:
        for i, a in enumerate(spec.poses):
            for b in spec.poses[i + 1 :]:
                if pose_distance(a, b) < MIN_POSE_CHANGE:
                    problems.append(
                        Problem(
                            f"{prefix}poses",
                            f"poses {a.name!r} and {b.name!r} are alike"
                            f" (under {MIN_POSE_CHANGE:g} degrees apart)",
                        )
                    )
        if len(spec.poses) < 2:
            problems.append(Problem(f"{prefix}poses", "an exercise that moves needs two key poses"))
    return problems
