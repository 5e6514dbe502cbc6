"""Exercise figures: every exercise and variant has key poses that pass the checks, and draws."""

from __future__ import annotations

import ast
import itertools
import math
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

import midback.domain
import midback.figures
from midback.domain.catalogue import Catalogue
from midback.domain.loader import catalogue
from midback.errors import CatalogueError, UnknownIdError
from midback.figures.camera import camera_of, project
from midback.figures.checks import MIN_POSE_CHANGE, check_figure
from midback.figures.drawing import LIMBS, Drawing, Item
from midback.figures.library import FigureLibrary, figures_dir, load_figure_file
from midback.figures.model import Camera, FigureSpec, Part, Pose, PropKind, View
from midback.figures.motion import CUE_KINDS, keyframes
from midback.figures.placing import Placed, place_all
from midback.figures.poses import mirrored, pose_distance
from midback.figures.props import CONTACT_TOLERANCE
from midback.figures.render import render_figure, still_drawing, viewport_for
from midback.figures.skeleton import FOREARM, HEAD_RADIUS, SHANK, THIGH, UPPER_ARM, skeleton

SVG = "{http://www.w3.org/2000/svg}"
LIBRARY = FigureLibrary(catalogue())
"""The shipped figures, read once for these tests (the app builds its own)."""
FORMS = [
    (e.id, v)
    for e in catalogue().exercises.values()
    for v in [None, *(variant.id for variant in e.variants)]
]


def _spec(exercise_id: str, variant: str | None) -> FigureSpec:
    return LIBRARY.all()[exercise_id].for_variant(variant)


def pose(**fields: object) -> Pose:
    """A pose from keyword fields (``root``, ``joints``, ``support``), named ``p``."""
    return Pose.model_validate({"name": "p", **fields})


ALL_FOURS = {"hip": {"flex": 72}, "knee": 90, "ankle": -90, "shoulder": {"elev": 72}, "wrist": 90}


def all_fours_spec(*poses: Pose, moves: bool = False) -> FigureSpec:
    return FigureSpec(
        support=[Part.HANDS, Part.SHINS], anchor=Part.KNEES, poses=list(poses), moves=moves
    )


# -- the catalogue's figures -----------------------------------------------------------------


@pytest.mark.parametrize(("exercise_id", "variant"), FORMS, ids=[f"{e}:{v}" for e, v in FORMS])
def test_every_exercise_and_variant_has_a_figure_that_passes_the_pose_checks(
    exercise_id: str, variant: str | None
) -> None:
    spec = LIBRARY.all()[exercise_id].for_variant(variant)
    assert check_figure(spec) == []
    for placed in place_all(spec) + place_all(spec, mirror=True):
        assert all(gap <= CONTACT_TOLERANCE for gap in placed.gaps.values())


@pytest.mark.parametrize(("exercise_id", "variant"), FORMS, ids=[f"{e}:{v}" for e, v in FORMS])
def test_every_figure_draws_its_equipment_and_names_a_pose_for_every_cue(
    cat: Catalogue, exercise_id: str, variant: str | None
) -> None:
    exercise = cat.exercises[exercise_id]
    kit = exercise.variant(variant).equipment if variant else exercise.equipment
    spec = LIBRARY.all()[exercise_id].for_variant(variant)
    drawn = {p.kind.value for p in spec.props}
    assert {k.value for k in kit} - {"none"} <= drawn
    names = {p.name for p in spec.poses}
    for kind in CUE_KINDS:
        assert spec.cue_targets(kind) and set(spec.cue_targets(kind)) <= names


def test_there_is_a_figure_file_for_each_exercise_and_no_other(cat: Catalogue) -> None:
    assert {p.stem for p in figures_dir().glob("*.yaml")} == set(cat.exercises)


def test_exercises_that_move_have_key_poses_that_differ() -> None:
    for figure in LIBRARY.all().values():
        for spec in [figure.spec, *figure.variants.values()]:
            if spec.moves:
                first, *rest = spec.poses
                assert rest and all(pose_distance(first, p) >= MIN_POSE_CHANGE for p in rest)


# -- the SVG --------------------------------------------------------------------------------


