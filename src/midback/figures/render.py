"""Still pictures of the exercises: from an exercise id (and variant) to its SVG.

``render_figure`` draws the figure's picture pose over its faint ghost pose (as the figure
file's ``show`` says), or one key pose alone; ``side`` draws the mirror image for the side
the poses do not show. The viewport and the mat are shared by every pose of both sides, so
the player's frames and the still picture line up.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Literal

from midback.domain.catalogue import Catalogue
from midback.domain.loader import catalogue
from midback.errors import UnknownIdError
from midback.figures.arrows import (
    ARROW_FROM,
    INSET_BELOW,
    SHORTEST_ARROW,
    Movement,
    arrow_items,
    inset_for,
    movement,
    squeeze_movements,
    tilt_movement,
    twist_movement,
)
from midback.figures.camera import camera_of, project
from midback.figures.drawing import Drawing, belly_item, drawing
from midback.figures.framing import Point2, Viewport, fit
from midback.figures.library import FigureLibrary
from midback.figures.model import FigureSpec, PropKind, View
from midback.figures.placing import Placed, floor_extent, place_all
from midback.figures.props import PropShapes, mat
from midback.figures.svg import to_svg

Side = Literal["left", "right"]


def viewport_for(spec: FigureSpec) -> Viewport:
    """One viewport for every pose of ``spec`` on both sides, so the figure never jumps."""
    ground = ground_for(spec)
    extra = [ground] if ground is not None else []
    return fit(place_all(spec) + place_all(spec, mirror=True), camera_of(spec), extra=extra)


def ground_for(spec: FigureSpec) -> PropShapes | None:
    """The mat under every pose of both sides, when the figure has one."""
    if not any(p.kind is PropKind.MAT for p in spec.props):
        return None
    extent = floor_extent(place_all(spec) + place_all(spec, mirror=True))
    return mat(extent) if extent else None


def still_drawing(
    spec: FigureSpec, *, pose: str | None = None, side: Side | None = None
) -> Drawing:
    """The still picture of ``spec``: its picture pose over its ghost, with an arrow or a
    close-up of the movement between them; or key pose ``pose`` alone."""
    mirror = side is not None and side != spec.drawn_side
    placed = {p.pose.name: p for p in place_all(spec, mirror=mirror)}
    main_name, ghost_name = spec.shown() if pose is None else (pose, None)
    camera, view = camera_of(spec), viewport_for(spec)
    ghost = placed[ghost_name] if ghost_name else None
    picture = drawing(placed[main_name], camera, view, ghost=ghost, mat=ground_for(spec))
    if spec.show.belly:  # on top of the trunk, under any arrow
        lines = [belly_item(placed[main_name], camera, view)]
        if ghost is not None:
            lines.insert(0, belly_item(ghost, camera, view, ghost=True))
        picture = replace(picture, items=picture.items + tuple(lines))
    if ghost is None or not spec.moves:
        return picture
    move = still_movement(spec, placed, main_name, ghost.pose.name, mirror=mirror)
    shown = placed[main_name]
    if spec.show.mover is None:
        move = twist_movement(ghost, shown, camera, view) or move
    showing: list[Point2] = []
    if spec.show.pivot is not None:
        move = tilt_movement(move, ghost, shown, spec.show.pivot, camera, view)
        near = min(
            ("shoulder_l", "shoulder_r"),
            key=lambda n: math.dist(shown.skeleton.points[n], shown.skeleton.points[move.joint]),
        )
        for name in (near, move.joint):  # the close-up shows the head nearing the shoulder
            x, y, _ = project(shown.skeleton.points[name], camera)
            showing.append(view.to_canvas(x, y))
    body = [point for item in picture.items if "body" in item.cls for point in item.points]
    items = picture.items
    canvas = (picture.width, picture.height)
    if spec.show.squeeze:  # two arrows, always drawn: the squeeze itself is too small to see
        left, right = squeeze_movements(shown, camera, view)
        items += tuple(arrow_items(left, body) + arrow_items(right, body, name="arrow-2"))
        close_up = spec.show.inset is not False
        inset = inset_for(left, body, canvas, also=[right]) if close_up else None
        return replace(picture, items=items, inset=inset, mover=left.joint)
    small = move.travel < INSET_BELOW and not move.around
    close_up = spec.show.inset if spec.show.inset is not None else small
    if move.travel >= (ARROW_FROM if close_up else SHORTEST_ARROW):
        items += tuple(arrow_items(move, body))
    inset = inset_for(move, body, canvas, showing=showing) if close_up else None
    return replace(picture, items=items, inset=inset, mover=move.joint)


def still_movement(
    spec: FigureSpec, placed: dict[str, Placed], shown: str, ghost: str, *, mirror: bool
) -> Movement:
    """The movement a still picture draws: from the ghost to the picture pose, or round the
    whole circle when a rep goes through three or more poses from the ghost (a roll)."""
    cycle = spec.cue_targets("rep")
    if len(cycle) >= 3 and cycle[0] == ghost and shown in cycle:
        through, end = [placed[name] for name in cycle[1:]], placed[ghost]
    else:
        through, end = [], placed[shown]
    return movement(
        spec,
        placed[ghost],
        end,
        camera_of(spec),
        viewport_for(spec),
        mirror=mirror,
        joint=spec.show.mover,
        through=through,
    )


_VIEWS = {
    View.SIDE: "from the side",
    View.FRONT: "from the front",
    View.BACK: "from behind",
    View.THREE_QUARTER: "from in front and to one side",
    View.THREE_QUARTER_BACK: "from behind and to one side",
}


def describe(spec: FigureSpec, picture: Drawing, *, pose: str | None = None) -> str:
    """What the picture shows, in words, for a screen reader: the view, the poses, the arrow."""
    view = _VIEWS[spec.view]
    if spec.camera is not None and spec.camera.elevation >= 40:
        view += ", seen from above"
    if pose is not None or len(spec.poses) == 1:
        name = (pose or spec.poses[0].name).replace("-", " ")
        return f"A figure drawn {view}, in the position {name!r}."
    shown, ghost = spec.shown()
    text = f"A figure drawn {view}, in the position {shown.replace('-', ' ')!r}"
    if ghost is not None:
        text += f", over a faint figure in the position {ghost.replace('-', ' ')!r}"
    text += "."
    if spec.show.squeeze and picture.mover is not None:
        how = "Arrows" if picture.inset is None else "A close-up with arrows"
        text += f" {how} show the shoulder blades drawing together towards the spine."
    elif picture.mover is not None:
        part, _, side = picture.mover.partition("_")
        sides = {"l": "left ", "r": "right "}
        how = "An arrow" if picture.inset is None else "A close-up with an arrow"
        text += f" {how} shows how the {sides.get(side, '')}{part} moves."
    return text


THUMB_SIZE = (120, 90)


def thumbnail(picture: Drawing) -> Drawing:
    """``picture`` for a list: no ghost or close-up, its lines bolder (it is shown at
    ``THUMB_SIZE``, under a third of the drawing's size)."""
    items = []
    for item in picture.items:
        classes = item.cls.split()
        if "ghost" in classes:
            continue
        if "body" in classes:
            bold = (
                "bold-far" if "far" in classes else "bold-trunk" if "trunk" in classes else "bold"
            )
            item = replace(item, cls=f"{item.cls} {bold}")
        items.append(item)
    return replace(picture, items=tuple(items), inset=None)


def pose_name(spec: FigureSpec, pose: str | int, *, exercise_id: str) -> str:
    """The name of key pose ``pose`` (a name, or its number from 1); UnknownIdError if none."""
    names = [p.name for p in spec.poses]
    if isinstance(pose, int) or pose.isdigit():
        number = int(pose)
        if 1 <= number <= len(names):
            return names[number - 1]
    elif pose in names:
        return pose
    raise UnknownIdError(f"pose of {exercise_id}", str(pose), names)


def render_figure(
    exercise_id: str,
    *,
    variant: str | None = None,
    pose: str | int | None = None,
    side: Side | None = None,
    standalone: bool = True,
    cat: Catalogue | None = None,
    library: FigureLibrary | None = None,
    thumb: bool = False,
) -> str:
    """The SVG of an exercise (or variant): its still picture, or key pose ``pose`` alone.

    ``exercise_id`` may be an alias; UnknownIdError names a bad id, variant or pose. The
    figure comes from ``library`` (the app's), else it is read now from ``cat``'s figures.
    ``standalone`` gives an image file; else markup for a page (see ``to_svg``). ``thumb``
    gives a thumbnail for a list: the same drawing and arrow, 120 x 90, without the ghost
    and the close-up (too small to read there) and so about half the bytes.
    """
    if library is None:
        library = FigureLibrary(cat or catalogue())
    cat = library.catalogue
    exercise = cat.exercise(exercise_id)
    if variant is not None:
        exercise.variant(variant)  # an unknown variant names the exercise's own
    spec = library.spec(exercise.id, variant)
    name = pose_name(spec, pose, exercise_id=exercise.id) if pose is not None else None
    title = exercise.name if variant is None else exercise.variant(variant).name
    if name is not None and len(spec.poses) > 1:
        title = f"{title}: {name.replace('-', ' ')}"
    picture = still_drawing(spec, pose=name, side=side)
    described = describe(spec, picture, pose=name)
    if thumb:
        picture = thumbnail(picture)
        described = described.split(", over a faint figure")[0].rstrip(".") + "."
    given = exercise.picture if variant is None and name is None else None
    description = f"{given} {described}" if given else described
    return to_svg(
        picture,
        title=title,
        description=description,
        standalone=standalone,
        size=THUMB_SIZE if thumb else None,
    )
