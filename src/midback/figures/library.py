"""Reads the figure files, one per exercise: ``catalogue/figures/ID.yaml``.

A file holds the exercise's figure (view, support, props, key poses, cue mapping) and, under
``variants``, one for each of its variants; a variant leaves out what it shares with the
exercise (its poses too). A pose may start ``from`` another pose (of the same list, or the
exercise's) and change only some angles (it takes the angles, not the support)::

    poses:
      - name: neutral
        root: {pitch: 80}
        joints: {hip: {flex: 90}, knee: 90}
      - name: cow
        from: neutral
        joints: {spine: {flex: -25}}

Every figure is checked when read (``check_figure``) and against the catalogue (the exercise
and its variants exist, and the props include the equipment); a problem names the file and
the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from midback.domain.catalogue import Catalogue, Exercise
from midback.domain.loader import default_catalogue_dir
from midback.errors import CatalogueError, UnknownIdError
from midback.figures.checks import check_figure
from midback.figures.model import FigureSpec

try:  # the C loader is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_SHARED = (
    "view",
    "camera",
    "support",
    "anchor",
    "props",
    "poses",
    "cue_poses",
    "drawn_side",
    "moves",
    "show",
)


class FigureFile(BaseModel):
    """One exercise's figures: its own and its variants', each a complete ``FigureSpec``."""

    model_config = ConfigDict(frozen=True)

    id: str
    spec: FigureSpec
    variants: dict[str, FigureSpec]

    def for_variant(self, variant: str | None) -> FigureSpec:
        """The figure of ``variant`` (None: the exercise's own); UnknownIdError if none."""
        if variant is None:
            return self.spec
        try:
            return self.variants[variant]
        except KeyError:
            raise UnknownIdError(f"variant of {self.id}", variant, sorted(self.variants)) from None


def figures_dir() -> Path:
    """The figure files shipped with the catalogue."""
    return default_catalogue_dir() / "figures"


def load_figure_file(path: Path, cat: Catalogue | None = None) -> FigureFile:
    """Read, validate and check one figure file; CatalogueError names the file and field."""
    name = f"figures/{path.name}"
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except FileNotFoundError:
        raise CatalogueError(name, "file not found") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CatalogueError(name, f"invalid YAML{where}") from None
    if not isinstance(raw, dict):
        raise CatalogueError(name, "expected a mapping of fields")
    if raw.get("id") != path.stem:
        raise CatalogueError(name, f"id {raw.get('id')!r} differs from the file name", field="id")
    exercise = cat.exercises.get(path.stem) if cat is not None else None
    if cat is not None and exercise is None:
        raise CatalogueError(name, f"no exercise {path.stem!r} in the catalogue", field="id")
    base_raw = {k: v for k, v in raw.items() if k not in ("id", "variants")}
    spec = _spec(base_raw, [], name, "")
    variants: dict[str, FigureSpec] = {}
    raw_variants = raw.get("variants") or {}
    if not isinstance(raw_variants, dict):
        raise CatalogueError(name, "expected a mapping of variant ids", field="variants")
    for variant_id, given in raw_variants.items():
        where = f"variants.{variant_id}."
        if exercise is not None and variant_id not in {v.id for v in exercise.variants}:
            raise CatalogueError(
                name, f"{path.stem} has no variant {variant_id!r}", field=f"variants.{variant_id}"
            )
        if not isinstance(given, dict):
            raise CatalogueError(name, "expected a mapping of fields", field=where[:-1])
        merged = {k: base_raw[k] for k in _SHARED if k in base_raw} | given
        variants[str(variant_id)] = _spec(merged, base_raw.get("poses") or [], name, where)
    if exercise is not None:
        _check_props(exercise, spec, variants, name)
    return FigureFile(id=path.stem, spec=spec, variants=variants)


class FigureLibrary:
    """The figure files of one catalogue, each read and checked on first use and then kept.

    The app builds one (``create_app``) and the CLI one per command: nothing is kept at module
    level, so a test or a second app with another catalogue never sees these figures.
    """

    def __init__(self, cat: Catalogue, root: Path | None = None) -> None:
        self.catalogue = cat
        self.root = root if root is not None else figures_dir()
        self._files: dict[str, FigureFile] = {}

    def file(self, exercise_id: str) -> FigureFile:
        """The figures of one exercise (its id, alias or name); UnknownIdError when none."""
        exercise = self.catalogue.exercise(exercise_id)
        found = self._files.get(exercise.id)
        if found is None:
            path = self.root / f"{exercise.id}.yaml"
            if not path.is_file():
                raise UnknownIdError("figure", exercise_id, [])
            found = self._files[exercise.id] = load_figure_file(path, self.catalogue)
        return found

    def spec(self, exercise_id: str, variant: str | None = None) -> FigureSpec:
        """The figure of an exercise or one of its variants; UnknownIdError names a bad one."""
        return self.file(exercise_id).for_variant(variant)

    def all(self) -> dict[str, FigureFile]:
        """Every figure file under the library's folder, by exercise id (all read now)."""
        if not self.root.is_dir():
            raise CatalogueError(str(self.root), "figures folder not found")
        for path in sorted(self.root.glob("*.yaml")):
            if path.stem not in self._files:
                self._files[path.stem] = load_figure_file(path, self.catalogue)
        return {stem: self._files[stem] for stem in sorted(self._files)}


def _spec(data: dict[str, Any], base_poses: list[Any], file: str, prefix: str) -> FigureSpec:
    data = dict(data)
    if isinstance(data.get("poses"), list):
        data["poses"] = _resolve_poses(data["poses"], base_poses, file, prefix)
    try:
        spec = FigureSpec.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = prefix + _path(first["loc"])
        raise CatalogueError(file, first["msg"], field=field.rstrip(".") or None) from None
    problems = check_figure(spec, prefix=prefix)
    if problems:
        raise CatalogueError(file, problems[0].message, field=problems[0].field)
    return spec


def _resolve_poses(
    poses: list[Any], base: list[Any], file: str, prefix: str
) -> list[dict[str, Any]]:
    known = {p.get("name"): p for p in base if isinstance(p, dict)}
    out: list[dict[str, Any]] = []
    for index, pose in enumerate(poses):
        if not isinstance(pose, dict):
            raise CatalogueError(file, "expected a mapping", field=f"{prefix}poses[{index}]")
        pose = dict(pose)
        parent_name = pose.pop("from", None)
        if parent_name is not None:
            parent = known.get(parent_name)
            if parent is None:
                raise CatalogueError(
                    file,
                    f"no earlier pose called {parent_name!r}",
                    field=f"{prefix}poses[{index}].from",
                )
            pose = _merge({k: v for k, v in parent.items() if k in ("root", "joints")}, pose)
        known[pose.get("name")] = pose
        out.append(pose)
    return out


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _check_props(
    exercise: Exercise, spec: FigureSpec, variants: dict[str, FigureSpec], file: str
) -> None:
    forms = [("", exercise.equipment, spec)]
    forms += [
        (f"variants.{v.id}.", v.equipment, variants[v.id])
        for v in exercise.variants
        if v.id in variants
    ]
    for prefix, equipment, form in forms:
        drawn = {p.kind.value for p in form.props}
        for item in equipment:
            if item.value != "none" and item.value not in drawn:
                raise CatalogueError(
                    file, f"the figure does not draw the {item.value}", field=f"{prefix}props"
                )


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "[" in str(part) or "function-" in str(part):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out
