"""Reads the catalogue from YAML and Markdown files, validating and cross-checking everything.

Layout of a catalogue folder::

    sources.yaml          the articles, a list of Source
    exercises/ID.yaml     one Exercise each; the file name is the id
    programs/ID.yaml      one Program each
    guide/ID.md           a guide page: YAML front matter (title, sources) then Markdown
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from midback.domain.catalogue import Catalogue, Exercise, GuidePage, Program, Source
from midback.domain.dose import DEFAULT_SOURCE, Dose
from midback.errors import CatalogueError

try:  # the C loader is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

M = TypeVar("M", bound=BaseModel)


def default_catalogue_dir() -> Path:
    """The catalogue shipped inside the package."""
    return Path(str(resources.files("midback") / "catalogue"))


@cache
def _load_default() -> Catalogue:
    return load_catalogue(default_catalogue_dir())


def catalogue() -> Catalogue:
    """The shipped catalogue, loaded once per process."""
    return _load_default()


def load_catalogue(root: Path) -> Catalogue:
    """Load and validate the catalogue under ``root``; errors name the file and the field."""
    if not root.is_dir():
        raise CatalogueError(str(root), "catalogue folder not found")
    sources_file = root / "sources.yaml"
    raw_sources = _read_yaml(sources_file)
    if not isinstance(raw_sources, list):
        raise CatalogueError(_rel(sources_file, root), "expected a list of sources")
    sources: dict[str, Source] = {}
    for index, item in enumerate(raw_sources):
        source = _validate(Source, item, _rel(sources_file, root), prefix=f"[{index}]")
        sources[source.id] = source

    exercises = {e.id: e for e in _load_folder(root, "exercises", Exercise)}
    programs = {p.id: p for p in _load_folder(root, "programs", Program)}
    guides = {g.id: g for g in _load_guides(root)}
    result = Catalogue(sources=sources, exercises=exercises, programs=programs, guides=guides)
    _cross_check(result, root)
    return result


def _load_folder(root: Path, folder: str, model: type[M]) -> list[M]:
    directory = root / folder
    if not directory.is_dir():
        raise CatalogueError(_rel(directory, root), "folder not found")
    items: list[M] = []
    for path in sorted(directory.glob("*.yaml")):
        name = _rel(path, root)
        data = _read_yaml(path, name)
        if not isinstance(data, dict):
            raise CatalogueError(name, "expected a mapping of fields")
        item = _validate(model, data, name)
        if getattr(item, "id", None) != path.stem:
            raise CatalogueError(
                name, f"id {getattr(item, 'id', None)!r} differs from the file name", field="id"
            )
        items.append(item)
    return items


def _load_guides(root: Path) -> list[GuidePage]:
    directory = root / "guide"
    if not directory.is_dir():
        raise CatalogueError(_rel(directory, root), "folder not found")
    pages: list[GuidePage] = []
    for path in sorted(directory.glob("*.md")):
        name = _rel(path, root)
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---\n"):
            raise CatalogueError(
                name, "a guide page starts with YAML front matter between '---' lines"
            )
        try:
            head, body = text[4:].split("\n---\n", 1)
        except ValueError:
            raise CatalogueError(name, "front matter is not closed by a '---' line") from None
        meta = _parse_yaml(head, name)
        if not isinstance(meta, dict):
            raise CatalogueError(name, "front matter must be a mapping")
        pages.append(_validate(GuidePage, {"id": path.stem, **meta, "body": body.strip()}, name))
    return pages


def _cross_check(cat: Catalogue, root: Path) -> None:
    known_sources = set(cat.sources) | {DEFAULT_SOURCE}

    def check_dose(dose: Dose, file: str, field: str) -> None:
        if dose.source not in known_sources:
            raise CatalogueError(file, f"unknown source {dose.source!r}", field=f"{field}.source")

    for exercise in cat.exercises.values():
        file = f"exercises/{exercise.id}.yaml"
        check_dose(exercise.dose, file, "dose")
        for i, source_id in enumerate(exercise.sources):
            if source_id not in cat.sources:
                raise CatalogueError(file, f"unknown source {source_id!r}", field=f"sources[{i}]")
        for field in ("progressions", "regressions"):
            for i, other in enumerate(getattr(exercise, field)):
                if other not in cat.exercises:
                    raise CatalogueError(file, f"unknown exercise {other!r}", field=f"{field}[{i}]")
        variant_ids = [v.id for v in exercise.variants]
        if len(set(variant_ids)) != len(variant_ids):
            raise CatalogueError(file, "variant ids repeat", field="variants")
        for i, caution in enumerate(exercise.cautions):
            if caution.variant is not None and caution.variant not in variant_ids:
                raise CatalogueError(
                    file, f"unknown variant {caution.variant!r}", field=f"cautions[{i}].variant"
                )
    for program in cat.programs.values():
        file = f"programs/{program.id}.yaml"
        if program.source not in cat.sources:
            raise CatalogueError(file, f"unknown source {program.source!r}", field="source")
        for i, entry in enumerate(program.entries):
            field = f"entries[{i}]"
            target = cat.exercises.get(entry.exercise_id)
            if target is None:
                raise CatalogueError(
                    file, f"unknown exercise {entry.exercise_id!r}", field=f"{field}.exercise_id"
                )
            if entry.variant is not None and entry.variant not in {v.id for v in target.variants}:
                raise CatalogueError(
                    file,
                    f"exercise {target.id!r} has no variant {entry.variant!r}",
                    field=f"{field}.variant",
                )
            if entry.dose is not None:
                check_dose(entry.dose, file, f"{field}.dose")
    for guide in cat.guides.values():
        for i, source_id in enumerate(guide.sources):
            if source_id not in cat.sources:
                raise CatalogueError(
                    f"guide/{guide.id}.md", f"unknown source {source_id!r}", field=f"sources[{i}]"
                )


def _read_yaml(path: Path, name: str | None = None) -> Any:
    name = name or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError(name, "file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogueError(name, f"cannot read: {error}") from None
    return _parse_yaml(text, name)


def _parse_yaml(text: str, name: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise CatalogueError(name, f"invalid YAML{where}: {problem}") from None


def _validate(model: type[M], data: Any, file: str, *, prefix: str = "") -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = prefix + _field_path(first["loc"])
        raise CatalogueError(file, first["msg"], field=field or None) from None


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in {"function-before[_parse_range(), Range]"} or "[" in str(part):
            continue
        else:
            path += f".{part}" if path else str(part)
    return path


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
