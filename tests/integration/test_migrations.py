"""Migrations build the schema the tables describe, from an empty database, as often as asked,
on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import midback
from midback.storage import LOCAL_PERSON_ID, SqlRepository, make_engine, upgrade
from midback.storage.engine import (
    MIGRATIONS_DIR,
    alembic_config,
    current_revision,
    head_revision,
)
from midback.storage.tables import Base

TABLES = {"people", "sessions", "exercise_logs", "checkins", "screen_results", "progression"}


@pytest.fixture
def url(database_url: str) -> str:
    """An empty database: a SQLite file, or a fresh PostgreSQL database (see conftest.py)."""
    return database_url


@pytest.fixture
def engine(url: str) -> Iterator[sa.Engine]:
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_an_empty_file_is_upgraded_to_the_newest_revision(engine: sa.Engine) -> None:
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision() is not None
    assert set(sa.inspect(engine).get_table_names()) >= TABLES


def test_the_first_migration_creates_the_local_person(engine: sa.Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        people = connection.execute(sa.text("SELECT id, email FROM people")).all()
    assert [tuple(p) for p in people] == [(LOCAL_PERSON_ID, None)]


def test_upgrading_again_changes_nothing(engine: sa.Engine) -> None:
    upgrade(engine)
    session = SqlRepository(engine).start_session(
        LOCAL_PERSON_ID, plan={}, program_id=None, started_at=datetime(2025, 3, 1, tzinfo=UTC)
    )
    upgrade(engine)
    upgrade(engine)
    assert SqlRepository(engine).get_session(LOCAL_PERSON_ID, session.id) == session
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM people")).scalar() == 1


def test_upgrade_takes_a_url_too(url: str, engine: sa.Engine) -> None:
    upgrade(url)
    assert current_revision(engine) == head_revision()


def test_the_migrated_schema_matches_the_tables(engine: sa.Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrations_go_down_to_nothing_and_up_again(engine: sa.Engine) -> None:
    upgrade(engine)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert not TABLES & set(sa.inspect(engine).get_table_names())
    upgrade(engine)
    assert set(sa.inspect(engine).get_table_names()) >= TABLES


def test_the_migrations_ship_inside_the_package() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert list((MIGRATIONS_DIR / "versions").glob("0001_*.py"))
    assert MIGRATIONS_DIR.is_relative_to(Path(midback.__file__).parent)


def test_the_shipped_head_read_without_alembic_is_alembics_head() -> None:
    from midback.storage.engine import shipped_head

    assert shipped_head() == head_revision() is not None


def test_opening_a_store_at_the_head_loads_no_alembic(tmp_path: Path) -> None:
    """Every CLI command opens the store: at the head it only reads the version (start-up)."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    code = (
        "import sys; from midback.services.store import open_store; "
        f"open_store({url!r}); print('alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    code = code.replace(repr(url), repr(fresh))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"  # an empty database is migrated
