"""On SQLite the repository keeps a person's state between commits (``engine.CommitWatch``):
what every cached read asks first costs no read while nothing was committed, and any commit,
from any connection, or a file put in the database's place, makes it read again."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from midback.storage import LOCAL_PERSON_ID, SqlRepository, make_engine, upgrade
from midback.storage.engine import CommitWatch, commit_watch

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
ME = LOCAL_PERSON_ID


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "midback.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    SqlRepository(engine).ensure_local_person(at=T0)
    engine.dispose()
    return path


@pytest.fixture
def engine(database: Path) -> Iterator[sa.Engine]:
    engine = make_engine(f"sqlite:///{database}")
    yield engine
    engine.dispose()


def statements(engine: sa.Engine) -> list[str]:
    """The statements ``engine`` runs from now on (appended as they run)."""
    seen: list[str] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def keep(*args: object) -> None:
        seen.append(str(args[2]))

    return seen


def test_a_state_asked_again_with_nothing_committed_is_not_read_again(engine: sa.Engine) -> None:
    repo = SqlRepository(engine)
    first = repo.person_state(ME)
    ran = statements(engine)
    assert repo.person_state(ME) == first
    assert repo.revision(ME) == first.revision
    assert ran == []


def test_a_commit_by_this_repository_is_read_again(engine: sa.Engine) -> None:
    repo = SqlRepository(engine)
    before = repo.person_state(ME)
    repo.add_checkin(ME, date(2025, 3, 1), 4, None, T0)
    after = repo.person_state(ME)
    assert after.revision != before.revision and after.base == before.base


def test_a_commit_by_another_connection_is_read_again(engine: sa.Engine, database: Path) -> None:
    """Another process writes through a connection of its own: the same as this one."""
    repo = SqlRepository(engine)
    before = repo.person_state(ME)
    other = sqlite3.connect(database)
    with other:
        other.execute("UPDATE people SET timezone = 'Europe/Paris' WHERE id = ?", (ME,))
    other.close()
    assert repo.person_state(ME).zone == "Europe/Paris"
    assert repo.person_state(ME).revision == before.revision  # that update left it as it was


def test_another_repository_on_the_same_file_sees_the_first_ones_writes(
    engine: sa.Engine, database: Path
) -> None:
    reader = SqlRepository(engine)
    before = reader.person_state(ME)
    writer_engine = make_engine(f"sqlite:///{database}")
    SqlRepository(writer_engine).set_person_zone(ME, "Asia/Tokyo")
    writer_engine.dispose()
    after = reader.person_state(ME)
    assert after.zone == "Asia/Tokyo" and after.base != before.base


def test_a_file_put_in_the_databases_place_is_read_anew(
    engine: sa.Engine, database: Path, tmp_path: Path
) -> None:
    repo = SqlRepository(engine)
    kept = repo.person_state(ME)
    copy = tmp_path / "copy.db"
    shutil.copy(database, copy)
    changed = sqlite3.connect(copy)
    with changed:
        changed.execute("UPDATE people SET revision = revision + 7 WHERE id = ?", (ME,))
    changed.close()
    engine.dispose()  # the pool's connections belong to the old file
    copy.replace(database)
    assert repo.person_state(ME).revision != kept.revision


def test_inside_a_unit_the_state_is_read_in_its_transaction(engine: sa.Engine) -> None:
    """The unit's own write is not committed yet, so no watch can see it: it is read."""
    repo = SqlRepository(engine)
    before = repo.person_state(ME)

    def write_then_ask() -> str | None:
        repo.add_checkin(ME, date(2025, 3, 1), 4, None, T0)
        return repo.person_state(ME).revision

    assert repo.unit(write_then_ask) != before.revision


def test_reads_kept_in_a_reading_block_check_out_no_connection(engine: sa.Engine) -> None:
    repo = SqlRepository(engine)
    repo.person_state(ME)
    checkouts: list[object] = []
    sa.event.listen(engine, "checkout", lambda *args: checkouts.append(args))
    with repo.reading():
        repo.person_state(ME)
    assert checkouts == []
    repo.add_checkin(ME, date(2025, 3, 1), 4, None, T0)
    checkouts.clear()
    with repo.reading():
        repo.person_state(ME)
        repo.checkins(ME)
    assert len(checkouts) == 1, "the block's reads share the connection its first read took"


def test_the_watch_tells_commits_apart_and_says_none_without_a_file(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    writer = sqlite3.connect(path)
    with writer:
        writer.execute("CREATE TABLE t (x)")
    watch = CommitWatch(path)
    first = watch.version()
    assert first is not None and watch.version() == first
    with writer:
        writer.execute("INSERT INTO t VALUES (1)")
    assert watch.version() not in (None, first)
    writer.close()
    watch.close()
    path.unlink()
    assert watch.version() is None


@pytest.mark.parametrize(
    "url", ["sqlite://", "sqlite:///:memory:", "postgresql+psycopg://midback@127.0.0.1:1/midback"]
)
def test_stores_other_than_a_sqlite_file_have_no_watch(url: str) -> None:
    engine = make_engine(url)  # connects at its first use, not here
    assert commit_watch(engine) is None
    engine.dispose()
