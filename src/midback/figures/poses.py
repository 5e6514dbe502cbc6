"""Poses compared and changed: their angles, how far apart two are, the mirror image, a blend."""

from __future__ import annotations

from midback.figures.model import PAIRED, Part, Pose, Prop


def angles(pose: Pose) -> dict[str, float]:
    """Every angle of ``pose`` by its field path, e.g. ``joints.hip_l.flex``."""
    out = {f"root.{k}": float(v) for k, v in pose.root.model_dump().items()}
    for name, value in pose.joints.model_dump().items():
        if isinstance(value, dict):
            for axis, number in value.items():
                out[f"joints.{name}.{axis}"] = float(number)
        else:
            out[f"joints.{name}"] = float(value)
    return out


def pose_distance(a: Pose, b: Pose) -> float:
    """The largest difference between two poses' angles, in degrees."""
    first, second = angles(a), angles(b)
    return max(abs(first[k] - second[k]) for k in first)


def mirrored(pose: Pose) -> Pose:
    """The pose done on the other side: left and right swapped, turns and tilts reversed."""
    data = pose.model_dump()
    joints = data["joints"]
    for name in PAIRED:
        joints[f"{name}_l"], joints[f"{name}_r"] = joints[f"{name}_r"], joints[f"{name}_l"]
    for spine in (joints["spine"], joints["neck"]):
        spine["side"], spine["twist"] = -spine["side"], -spine["twist"]
    data["root"]["roll"], data["root"]["yaw"] = -data["root"]["roll"], -data["root"]["yaw"]
    if data["support"] is not None:
        data["support"] = [mirror_part(Part(p)) for p in data["support"]]
    return Pose.model_validate(data)


_SIDED = {
    Part.FOOT_L: Part.FOOT_R,
    Part.KNEE_L: Part.KNEE_R,
    Part.HAND_L: Part.HAND_R,
    Part.FOREARM_L: Part.FOREARM_R,
    Part.SHOULDER_L: Part.SHOULDER_R,
}
_SIDED |= {v: k for k, v in _SIDED.items()}


def mirror_prop(prop: Prop) -> Prop:
    """The prop for the mirrored pose: held in, or placed at, the other side's points."""
    flip = {"_l": "_r", "_r": "_l"}
    return prop.model_copy(update={"at": [n[:-2] + flip.get(n[-2:], n[-2:]) for n in prop.at]})


def mirror_part(part: Part) -> Part:
    """The same part on the other side (``foot_l`` for ``foot_r``); ``feet`` stays ``feet``."""
    return _SIDED.get(part, part)


def blend(a: Pose, b: Pose, t: float) -> Pose:
    """The pose a fraction ``t`` of the way from ``a`` to ``b`` (angle by angle)."""
    first, second = a.model_dump(), b.model_dump()

    def mix(x: object, y: object) -> object:
        if isinstance(x, dict) and isinstance(y, dict):
            return {k: mix(x[k], y[k]) for k in x}
        if isinstance(x, int | float) and isinstance(y, int | float):
            return x + (y - x) * t
        return x if t < 0.5 else y

    mixed = {
        "name": a.name,
        "root": mix(first["root"], second["root"]),
        "joints": mix(first["joints"], second["joints"]),
        "support": _union(a.support, b.support),
    }
    return Pose.model_validate(mixed)


def _union(a: list[Part] | None, b: list[Part] | None) -> list[Part] | None:
    if a is None or b is None:
        return a or b
    return list(dict.fromkeys([*a, *b]))
