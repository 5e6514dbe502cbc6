"""The local store and the clock the commands use (one place, so tests can point both)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from midback.services.store import Repository


def database_url() -> str:
    """The address of the store the settings name (MIDBACK_HOME, MIDBACK_DATABASE_URL)."""
    from midback.settings import Settings

    return Settings.from_env().database_url


def store() -> Repository:
    """The local store named by the settings (MIDBACK_HOME, MIDBACK_DATABASE_URL)."""
    from midback.services.store import open_store

    return open_store(database_url())


def now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)