@pytest.mark.parametrize(("exercise_id", "variant"), FORMS, ids=[f"{e}:{v}" for e, v in FORMS])
def test_the_svg_is_valid_xml_with_a_viewbox_and_a_title(
    cat: Catalogue, exercise_id: str, variant: str | None
) -> None:
    root = ET.fromstring(render_figure(exercise_id, variant=variant))
    assert root.tag == f"{SVG}svg"
    left, top, width, height = map(int, root.get("viewBox", "").split())
    assert (left, top, width) == (0, 0, 400) and 200 <= height <= 300
    name = (
        cat.exercises[exercise_id].variant(variant).name
        if variant
        else cat.exercises[exercise_id].name
    )
    assert root.findtext(f"{SVG}title") == name
    assert root.find(f"{SVG}circle[@class='head']") is not None


def test_a_standalone_svg_follows_dark_mode_and_an_inline_one_has_no_style() -> None:
    standalone = render_figure("cat-cow")
    assert "prefers-color-scheme: dark" in standalone
    inline = ET.fromstring(render_figure("cat-cow", standalone=False))
    assert inline.find(f"{SVG}style") is None
    assert all(el.get("style") is None for el in inline.iter())
    body = [el for el in inline.iter() if "body" in (el.get("class") or "").split()]
    assert body and all(el.get("stroke") == "currentColor" for el in body)


def test_the_far_limbs_are_faint_and_the_other_side_is_the_mirror_image() -> None:
    spec = LIBRARY.all()["bird-dog"].spec
    near = {i.name: i for i in still_drawing(spec, pose="reach", side="left").items}
    far = {i.name: i for i in still_drawing(spec, pose="reach", side="right").items}

    def reaching_back(items: dict[str, Item]) -> str:
        return min(("leg_l", "leg_r"), key=lambda leg: items[leg].points[-1][0])

    assert reaching_back(near) == "leg_l" and "far" not in near["leg_l"].cls.split()
    assert reaching_back(far) == "leg_r" and "far" in far["leg_r"].cls.split()


def test_one_key_pose_can_be_drawn_alone_by_name_or_number() -> None:
    by_number = render_figure("cat-cow", pose=3)
    assert by_number == render_figure("cat-cow", pose="cat")
    assert "<title>Cat-cow: cat</title>" in by_number
    assert "ghost" not in by_number


def test_an_unknown_pose_or_variant_is_named_with_the_known_ones() -> None:
    with pytest.raises(UnknownIdError, match="did you mean neutral, cow, cat"):
        render_figure("cat-cow", pose="dog")
    with pytest.raises(UnknownIdError, match="variant of cat-cow 'standing'"):
        render_figure("cat-cow", variant="standing")


# -- reading the figures: tangles, movement, the view box, words ----------------------------

TANGLE_DISTANCE = 6.0
"""Canvas units (of 400) within which two drawn limb lines lie on each other (a stroke is 8)."""
TANGLE_SHARE = 0.6
"""Two limb segments tangle when they lie on each other along this much of the longer's
length (a hand resting on a thigh covers little of it: a contact, not a tangle)."""
VISIBLE_TRAVEL = 10.0
"""Canvas units (of 400; 5 px on a 200 px phone figure) a moving joint must travel."""


def _canvas_points(placed: Placed, spec: FigureSpec) -> dict[str, tuple[float, float]]:
    camera, view = camera_of(spec), viewport_for(spec)
    out = {}
    for name, point in placed.skeleton.points.items():
        x, y, _ = project(point, camera)
        out[name] = view.to_canvas(x, y)
    return out


def _limb_segments() -> list[tuple[str, int, str, str]]:
    """(limb, index, from, to) for every segment of every limb."""
    return [
        (limb, i, a, b)
        for limb, joints in LIMBS.items()
        for i, (a, b) in enumerate(itertools.pairwise(joints))
    ]


def _share_on(
    a: tuple[tuple[float, float], tuple[float, float]],
    b: tuple[tuple[float, float], tuple[float, float]],
) -> float:
    """How much of segment ``a`` lies within ``TANGLE_DISTANCE`` of segment ``b``."""
    (ax, ay), (bx, by) = a
    samples = [(ax + (bx - ax) * k / 10, ay + (by - ay) * k / 10) for k in range(11)]
    return sum(_distance_to(p, b) <= TANGLE_DISTANCE for p in samples) / len(samples)


