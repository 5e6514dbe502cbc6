"""Shared fixtures: the shipped catalogue, and a copy of it that a test may break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from midback.domain.catalogue import Catalogue
from midback.domain.loader import catalogue, default_catalogue_dir


@pytest.fixture(scope="session")
def cat() -> Catalogue:
    """The shipped catalogue, loaded once."""
    return catalogue()


@pytest.fixture
def catalogue_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped catalogue folder."""
    target = tmp_path / "catalogue"
    shutil.copytree(default_catalogue_dir(), target)
    return target


_BY_FOLDER = {"load": pytest.mark.load, "e2e": pytest.mark.e2e}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/load is marked ``load`` and every one under tests/e2e ``e2e``,
    whether or not its module says so: ``-m "not load and not e2e"`` is honest."""
    for item in items:
        folder = item.path.parent.name
        if folder in _BY_FOLDER:
            item.add_marker(_BY_FOLDER[folder])
