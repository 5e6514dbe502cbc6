"""Opening the stores: the one place the faces get a repository and the accounts from.

The faces never import ``midback.storage``: they ask here for the stores named by the settings
and use them through the use cases. ``Repository`` and ``Accounts`` are named here for the
faces' type annotations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from midback.storage.repository import Repository as Repository
from midback.storage.sql_repository import SqlRepository

if TYPE_CHECKING:
    from midback.storage.accounts import SqlAccounts as Accounts

UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.TimeoutError,
)
"""The database errors that may mean "unreachable for a moment" (``is_unavailable`` decides)."""

__all__ = [
    "UNAVAILABLE_ERRORS",
    "Accounts",
    "Repository",
    "is_unavailable",
    "local_file",
    "migrate",
    "open_accounts",
    "open_store",
    "shown_url",
]


def open_store(database_url: str) -> SqlRepository:
    """The store at ``database_url``, upgraded to the latest schema, with the local person."""
    from midback.storage.engine import make_engine, upgrade

    engine = make_engine(database_url)
    upgrade(engine)
    repo = SqlRepository(engine)
    repo.ensure_local_person()
    return repo


def open_accounts(repo: object, database_url: str) -> Accounts:
    """The accounts beside ``repo`` (on its engine), or on ``database_url`` when ``repo`` has
    none (a fake repository in tests)."""
    from midback.storage.accounts import SqlAccounts
    from midback.storage.engine import make_engine, upgrade

    engine = getattr(repo, "engine", None)
    if engine is None:
        engine = make_engine(database_url)
        upgrade(engine)
    return SqlAccounts(engine)


def migrate(database_url: str) -> tuple[str, str | None]:
    """Bring the database to the latest schema; its address (password hidden) and revision."""
    from midback.storage.engine import current_revision, make_engine, upgrade

    engine = make_engine(database_url)
    upgrade(engine)
    return engine.url.render_as_string(hide_password=True), current_revision(engine)


def shown_url(database_url: str) -> str:
    """``database_url`` with its password hidden, for messages."""
    return sa.make_url(database_url).render_as_string(hide_password=True)


def local_file(database_url: str) -> bool:
    """Whether the store at ``database_url`` is read from a local file (SQLite), not over a
    network (PostgreSQL)."""
    return sa.make_url(database_url).get_backend_name() == "sqlite"


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached right now (answer 503)."""
    from midback.storage.engine import is_unavailable as unavailable

    return unavailable(error)


def __getattr__(name: str) -> type:
    """``Accounts`` is loaded when a face asks for it (``midback plan`` never does: the
    accounts module pulls in both databases' SQL dialects)."""
    if name == "Accounts":
        from midback.storage.accounts import SqlAccounts

        return SqlAccounts
    raise AttributeError(f"module 'midback.services.store' has no attribute {name!r}")