def _distance_to(
    p: tuple[float, float], seg: tuple[tuple[float, float], tuple[float, float]]
) -> float:
    (x0, y0), (x1, y1) = seg
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - x0) * dx + (p[1] - y0) * dy) / length2))
    return math.dist(p, (x0 + t * dx, y0 + t * dy))


def tangles(spec: FigureSpec, placed: Placed) -> list[str]:
    """Pairs of limb segments drawn one along the other in the figure's view.

    A limb and its pair on the other side drawn on each other (a side view of a symmetric
    pose) are not a tangle: the far one is drawn thinner and fainter behind. Neither are two
    segments that meet at a joint, nor a segment seen end-on (shorter than a stroke or two).
    """
    points = _canvas_points(placed, spec)
    segments = _limb_segments()
    found = []
    for (limb1, i1, a1, b1), (limb2, i2, a2, b2) in itertools.combinations(segments, 2):
        if {a1, b1} & {a2, b2} or (limb1[:-1] == limb2[:-1] and i1 == i2):
            continue
        s1, s2 = (points[a1], points[b1]), (points[a2], points[b2])
        shorter, longer = sorted((s1, s2), key=lambda s: math.dist(*s))
        if math.dist(*shorter) < 2 * TANGLE_DISTANCE:
            continue
        overlap = _share_on(shorter, longer) * math.dist(*shorter)
        if overlap >= TANGLE_SHARE * math.dist(*longer):
            found.append(f"{a1}-{b1} on {a2}-{b2} in pose {placed.pose.name!r}")
    return found


@pytest.mark.parametrize(("exercise_id", "variant"), FORMS, ids=[f"{e}:{v}" for e, v in FORMS])
def test_no_two_limb_segments_of_a_key_pose_lie_along_each_other_in_the_chosen_view(
    exercise_id: str, variant: str | None
) -> None:
    spec = LIBRARY.all()[exercise_id].for_variant(variant)
    assert [t for placed in place_all(spec) for t in tangles(spec, placed)] == []


def test_the_tangle_check_finds_a_forearm_drawn_along_a_shin_but_not_a_hand_on_a_thigh() -> None:
    side = FigureSpec(camera=Camera(azimuth=90), support=[Part.FEET], poses=[pose()], moves=False)
    standing = place_all(side)[0]
    assert tangles(side, standing) == []  # hands hang beside the thighs: short, a contact
    points = dict(standing.skeleton.points)
    points["elbow_l"] = points["knee_r"]
    points["wrist_l"] = points["ankle_r"]
    skeleton = replace(standing.skeleton, points=points)
    tangled = replace(standing, skeleton=skeleton)
    assert "knee_r-ankle_r on elbow_l-wrist_l in pose 'p'" in tangles(side, tangled) or (
        "elbow_l-wrist_l on knee_r-ankle_r in pose 'p'" in tangles(side, tangled)
    )


@pytest.mark.parametrize(("exercise_id", "variant"), FORMS, ids=[f"{e}:{v}" for e, v in FORMS])
def test_the_moving_joints_travel_a_visible_distance_between_key_poses(
    exercise_id: str, variant: str | None
) -> None:
    spec = LIBRARY.all()[exercise_id].for_variant(variant)
    if not spec.moves:
        pytest.skip("held still")
    placed = place_all(spec)
    for a, b in itertools.pairwise(placed):
        first, second = _canvas_points(a, spec), _canvas_points(b, spec)
        travel = max(math.dist(first[n], second[n]) for n in first)
        assert travel >= VISIBLE_TRAVEL, f"{a.pose.name} to {b.pose.name}: {travel:.1f}"
    still = still_drawing(spec)
    if spec.shown()[1] is not None:
        arrow = any(i.cls == "arrow" for i in still.items)
        assert arrow or still.inset is not None, "the still picture shows no movement"


def _bend(exercise_id: str) -> float:
    """How far the still picture's arrow bows from its chord, as a share of the chord."""
    arrow = next(
        i for i in still_drawing(LIBRARY.all()[exercise_id].spec).items if i.cls == "arrow"
    )
    chord = (arrow.points[0], arrow.points[-1])
    return max(_distance_to(p, chord) for p in arrow.points) / math.dist(*chord)


def test_the_arrow_curves_round_a_twist_and_runs_straight_for_a_lift_or_a_pull() -> None:
    assert _bend("seated-rotation") > 0.06  # an arc round the trunk, seen from above
    assert _bend("seated-spinal-twist") > 0.06
    assert _bend("pull-up") < 0.03  # the chest goes straight up to the bar


