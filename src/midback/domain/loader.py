"""Reads the catalogue from YAML and Markdown files, validating and cross-checking everything.

Layout of a catalogue folder::

    sources.yaml          the articles, a list of Source
    exercises/ID.yaml     one Exercise each; the file name is the id
    programs/ID.yaml      one Program each
    guide/ID.md           a guide page: YAML front matter (title, sources) then Markdown
    snapshot.json         the validated catalogue as JSON, for fast start-up (generated)

The YAML and Markdown files are the source of truth. ``snapshot.json`` holds the catalogue they
give, as validated and cross-checked, with a SHA-256 digest of its inputs: those files and the
code that reads them (this module and the catalogue's models). ``load_catalogue`` uses the
snapshot only when that digest matches, so a changed file is always read from YAML (and a broken
one reported, naming file and field); ``tests/unit/test_catalogue.py`` fails while the shipped
snapshot is stale. Regenerate it with::

    uv run python -m midback.domain.loader --snapshot
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from midback.domain.catalogue import Catalogue, Exercise, GuidePage, Program, Source
from midback.domain.dose import DEFAULT_SOURCE, Dose
from midback.errors import CatalogueError

M = TypeVar("M", bound=BaseModel)

SNAPSHOT = "snapshot.json"
"""The snapshot's file name, in the catalogue folder."""

_CODE = ("loader.py", "catalogue.py", "dose.py", "vocab.py")
"""The modules (in this package) whose code shapes the catalogue; part of the snapshot's digest."""


class Snapshot(BaseModel):
    """The contents of ``snapshot.json``: the digest of the inputs, then the catalogue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    inputs: str
    """``inputs_digest`` of the catalogue folder the snapshot was made from."""
    catalogue: Catalogue


def default_catalogue_dir() -> Path:
    """The catalogue shipped inside the package (``midback/catalogue``, a real folder)."""
    return Path(__file__).parents[1] / "catalogue"


@cache
def _load_default() -> Catalogue:
    return load_catalogue(default_catalogue_dir())


def catalogue() -> Catalogue:
    """The shipped catalogue, loaded once per process."""
    return _load_default()


def load_catalogue(root: Path, *, snapshot: bool = True) -> Catalogue:
    """Load and validate the catalogue under ``root``; errors name the file and the field.

    With ``snapshot`` (the default) an up-to-date ``snapshot.json`` is used instead of the YAML
    files; ``snapshot=False`` always reads and validates the YAML.
    """
    if not root.is_dir():
        raise CatalogueError(str(root), "catalogue folder not found")
    if snapshot:
        fresh = load_snapshot(root)
        if fresh is not None:
            return fresh
    return _load_sources(root)


def load_snapshot(root: Path) -> Catalogue | None:
    """The catalogue in ``root/snapshot.json`` when it is up to date, else None.

    Up to date means its digest matches ``inputs_digest(root)`` and it passes validation and
    the cross-checks; anything else (missing, stale, unreadable) gives None.
    """
    try:
        data = (root / SNAPSHOT).read_bytes()
    except OSError:
        return None
    digest = inputs_digest(root)
    if digest is None:
        return None
    try:
        found = Snapshot.model_validate_json(data)
    except ValidationError:
        return None
    if found.inputs != digest:
        return None
    try:
        _cross_check(found.catalogue, root)
    except CatalogueError:
        return None
    return found.catalogue


def inputs_digest(root: Path) -> str | None:
    """SHA-256 of the catalogue files under ``root`` and of the code that reads them.

    None when a file cannot be read (the YAML loader then says which).
    """
    files = [root / "sources.yaml"]
    for folder, pattern in (("exercises", "*.yaml"), ("programs", "*.yaml"), ("guide", "*.md")):
        files += sorted((root / folder).glob(pattern))
    code = Path(__file__).parent
    digest = hashlib.sha256()
    try:
        for path in files:
            digest.update(f"{_rel(path, root)}\0{path.stat().st_size}\0".encode())
            digest.update(path.read_bytes())
        for name in _CODE:
            digest.update(f"code/{name}\0".encode())
            digest.update((code / name).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def snapshot_text(root: Path) -> str:
    """What ``snapshot.json`` should hold for ``root``: the catalogue read from YAML, as JSON."""
    digest = inputs_digest(root)
    if digest is None:
        _load_sources(root)  # names the file that cannot be read
        raise CatalogueError(str(root), "cannot read the catalogue files")
    found = Snapshot(inputs=digest, catalogue=_load_sources(root))
    return found.model_dump_json(indent=1) + "\n"


def write_snapshot(root: Path) -> Path:
    """Write ``root/snapshot.json`` from the YAML files (atomically); returns its path."""
    target = root / SNAPSHOT
    partial = target.with_name(target.name + ".part")
    partial.write_text(snapshot_text(root), encoding="utf-8")
    partial.replace(target)
    return target


def _load_sources(root: Path) -> Catalogue:
    """Read, validate and cross-check the YAML and Markdown files under ``root``."""
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
    import yaml  # here, not at the top: a start-up from the snapshot reads no YAML

    # The C loader is several times faster; yaml lacks it where libyaml is missing.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
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


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m midback.domain.loader --snapshot|--check [FOLDER]`` (default: shipped)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in {"--snapshot", "--check"} or len(args) > 2:
        sys.stderr.write("usage: python -m midback.domain.loader --snapshot|--check [FOLDER]\n")
        return 2
    root = Path(args[1]) if len(args) > 1 else default_catalogue_dir()
    try:
        if args[0] == "--snapshot":
            sys.stdout.write(f"wrote {write_snapshot(root)}\n")
            return 0
        if load_snapshot(root) is None:
            sys.stdout.write(f"{root / SNAPSHOT} is stale or missing\n")
            return 1
    except CatalogueError as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    sys.stdout.write(f"{root / SNAPSHOT} is up to date\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
