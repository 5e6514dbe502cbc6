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


_opened: list[tuple[str, Repository]] = []
"""The store the running command opened (``store``), for ``keep_facts``: one at most."""


def store() -> Repository:
    """The local store named by the settings (MIDBACK_HOME, MIDBACK_DATABASE_URL)."""
    from midback.services.store import open_store

    url = database_url()
    repo = open_store(url)
    _opened[:] = [(url, repo)]
    return repo


def keep_facts() -> None:
    """After a command that opened the store and ended well: keep what planning reads of the
    local person for the next ``midback plan`` (``services.kept_facts.refresh``), so the plan
    after a check-in or a session need not open the store again. Only a shortcut: whatever
    goes wrong here leaves the command's result as it was, and the next plan takes the store's
    path and keeps the facts itself."""
    if not _opened:
        return
    from midback.domain.loader import catalogue
    from midback.services import LOCAL_PERSON, kept_facts

    url, repo = _opened.pop()
    try:
        kept_facts.refresh(repo, catalogue, url, LOCAL_PERSON, now=now())
    except Exception:  # the command's own work is done (see above)
        return


def now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)