def _arrows(drawing: Drawing, cls: str = "arrow") -> list[Item]:
    return [i for i in drawing.items if i.cls == cls]


def _at(spec: FigureSpec, pose_name: str, point: str) -> tuple[float, float]:
    placed = next(p for p in place_all(spec) if p.pose.name == pose_name)
    return _canvas_points(placed, spec)[point]


def test_the_bridge_arrow_rises_straight_from_under_the_hips() -> None:
    spec = _spec("bridge", None)
    (arrow,) = _arrows(still_drawing(spec))
    start, end = arrow.points[0], arrow.points[-1]
    assert _bend("bridge") < 0.05  # nearly straight: a lift, not a swing
    assert start[1] - end[1] > 2 * abs(end[0] - start[0])  # up the picture, not along it
    low, high = _at(spec, "down", "pelvis"), _at(spec, "up", "pelvis")
    assert min(low[1], high[1]) - 2 <= end[1] < start[1] <= max(low[1], high[1]) + 2
    assert abs((start[0] + end[0]) / 2 - (low[0] + high[0]) / 2) < 20  # beside the hips


def test_the_neck_side_bend_arrow_arcs_from_over_the_head_down_towards_the_shoulder() -> None:
    spec = _spec("neck-side-bend", None)
    assert spec.camera is not None and spec.camera.azimuth == 0  # seen from the front
    drawing = still_drawing(spec)
    assert drawing.inset is not None
    (arrow,) = [i for i in drawing.inset.items if i.cls == "inset-arrow"]
    neck, head = _at(spec, "tilt", "neck"), _at(spec, "tilt", "head")
    reach = math.dist(neck, head)
    assert all(math.dist(p, neck) > reach for p in arrow.points)  # outside the head
    start, end = arrow.points[0], arrow.points[-1]
    assert start[1] < neck[1] - reach  # starts above the head...
    assert end[1] > start[1] + reach / 3  # ...and comes down
    assert (end[0] - neck[0]) * (head[0] - neck[0]) > 0  # on the side the head tips to


def test_the_scapular_squeeze_shows_two_arrows_towards_the_spine_and_a_close_up() -> None:
    spec = _spec("scapular-squeeze", None)
    drawing = still_drawing(spec)
    arrows = [i for i in drawing.items if i.cls == "arrow"]
    assert len(arrows) == 2
    neck = _at(spec, "squeeze", "neck")
    tips = []
    for arrow in arrows:
        start, end = arrow.points[0], arrow.points[-1]
        assert abs(end[0] - neck[0]) < abs(start[0] - neck[0])  # towards the spine
        assert abs(end[1] - start[1]) < 1  # level, across the back
        assert end[1] > neck[1]  # below the shoulders: at the blades
        tips.append(end[0] - neck[0])
    assert tips[0] * tips[1] < 0  # one from each side
    assert drawing.inset is not None
    assert len([i for i in drawing.inset.items if i.cls == "inset-arrow"]) == 2
    assert "shoulder blades" in render_figure("scapular-squeeze", library=LIBRARY)


def test_the_three_face_down_back_lifts_differ_in_their_arms() -> None:
    def elbow(exercise_id: str) -> float:
        spec = _spec(exercise_id, None)
        return spec.pose(spec.shown()[0]).joints.elbow_l

    sphinx = _spec("sphinx", None)
    assert Part.FOREARMS in sphinx.support_of(sphinx.pose(sphinx.shown()[0]))
    assert elbow("cobra") < 15  # straight arms
    assert elbow("prone-chest-lift") > 90  # bent arms, the back doing the lifting
    for exercise_id in ("prone-chest-lift", "sphinx", "cobra"):
        arrow = _arrows(still_drawing(_spec(exercise_id, None)))
        assert arrow and arrow[0].points[-1][1] < arrow[0].points[0][1]  # a lift, upwards


def test_the_core_breath_shows_the_belly_rising_over_its_faint_breath_out() -> None:
    spec = _spec("core-breath", None)
    items = {i.name: i for i in still_drawing(spec).items}
    belly, ghost = items["belly"], items["ghost.belly"]
    assert "ghost" in ghost.cls.split() and "ghost" not in belly.cls.split()
    middle = len(belly.points) // 2
    # lying on the back, up the picture is away from the floor: the breath in lifts the belly
    assert ghost.points[middle][1] - belly.points[middle][1] > 4
    assert render_figure("core-breath", library=LIBRARY, thumb=True).count('class="belly') == 1


