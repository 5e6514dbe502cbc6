"""The database engine (SQLite or PostgreSQL), its transient errors, and the migrations.

``make_engine`` is the only place an engine is built; ``upgrade`` runs the Alembic migrations
shipped inside the package (no ``alembic.ini`` needed), so the app can upgrade on start, from
any number of processes at once. ``retrying`` runs a transaction again when the database
refused it for a moment (a lock, a serialization conflict); ``is_unavailable`` tells the web
edge which errors mean "try again shortly" (503) rather than a bug.
"""

from __future__ import annotations

import functools
import logging
import os
import random
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

try:
    import fcntl
except ImportError:  # not on Windows: writers of other processes meet at SQLite's lock
    fcntl = None  # type: ignore[assignment]

import sqlalchemy as sa

if TYPE_CHECKING:  # Alembic loads only when a database needs migrating (~100 ms of start-up)
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
"""Alembic's script folder, shipped inside the package."""

BUSY_TIMEOUT_MS = 5000
"""How long SQLite waits for another writer's lock before giving up."""
CONNECT_TIMEOUT_S = 10
"""How long a PostgreSQL connection attempt may take (unless the URL says otherwise)."""
MIGRATION_LOCK = 0x6D69646261636B
"""PostgreSQL advisory lock key held while migrating, so processes starting together queue."""
RETRY_ATTEMPTS = 4
"""How often ``retrying`` runs a transaction in all, at most."""
RETRY_BACKOFF_S = 0.05
"""The first retry waits up to this long; each further one up to twice the one before."""

_ID_BITS = {"postgresql": 32}  # INTEGER there; SQLite's INTEGER holds 64 bits
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_PG_RETRYABLE = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
_PG_UNAVAILABLE_CLASSES = ("08", "53", "57P")  # connection, resources, operator intervention

P = ParamSpec("P")
R = TypeVar("R")

_log = logging.getLogger(__name__)


def sqlite_file(url: sa.URL) -> Path | None:
    """The file of a SQLite ``url``; None in memory or for a ``file:`` URI."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An engine for ``url``; extra keyword arguments go to ``sqlalchemy.create_engine``.

    For a SQLite file: creates its folder, and sets on every connection WAL journal mode
    (readers never block the writer), a busy timeout of ``BUSY_TIMEOUT_MS`` and foreign keys on.
    For PostgreSQL (psycopg): pooled connections are pinged before use, so the engine recovers
    by itself after the server restarts, and connecting gives up after ``CONNECT_TIMEOUT_S``.
    """
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        if "connect_timeout" not in parsed.query:
            connect_args = dict(kwargs.get("connect_args", {}))
            connect_args.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
            kwargs["connect_args"] = connect_args
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, **kwargs)
    database = sqlite_file(parsed)
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, **kwargs)
    sa.event.listen(engine, "connect", _tune_sqlite)
    return engine


