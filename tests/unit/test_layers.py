"""The house's one direction: the domain imports nothing from the edges, the faces reach the
stores only through the use cases, and the use cases never reach back into a face."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import midback.domain

DOMAIN = Path(midback.domain.__file__).parent
PACKAGE = DOMAIN.parent
FACES = sorted([*(PACKAGE / "web").rglob("*.py"), *(PACKAGE / "cli").rglob("*.py")])
SERVICES = sorted((PACKAGE / "services").glob("*.py"))
EDGES = (
    "midback.storage",
    "midback.web",
    "midback.cli",
    "midback.services",
    "midback.caches",
    "midback.figures",
    "sqlalchemy",
    "fastapi",
    "starlette",
    "typer",
    "rich",
    "alembic",
)


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (functions' lazy imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_a_domain_module_imports_nothing_from_the_edges(path: Path) -> None:
    bad = sorted(m for m in imported(path) if m.startswith(EDGES))
    assert bad == [], f"{path.name} imports {bad}"


def test_the_check_sees_a_bad_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from midback.storage import engine\n", encoding="utf-8")
    assert "midback.storage" in imported(sample)


@pytest.mark.parametrize("path", FACES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_face_never_imports_storage(path: Path) -> None:
    bad = sorted(m for m in imported(path) if m.startswith(("midback.storage", "sqlalchemy")))
    assert bad == [], f"{path.relative_to(PACKAGE)} imports {bad}: go through midback.services"


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_a_use_case_never_imports_a_face(path: Path) -> None:
    bad = sorted(m for m in imported(path) if m.startswith(("midback.web", "midback.cli")))
    assert bad == [], f"services/{path.name} imports {bad}"


def test_the_faces_are_all_seen() -> None:
    names = {p.name for p in FACES}
    assert {"app.py", "deps.py", "session_cmds.py", "plan_cmds.py"} <= names


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (PACKAGE / "cli").glob("*.py") if p.name != "serve_cmds.py"),
    ids=lambda p: p.name,
)
def test_the_terminal_never_imports_the_web(path: Path) -> None:
    """Only ``midback serve`` starts the web app; every other command shares the use cases."""
    bad = sorted(m for m in imported(path) if m.startswith("midback.web"))
    assert bad == [], f"cli/{path.name} imports {bad}"