def test_an_unknown_pivot_is_named() -> None:
    with pytest.raises(ValueError, match="unknown body point 'nape'"):
        FigureSpec.model_validate(
            {"support": ["seat"], "poses": [{"name": "p"}], "show": {"pivot": "nape"}}
        )


LYING_FILLS = 0.7
"""Share of the picture's width a body on a mat spans (all its poses, both sides): a figure
lying down is as long as it can be where a phone shows it 200 px wide."""
MAT_FORMS = [(e, v) for e, v in FORMS if any(p.kind is PropKind.MAT for p in _spec(e, v).props)]


def _body_box(spec: FigureSpec) -> tuple[float, float, float, float]:
    """(left, right, top, bottom) on the canvas of every point of every pose, both sides."""
    camera, view = camera_of(spec), viewport_for(spec)
    placed = place_all(spec) + place_all(spec, mirror=True)
    points = [
        view.to_canvas(*project(p, camera)[:2])
        for item in placed
        for p in item.skeleton.points.values()
    ]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), max(xs), min(ys), max(ys)


@pytest.mark.parametrize(
    ("exercise_id", "variant"), MAT_FORMS, ids=[f"{e}:{v}" for e, v in MAT_FORMS]
)
def test_a_body_on_a_mat_fills_the_width_of_its_picture(
    exercise_id: str, variant: str | None
) -> None:
    spec = _spec(exercise_id, variant)
    left, right, top, bottom = _body_box(spec)
    view = viewport_for(spec)
    assert (right - left) / view.width >= LYING_FILLS
    if right - left > 2 * (bottom - top):  # lying flat: no taller a picture than it needs
        assert view.height < 300
        assert still_drawing(spec).height == view.height


def test_a_flat_figure_gets_a_lower_picture_and_an_upright_one_keeps_four_by_three() -> None:
    assert viewport_for(_spec("sphinx", None)).height == 200
    assert viewport_for(_spec("side-reach", None)).height == 300


@pytest.mark.parametrize(
    ("exercise_id", "variant"), MAT_FORMS, ids=[f"{e}:{v}" for e, v in MAT_FORMS]
)
def test_a_mat_seen_from_above_reads_as_floor_not_a_ramp(
    exercise_id: str, variant: str | None
) -> None:
    """From 20 degrees up or more a mat shows its top: its long edges must run level."""
    spec = _spec(exercise_id, variant)
    if camera_of(spec)[1] < 20:
        pytest.skip("seen from near the floor: the mat is a thin strip")
    top = next(i for i in still_drawing(spec).items if i.cls.startswith("mat-top"))
    corners = list(dict.fromkeys(top.points))
    edges = list(zip(corners, corners[1:] + corners[:1], strict=True))
    (x0, y0), (x1, y1) = max(edges, key=lambda e: math.dist(*e))
    slope = abs(math.degrees(math.atan2(y1 - y0, x1 - x0)))
    assert min(slope, 180 - slope) <= 5


def _inside_the_view_box(drawing: Drawing) -> list[str]:
    out = []
    for item in drawing.items:
        r = item.radius
        for x, y in item.points:
            if not (r <= x <= drawing.width - r and r <= y <= drawing.height - r):
                out.append(f"{item.name} at ({x}, {y})")
    if drawing.inset is not None:
        x, y, w, h = drawing.inset.target
        if not (0 <= x <= drawing.width - w and 0 <= y <= drawing.height - h):
            out.append("the close-up")
    return out


@pytest.mark.parametrize(("exercise_id", "variant"), FORMS, ids=[f"{e}:{v}" for e, v in FORMS])
def test_nothing_is_clipped_by_the_view_box_in_any_pose_on_either_side(
    exercise_id: str, variant: str | None
) -> None:
    spec = LIBRARY.all()[exercise_id].for_variant(variant)
    clipped = []
    for side in ("left", "right"):
        clipped += _inside_the_view_box(still_drawing(spec, side=side))
        for p in spec.poses:
            clipped += _inside_the_view_box(still_drawing(spec, pose=p.name, side=side))
    assert clipped == []


