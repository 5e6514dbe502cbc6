"""The database engine, tuned for SQLite, and the migrations that bring a database up to date.

``make_engine`` is the only place an engine is built; ``upgrade`` runs the Alembic migrations
shipped inside the package (no ``alembic.ini`` needed), so the app can upgrade on start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
"""Alembic's script folder, shipped inside the package."""

BUSY_TIMEOUT_MS = 5000
"""How long SQLite waits for another writer's lock before giving up."""


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An engine for ``url``; extra keyword arguments go to ``sqlalchemy.create_engine``.

    For a SQLite file: creates its folder, and sets on every connection WAL journal mode
    (readers never block the writer), a busy timeout of ``BUSY_TIMEOUT_MS`` and foreign keys on.
    Other databases (PostgreSQL via psycopg) pass through unchanged.
    """
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, **kwargs)
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, **kwargs)
    sa.event.listen(engine, "connect", _tune_sqlite)
    return engine


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")  # in-memory databases stay "memory"
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration, built in code; ``url`` is only needed by the ``alembic`` CLI."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine_or_url: sa.Engine | str, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the newest); a no-op when already there."""
    engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()


def head_revision() -> str | None:
    """The newest revision the package ships."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
