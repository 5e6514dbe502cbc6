"""The shipped catalogue: complete, consistent and faithful to the five articles."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from midback.domain.catalogue import Catalogue
from midback.domain.loader import (
    SNAPSHOT,
    default_catalogue_dir,
    load_catalogue,
    load_snapshot,
    main,
    snapshot_text,
    write_snapshot,
)
from midback.domain.vocab import Equipment, Position
from midback.errors import CatalogueError, UnknownIdError

ARTICLE_EXERCISES = {
    "powerful-simple": [
        "reverse-fly", "bent-over-row", "bird-dog", "seated-rotation", "brisk-walk",
    ],
    "three-for-relief": ["cat-cow", "seated-rotation", "doorway-stretch"],
    "top-ten": [
        "seated-spinal-twist", "childs-pose", "thread-the-needle", "cat-cow", "side-reach",
        "thoracic-extension-roll", "cobra", "bridge",
    ],
    "mid-back-qa": [
        "sphinx", "seated-rotation", "prone-chest-lift", "childs-pose", "cat-cow", "shoulder-roll",
        "neck-side-bend", "scapular-squeeze", "barbell-shrug-behind-back", "seated-cable-row",
        "bent-over-row", "pull-up", "one-arm-dumbbell-row", "band-pull-apart", "renegade-row",
    ],
    "five-easy": [
        "bridge", "crunch", "core-breath", "leg-swing-front-back", "leg-swing-lateral", "cobra",
        "side-reach",
    ],
}  # fmt: skip

PROGRAMS = {
    "four-directions": ["reverse-fly", "bird-dog", "seated-rotation", "brisk-walk"],
    "three-for-relief": ["cat-cow", "seated-rotation", "doorway-stretch"],
    "top-mobility": [
        "seated-spinal-twist", "childs-pose", "thread-the-needle", "cat-cow", "side-reach",
        "thoracic-extension-roll", "cobra", "bridge",
    ],
    "upper-back-loosen": [
        "childs-pose", "cat-cow", "shoulder-roll", "neck-side-bend", "scapular-squeeze",
    ],
    "mid-back-gym": [
        "barbell-shrug-behind-back", "seated-cable-row", "bent-over-row", "pull-up",
        "one-arm-dumbbell-row",
    ],
    "mid-back-pain-strength": ["band-pull-apart", "one-arm-dumbbell-row", "renegade-row"],
    "quick-stretches": ["sphinx", "seated-rotation", "prone-chest-lift"],
    "core-foundation": [
        "bridge", "crunch", "core-breath", "leg-swing-front-back", "leg-swing-lateral", "cobra",
        "side-reach",
    ],
}  # fmt: skip


@pytest.mark.parametrize("source_id", sorted(ARTICLE_EXERCISES))
def test_every_article_exercise_is_in_the_catalogue_citing_it(
    cat: Catalogue, source_id: str
) -> None:
    for exercise_id in ARTICLE_EXERCISES[source_id]:
        assert source_id in cat.exercise(exercise_id).sources, (exercise_id, source_id)


def test_the_catalogue_holds_the_eight_programs_in_article_order(cat: Catalogue) -> None:
    assert set(cat.programs) == set(PROGRAMS)
    for program_id, exercises in PROGRAMS.items():
        assert [e.exercise_id for e in cat.program(program_id).entries] == exercises


def test_every_program_entry_names_an_existing_exercise_and_variant(cat: Catalogue) -> None:
    for program in cat.programs.values():
        assert program.source in cat.sources
        for entry in program.entries:
            exercise = cat.exercise(entry.exercise_id)
            if entry.variant is not None:
                exercise.variant(entry.variant)


def test_every_exercise_is_complete(cat: Catalogue) -> None:
    for exercise in cat.exercises.values():
        assert exercise.steps and exercise.cues, exercise.id
        assert exercise.positions and exercise.places and exercise.equipment, exercise.id
        assert exercise.directions and exercise.sources, exercise.id
        assert exercise.dose.source in {*cat.sources, "default"}, exercise.id
        if exercise.dose.source == "default":
            assert exercise.dose.note, f"{exercise.id}: a default dose says which default"


def test_desk_and_car_forms_need_no_floor_and_no_kit(cat: Catalogue) -> None:
    allowed_positions = {Position.STANDING, Position.SEATED_CHAIR}
    allowed_kit = {Equipment.NONE, Equipment.CHAIR, Equipment.DOORWAY}
    for exercise in cat.exercises.values():
        forms = [(exercise.places, exercise.positions, exercise.equipment)] + [
            (v.places or exercise.places, v.positions, v.equipment) for v in exercise.variants
        ]
        for places, positions, equipment in forms:
            if {"desk", "car"} & {p.value for p in places}:
                assert set(positions) <= allowed_positions, exercise.id
                assert set(equipment) <= allowed_kit, exercise.id


def test_the_articles_own_doses_are_kept(cat: Catalogue) -> None:
    relief = cat.program("three-for-relief").entries
    assert relief[0].dose is not None and str(relief[0].dose.reps) == "10"
    assert relief[1].dose is not None and str(relief[1].dose.hold_s) == "15"
    assert relief[2].dose is not None and str(relief[2].dose.sets) == "2-3"
    crunch = cat.program("core-foundation").entries[1].dose
    assert crunch is not None and (str(crunch.sets), str(crunch.reps), str(crunch.rest_s)) == (
        "2",
        "15",
        "45",
    )


def test_an_alias_finds_its_exercise(cat: Catalogue) -> None:
    assert cat.exercise("opposition arm-leg raise").id == "bird-dog"


def test_an_unknown_id_suggests_close_ones(cat: Catalogue) -> None:
    with pytest.raises(UnknownIdError) as caught:
        cat.exercise("cat-cwo")
    assert "cat-cow" in caught.value.suggestions


def _edit(path: Path, change: dict[str, object]) -> None:
    data = yaml.safe_load(path.read_text())
    data.update(change)
    path.write_text(yaml.safe_dump(data))


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        ("exercises/cat-cow.yaml", {"kind": "yoga"}, "exercises/cat-cow.yaml: kind"),
        (
            "exercises/cat-cow.yaml",
            {"dose": {"hold_s": "30-20", "source": "top-ten"}},
            "exercises/cat-cow.yaml: dose.hold_s",
        ),
        ("exercises/cat-cow.yaml", {"id": "cow-cat"}, "differs from the file name"),
        ("exercises/cat-cow.yaml", {"progressions": ["flying"]}, "progressions[0]"),
        ("exercises/cat-cow.yaml", {"sources": ["blog"]}, "sources[0]"),
        (
            "programs/three-for-relief.yaml",
            {"entries": [{"exercise_id": "cat-cow", "variant": "upside-down"}]},
            "entries[0].variant",
        ),
        ("exercises/cat-cow.yaml", {"steps": []}, "exercises/cat-cow.yaml: steps"),
    ],
)
def test_a_broken_file_names_the_file_and_the_field(
    catalogue_copy: Path, file: str, change: dict[str, object], expected: str
) -> None:
    _edit(catalogue_copy / file, change)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(catalogue_copy)
    assert expected in str(caught.value)


def test_invalid_yaml_names_the_line(catalogue_copy: Path) -> None:
    (catalogue_copy / "exercises" / "bridge.yaml").write_text("id: bridge\nname: [unclosed\n")
    with pytest.raises(CatalogueError, match=r"exercises/bridge.yaml: invalid YAML at line"):
        load_catalogue(catalogue_copy)


def test_a_guide_page_needs_front_matter(catalogue_copy: Path) -> None:
    (catalogue_copy / "guide" / "causes.md").write_text("# no front matter\n")
    with pytest.raises(CatalogueError, match=r"guide/causes\.md: a guide page starts"):
        load_catalogue(catalogue_copy)


# --- the JSON snapshot -----------------------------------------------------------------------


def test_the_shipped_snapshot_is_up_to_date() -> None:
    root = default_catalogue_dir()
    assert (root / SNAPSHOT).read_text(encoding="utf-8") == snapshot_text(root), (
        "src/midback/catalogue/snapshot.json is stale: "
        "run `uv run python -m midback.domain.loader --snapshot`"
    )


def test_the_snapshot_gives_the_catalogue_the_yaml_gives() -> None:
    root = default_catalogue_dir()
    from_snapshot = load_snapshot(root)
    assert from_snapshot is not None
    assert from_snapshot == load_catalogue(root, snapshot=False)
    assert load_catalogue(root) == from_snapshot


def test_a_changed_file_is_read_from_yaml_not_the_stale_snapshot(catalogue_copy: Path) -> None:
    assert load_snapshot(catalogue_copy) is not None
    _edit(catalogue_copy / "exercises" / "cat-cow.yaml", {"name": "Cow cat"})
    assert load_snapshot(catalogue_copy) is None
    assert load_catalogue(catalogue_copy).exercise("cat-cow").name == "Cow cat"
    write_snapshot(catalogue_copy)
    fresh = load_snapshot(catalogue_copy)
    assert fresh is not None and fresh.exercise("cat-cow").name == "Cow cat"


@pytest.mark.parametrize("content", ["", "{}", '{"inputs": "x", "catalogue": []}', "not json"])
def test_a_broken_snapshot_is_ignored(catalogue_copy: Path, content: str) -> None:
    (catalogue_copy / SNAPSHOT).write_text(content)
    assert load_snapshot(catalogue_copy) is None
    assert load_catalogue(catalogue_copy) == load_catalogue(catalogue_copy, snapshot=False)


def test_the_snapshot_command_writes_and_checks(
    catalogue_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (catalogue_copy / SNAPSHOT).unlink()
    assert main(["--check", str(catalogue_copy)]) == 1
    assert main(["--snapshot", str(catalogue_copy)]) == 0
    assert main(["--check", str(catalogue_copy)]) == 0
    assert "is up to date" in capsys.readouterr().out
    assert main([]) == 2