@pytest.mark.parametrize(("exercise_id", "variant"), FORMS, ids=[f"{e}:{v}" for e, v in FORMS])
def test_every_figure_has_a_title_and_a_description_for_screen_readers(
    exercise_id: str, variant: str | None
) -> None:
    spec = LIBRARY.all()[exercise_id].for_variant(variant)
    for chosen in [None, spec.poses[-1].name]:
        root = ET.fromstring(render_figure(exercise_id, variant=variant, pose=chosen))
        assert (root.findtext(f"{SVG}title") or "").strip()
        description = root.findtext(f"{SVG}desc") or ""
        assert (
            description.startswith(("A ", "An ", "Kneel", "Sit", "Stand", "Lie"))
            or len(description) > 40
        )
        assert "A figure drawn from" in description


# -- the player's keyframes -----------------------------------------------------------------


def test_keyframes_give_both_sides_with_the_same_items_in_every_frame() -> None:
    spec = LIBRARY.all()["cat-cow"].spec
    data = keyframes(spec, title="Cat-cow")
    assert data["cues"]["breathe-in"] == ["cow"] and data["cues"]["breathe-out"] == ["cat"]
    assert data["cues"]["rep"] == ["cow", "cat"]
    shapes = None
    for side in ("left", "right"):
        frames = list(data["sides"][side]["poses"].values())
        frames += [f for tween in data["sides"][side]["tweens"].values() for f in tween]
        assert len(data["sides"][side]["tweens"]) == 3  # three poses, three pairs
        for frame in frames:
            found = sorted((item["n"], item["s"], len(item["p"])) for item in frame)
            shapes = shapes or found
            assert found == shapes


# -- the skeleton ---------------------------------------------------------------------------


def test_the_standing_figure_is_one_unit_tall_and_symmetric() -> None:
    s = skeleton(pose())
    height = s.points["head"][1] + HEAD_RADIUS - s.points["ankle_l"][1]
    assert height == pytest.approx(1.0, abs=0.03)
    assert s.points["ankle_l"][1] == pytest.approx(-SHANK - THIGH)
    for name in ("shoulder", "elbow", "hand", "knee", "toe"):
        left, right = s.points[f"{name}_l"], s.points[f"{name}_r"]
        assert left[:2] == pytest.approx(right[:2]) and left[2] == pytest.approx(-right[2])


def test_joint_angles_move_limbs_but_never_change_their_lengths() -> None:
    bent = skeleton(
        pose(
            root={"pitch": 40, "yaw": 30},
            joints={
                "spine": {"flex": 30, "twist": 20},
                "shoulder_l": {"elev": 120, "plane": 45},
                "elbow_l": 90,
                "hip_r": {"flex": 70, "abd": 20},
                "knee_r": 110,
            },
        )
    )
    p = bent.points
    assert math.dist(p["shoulder_l"], p["elbow_l"]) == pytest.approx(UPPER_ARM)
    assert math.dist(p["elbow_l"], p["wrist_l"]) == pytest.approx(FOREARM)
    assert math.dist(p["hip_r"], p["knee_r"]) == pytest.approx(THIGH)
    assert math.dist(p["knee_r"], p["ankle_r"]) == pytest.approx(SHANK)


def test_flexion_moves_forward_and_a_left_side_bend_moves_the_head_left() -> None:
    assert skeleton(pose(joints={"hip_l": {"flex": 90}})).points["knee_l"][0] > 0.2
    assert skeleton(pose(joints={"spine": {"side": 30}})).points["head"][2] > 0.05
    assert skeleton(pose(joints={"spine": {"twist": 40}})).points["shoulder_l"][0] < -0.05


def test_mirroring_swaps_the_sides_and_twice_gives_the_pose_back() -> None:
    twisted = pose(
        root={"yaw": 10}, joints={"spine": {"twist": 30}, "knee_l": 40}, support=[Part.FOOT_R]
    )
    once = mirrored(twisted)
    assert once.joints.knee_r == 40 and once.joints.spine.twist == -30
    assert once.support == [Part.FOOT_L]
    assert mirrored(once) == twisted


def test_projection_puts_forward_to_the_right_in_a_level_side_view() -> None:
    x, y, depth = project((1.0, 0.5, 0.2), (90.0, 0.0))
    assert (x, y, depth) == pytest.approx((1.0, 0.5, 0.2))