class SqliteWriter:
    """The turn to write to one SQLite file, for a thread of this process and across processes.

    Writers queue on a lock in Python (threads of this process) and then on an advisory lock
    of a file beside the database (``flock``: other processes), and each takes its turn the
    moment the last one ends, instead of polling in SQLite's busy handler, which sleeps up to
    100 ms between tries: that was the tail of concurrent log writes. SQLite's own locks still
    guard the data; this only orders the writers that go through it.
    """

    def __init__(self, database: Path | None) -> None:
        self._threads = threading.Lock()
        self._file = None if database is None or fcntl is None else Path(f"{database}.writer")
        self._fd: int | None = None

    def __enter__(self) -> None:
        self._threads.acquire()
        if self._file is None:
            return
        try:
            if self._fd is None:
                self._fd = os.open(self._file, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except OSError:  # no lock file possible (read-only folder): SQLite's locks still hold
            self._file = None

    def __exit__(self, *_exc: object) -> None:
        try:
            if self._file is not None and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


_WRITERS: dict[str, AbstractContextManager[object]] = {}
_WRITERS_LOCK = threading.Lock()


def writer_lock(engine: sa.Engine) -> AbstractContextManager[object]:
    """What a writing transaction holds: on SQLite, the database's ``SqliteWriter`` (one per
    database in a process); on PostgreSQL, nothing (its row locks queue writers already)."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    key = engine.url.render_as_string(hide_password=False)
    with _WRITERS_LOCK:
        if key not in _WRITERS:
            database = sqlite_file(engine.url)
            _WRITERS[key] = SqliteWriter(None if database is None else database.resolve())
        return _WRITERS[key]


class CommitWatch:
    """Whether anything was committed to a SQLite file since the last look, for the price of a
    pragma (some 8 us, against 0.15-0.2 ms for a read through the engine).

    ``PRAGMA data_version``, asked on a connection of the watch's own that never writes,
    changes whenever another connection commits, of this process or of another (and when the
    WAL is checkpointed, which only costs a read more). The file is looked at too: one put in
    its place (a new inode) starts a new count, so a value is never taken from another file.
    """

    def __init__(self, database: Path) -> None:
        self._database = database
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._file: tuple[int, int] | None = None
        self._opened = 0

    def version(self) -> tuple[int, int] | None:
        """A value that differs from the last one whenever something was committed in between
        (None: no way to tell now, so read)."""
        with self._lock:
            try:
                stat = os.stat(self._database)
                file = (stat.st_dev, stat.st_ino)
                if self._connection is None or file != self._file:
                    self.close()
                    self._connection = sqlite3.connect(
                        self._database, check_same_thread=False, isolation_level=None
                    )
                    self._file = file
                    self._opened += 1
                (found,) = self._connection.execute("PRAGMA data_version").fetchone()
            except (OSError, sqlite3.Error):
                self.close()
                return None
            return self._opened, int(found)

    def close(self) -> None:
        """Close the watch's connection (the next ``version`` opens another)."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()


def commit_watch(engine: sa.Engine) -> CommitWatch | None:
    """A ``CommitWatch`` on the engine's SQLite file; None for PostgreSQL or SQLite in memory."""
    if engine.dialect.name != "sqlite":
        return None
    database = sqlite_file(engine.url)
    return None if database is None else CommitWatch(database)


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")  # in-memory databases stay "memory"
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # In WAL mode NORMAL still survives a killed process (every commit is in the WAL); only
        # a power cut can lose the last commits. It makes each commit ~6x cheaper (8 -> 1.3 ms),
        # which keeps log writes from delaying the next cue of a session.
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def id_fits(dialect: sa.Dialect, value: int) -> bool:
    """Whether ``value`` fits the database's id columns: a larger id (from a URL, say) cannot be
    stored, so no row has it, and looking it up would fail with an overflow instead."""
    top: int = 2 ** (_ID_BITS.get(dialect.name, 64) - 1)
    return -top <= value < top


def is_retryable(error: BaseException) -> bool:
    """Whether a transaction that failed with ``error`` was refused for a moment, wrote nothing,
    and may simply run again: SQLite's "database is locked" (after the busy timeout), or
    PostgreSQL's serialization failure or deadlock."""
    if not isinstance(error, sa.exc.DBAPIError) or error.connection_invalidated:
        return False
    if isinstance(error.orig, sqlite3.Error):
        code = getattr(error.orig, "sqlite_errorcode", None)
        if isinstance(code, int):
            return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
        message = str(error.orig).lower()
        return "database is locked" in message or "database table is locked" in message
    return getattr(error.orig, "sqlstate", None) in _PG_RETRYABLE


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database cannot serve right now (down, restarting, no free
    connection, locked): the request may succeed if tried again shortly. Other database errors
    (a constraint, bad SQL) are bugs and stay bugs."""
    if isinstance(error, sa.exc.TimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    if error.connection_invalidated or isinstance(error, sa.exc.InterfaceError):
        return True
    if is_retryable(error):
        return True
    if not isinstance(error, sa.exc.OperationalError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:
        return str(sqlstate).startswith(_PG_UNAVAILABLE_CLASSES)
    # No SQLSTATE: psycopg could not connect at all, or a SQLite error other than a lock.
    return not isinstance(error.orig, sqlite3.Error)


def retrying(
    *,
    attempts: int = RETRY_ATTEMPTS,
    on_clash: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a function that runs whole transactions, to run it again (up to ``attempts`` in
    all, after a random wait that doubles each time) when one fails with ``is_retryable``.

    ``on_clash``: also run it once more after an ``IntegrityError``, for create-or-replace
    methods that looked, found nothing, and lost the race to insert the same key to another
    writer (the second run finds that row and replaces it).

    Only for functions whose every transaction either commits or writes nothing, so that
    running one again cannot store anything twice.
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            in_unit = getattr(args[0] if args else None, "in_unit", None)
            if callable(in_unit) and in_unit():  # the unit is retried as a whole
                return func(*args, **kwargs)
            clashed = False
            attempt = 1
            while True:
                try:
                    return func(*args, **kwargs)
                except sa.exc.IntegrityError:
                    if not on_clash or clashed:
                        raise
                    clashed = True
                except sa.exc.DBAPIError as error:
                    if attempt >= attempts or not is_retryable(error):
                        raise
                    _log.warning("%s: %s; running it again (attempt %d of %d)", func.__name__,
                                 str(error.orig).strip(), attempt + 1, attempts)  # fmt: skip
                    sleep(random.uniform(0, RETRY_BACKOFF_S * 2 ** (attempt - 1)))
                    attempt += 1

        return run

    return decorate


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration, built in code; ``url`` is only needed by the ``alembic`` CLI."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine_or_url: sa.Engine | str, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the newest); a no-op when already there.

    On PostgreSQL the migration holds an advisory lock: of several processes starting at once,
    one migrates and the others wait, then find nothing to do. Rows the migrations insert with
    their ids (the local person) then move the id sequences on (``advance_sequences``).
    """
    engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        if revision == "head" and _at_shipped_head(engine):
            return
        from alembic import command

        config = alembic_config()
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            advance_sequences(connection)
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()


def advance_sequences(connection: sa.Connection) -> None:
    """On PostgreSQL, move each table's id sequence past the largest id stored, so rows inserted
    with explicit ids (a migration's, an import's) never clash with new ones. A sequence only
    moves forward: the ids of deleted rows are never handed out again. SQLite needs nothing.
    """
    if connection.dialect.name != "postgresql":
        return
    from midback.storage.tables import Base

    for table in Base.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.primary_key:
            continue
        sequence = connection.execute(  # no row for a table a revision has not made yet
            sa.text(
                "SELECT pg_get_serial_sequence(:table, 'id') WHERE to_regclass(:table) IS NOT NULL"
            ),
            {"table": table.name},
        ).scalar()
        if sequence is None:
            continue
        largest = connection.execute(sa.select(sa.func.max(column))).scalar()
        if largest is None:
            continue
        connection.execute(
            sa.text(f"SELECT setval(:sequence, GREATEST(:largest, last_value)) FROM {sequence}"),
            {"sequence": sequence, "largest": largest},
        )


def head_revision() -> str | None:
    """The newest revision the package ships."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


_REVISION_LINE = re.compile(r"^(down_revision|revision)\b[^=]*=\s*['\"]?(\w+)", re.MULTILINE)


def shipped_head() -> str | None:
    """The newest revision the package ships, read from the revision files' own lines without
    loading Alembic (a test checks it against ``head_revision``); None if that is ambiguous."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for name, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            if name == "revision":
                revisions.add(value)
            elif value != "None":
                parents.add(value)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _at_shipped_head(engine: sa.Engine) -> bool:
    """Whether the database already stands at the shipped head (then there is nothing to run)."""
    head = shipped_head()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            found = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    except sa.exc.DBAPIError:  # no version table yet: an empty database
        return False
    return [row[0] for row in found] == [head]


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
