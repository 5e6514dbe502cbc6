"""Stores for the integration tests: a test that asks for ``database_url`` or
``new_database_url`` runs twice, on a SQLite file and on a fresh PostgreSQL database.

PostgreSQL comes from ``tests.pg`` (a throwaway server for the test session); without one the
PostgreSQL runs are skipped, saying why (they fail instead when ``MIDBACK_REQUIRE_PG=1``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from midback.storage import Repository, SqlRepository, make_engine
from tests.fakes import FakeRepository
from tests.pg import BACKENDS, NewDatabase, migrated_database, new_sqlite, pg_database, pg_server

__all__ = [
    "backend",
    "database_url",
    "home",
    "new_database_url",
    "pg_database",
    "pg_server",
    "repo",
]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database the test runs on."""
    name: str = request.param
    return name


@pytest.fixture
def new_database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> NewDatabase:
    """Makes empty databases of ``backend`` (``migrated=True``: at the newest revision)."""
    if backend == "postgresql":
        pg: NewDatabase = request.getfixturevalue("pg_database")
        return pg

    def new(*, migrated: bool = False) -> str:
        return new_sqlite(tmp_path, migrated=migrated)

    return new


@pytest.fixture
def database_url(new_database_url: NewDatabase) -> str:
    """One empty database of the test's backend."""
    return new_database_url()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty MIDBACK_HOME for the CLI's local store (SQLite), never the user's own."""
    monkeypatch.setenv("MIDBACK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MIDBACK_DATABASE_URL", raising=False)
    return tmp_path / "home"


@pytest.fixture(params=[*BACKENDS, "fake"])
def repo(request: pytest.FixtureRequest) -> Iterator[Repository]:
    """A migrated store on each database, and the in-memory fake: behaviour tests run on all."""
    if request.param == "fake":
        yield FakeRepository()
        return
    engine = make_engine(migrated_database(request, request.param))
    yield SqlRepository(engine)
    engine.dispose()