# -- the checks -----------------------------------------------------------------------------


def test_an_angle_beyond_its_limit_is_named_by_its_field() -> None:
    spec = all_fours_spec(pose(root={"pitch": 72}, joints={**ALL_FOURS, "knee_l": 170}))
    problems = check_figure(spec)
    assert problems and problems[0].field == "poses[0].joints.knee_l"
    assert "beyond the range 0 to 155" in problems[0].message


def test_a_floating_support_is_caught() -> None:
    lifted = pose(root={"pitch": 72}, joints={**ALL_FOURS, "shoulder": {"elev": 140}})
    problems = check_figure(all_fours_spec(lifted))
    assert any("hands is" in p.message and "off its surface" in p.message for p in problems)


def test_the_body_on_its_support_passes() -> None:
    assert check_figure(all_fours_spec(pose(root={"pitch": 72}, joints=ALL_FOURS))) == []


def test_key_poses_too_alike_fail_when_the_exercise_moves() -> None:
    first = pose(root={"pitch": 72}, joints=ALL_FOURS)
    second = first.model_copy(update={"name": "q"})
    problems = check_figure(all_fours_spec(first, second, moves=True))
    assert any("alike" in p.message for p in problems)


def test_a_bad_figure_file_names_the_file_and_the_field(tmp_path: Path, cat: Catalogue) -> None:
    source = (figures_dir() / "cat-cow.yaml").read_text().replace("knee: 90", "knee: 170", 1)
    bad = tmp_path / "cat-cow.yaml"
    bad.write_text(source)
    with pytest.raises(CatalogueError) as caught:
        load_figure_file(bad, cat)
    assert caught.value.file == "figures/cat-cow.yaml"
    assert caught.value.field == "poses[0].joints.knee_l"


def test_a_figure_must_draw_the_equipment_of_its_exercise(tmp_path: Path, cat: Catalogue) -> None:
    source = (figures_dir() / "bridge.yaml").read_text().replace("props: [{kind: mat}]\n", "", 1)
    bad = tmp_path / "bridge.yaml"
    bad.write_text(source)
    with pytest.raises(CatalogueError, match="does not draw the mat"):
        load_figure_file(bad, cat)


GEOMETRY = (
    "model",
    "vectors",
    "skeleton",
    "poses",
    "props",
    "placing",
    "checks",
    "camera",
    "outlines",
)
"""The modules of a figure's geometry: pure, like the domain, and reading no files."""


@pytest.mark.parametrize("name", GEOMETRY)
def test_the_figure_geometry_imports_nothing_from_the_edges_or_the_drawing(name: str) -> None:
    path = Path(midback.figures.__file__).with_name(f"{name}.py")
    tree = ast.parse(path.read_text())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    edges = (
        "fastapi",
        "sqlalchemy",
        "typer",
        "rich",
        "jinja2",
        "weasyprint",
        "yaml",
        "midback.web",
        "midback.cli",
        "midback.storage",
        "midback.services",
        "midback.figures.drawing",
        "midback.figures.svg",
        "midback.figures.library",
    )
    assert not [m for m in modules if m.startswith(edges)]
    inside = {m.removeprefix("midback.figures.") for m in modules if m.startswith("midback.")}
    assert inside <= set(GEOMETRY), f"{name} imports {inside - set(GEOMETRY)}"


def test_the_domain_keeps_no_figures() -> None:
    """The figures moved out of the domain into ``midback.figures`` (issue 14)."""
    assert not Path(midback.domain.__file__).with_name("figures.py").exists()


def test_each_figure_library_keeps_its_own_figures(tmp_path: Path, cat: Catalogue) -> None:
    """No figure is kept at module level: a library reads its own folder, once."""
    source = (figures_dir() / "cat-cow.yaml").read_text()
    (tmp_path / "cat-cow.yaml").write_text(source.replace("view: side", "view: front", 1))
    own = FigureLibrary(cat, tmp_path)
    assert own.spec("cat-cow").view is View.FRONT
    assert LIBRARY.spec("cat-cow").view is View.SIDE
    assert own.file("Cat-cow") is own.file("cat-cow")  # kept, found by name too
    with pytest.raises(UnknownIdError):
        own.file("bridge")  # an exercise of the catalogue without a file in this folder
    assert set(own.all()) == {"cat-cow"}
