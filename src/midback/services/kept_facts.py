"""What planning read of the local person, kept in a file beside the local SQLite store, so that
``midback plan`` (a new process each time) can plan without loading the SQL toolkit.

The file says which state of the store it was read at: the schema's revision, the person's
``revision`` (raised by every write of their records, by any process) and creation time, and
their time zone; and for which day and which code (the modules and catalogue that shape it).
A plan uses it only when all of these still hold and the stored screen is current and allows
self-guided exercise; anything else (no file, another state, an old or blocking screen, a
server's database) takes the ordinary path through the store, which then writes the file
again. The state is read with the standard library's ``sqlite3``, read-only.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from midback.domain.catalogue import Catalogue
    from midback.domain.plans import Plan, PlanRequest
    from midback.services.planning import PersonFacts
    from midback.services.store import Repository

FORMAT = 1
"""The file's format; a file of another format is not read."""

SUFFIX = ".plan-facts.json"
"""The file's name: the store's, with this added."""

StoreState = tuple[str, ...]
"""The schema revision, the person's revision, creation time and time zone, as stored."""

_PACKAGE = Path(__file__).parents[1]
_SHAPING = ("domain", "services", "storage", "storage/migrations/versions")
"""The package folders whose modules shape what is kept (with ``caches.py`` and the catalogue)."""


def store_file(database_url: str) -> Path | None:
    """The SQLite database file ``database_url`` names; None for another database."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        return None
    rest = database_url[len(prefix) :]
    if not rest or rest.startswith(":memory:") or "?" in rest:
        return None
    return Path(rest).absolute()


def store_state(database_url: str, person_id: int) -> StoreState | None:
    """The state of the person's records in the store, read-only; None when it is not a local
    SQLite file, or not readable, or has no such person yet."""
    path = store_file(database_url)
    if path is None or not path.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            versions = [str(v) for (v,) in db.execute("SELECT version_num FROM alembic_version")]
            person = db.execute(
                "SELECT revision, created_at, timezone FROM people WHERE id = ?", (person_id,)
            ).fetchone()
    except sqlite3.Error:
        return None
    if person is None or len(versions) != 1:
        return None
    return (versions[0], *("" if value is None else str(value) for value in person))


def kept_plan(
    database_url: str,
    cat: Catalogue,
    person_id: int,
    request: PlanRequest,
    *,
    program_id: str | None,
    now: datetime,
    state: StoreState | None,
) -> Plan | None:
    """The plan ``make_plan_for`` would make with the stored screen, from the kept facts; None
    when they are not kept for ``state`` today, or the screen is old or does not allow
    self-guided exercise (the ordinary path then asks, refuses or says why)."""
    facts = _read(database_url, state, now)
    if facts is None or facts.screen is None:
        return None
    from midback.caches import PlanCache
    from midback.errors import ScreenRequired
    from midback.services.planning import gated
    from midback.services.screening import _current

    try:
        result = _current(facts.screen, now)
    except ScreenRequired:
        return None
    if result.blocking:
        return None
    screened = gated(facts, request, result, lifted=False, pain_before=None)
    return PlanCache(1).get(cat, screened, program_id)


def keep(
    database_url: str, person_id: int, facts: PersonFacts, *, now: datetime, state: StoreState
) -> bool:
    """Write ``facts`` (read at ``state``) for the next plan, when the store is still at
    ``state`` (a write since, by this process or another, leaves the file as it was); whether
    written. Never raises for a file that cannot be written: it is only a shortcut."""
    path = store_file(database_url)
    if path is None or store_state(database_url, person_id) != state:
        return False
    data = {
        "format": FORMAT,
        "state": list(state),
        "today": _today(state, now).isoformat(),
        "code": _code_digest(),
        "facts": facts.to_json(),
    }
    target = path.with_name(path.name + SUFFIX)
    try:
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as f:
            json.dump(data, f)
        os.replace(f.name, target)
    except OSError:
        return False
    return True


def refresh(
    repo: Repository,
    catalogue: Callable[[], Catalogue],
    database_url: str,
    person_id: int,
    *,
    now: datetime,
) -> bool:
    """Keep the facts for the next plan when the file does not hold the store's present state
    for today (a command of this process wrote, or none were kept yet); whether written. The
    command line calls it after a command that opened the store, so the plan after a check-in,
    a session or a screen takes the shortcut: the store is already open, and its cost (reading
    the person, about the same as a plan's) is paid there, not by the next ``midback plan``.
    ``catalogue`` is called only when the facts are to be read."""
    state = store_state(database_url, person_id)
    if state is None or _load(database_url, state, now) is not None:
        return False
    from midback.services.planning import person_facts

    facts = person_facts(repo, catalogue(), person_id, now=now)
    return keep(database_url, person_id, facts, now=now, state=state)


def _load(database_url: str, state: StoreState, now: datetime) -> dict[str, Any] | None:
    """The kept file's contents when they were kept at ``state`` today by this code."""
    path = store_file(database_url)
    if path is None:
        return None
    try:
        data = json.loads(path.with_name(path.name + SUFFIX).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    if data.get("state") != list(state) or data.get("today") != _today(state, now).isoformat():
        return None
    if data.get("code") != _code_digest():
        return None
    return data


def _read(database_url: str, state: StoreState | None, now: datetime) -> PersonFacts | None:
    data = None if state is None else _load(database_url, state, now)
    if data is None:
        return None
    from midback.services.planning import PersonFacts

    try:
        return PersonFacts.from_json(data["facts"])
    except (KeyError, TypeError, ValueError):
        return None


def _today(state: StoreState, now: datetime) -> date:
    """The person's day at ``now``, in their stored zone (this machine's when none), as
    ``services.clock.today_for`` counts it."""
    from midback.services.clock import zone_named

    return now.astimezone(zone_named(state[3])).date()


def _code_digest() -> str:
    """Names, sizes and modification times of the modules and the catalogue snapshot that shape
    the kept facts: a changed or upgraded midback never reads facts an older one kept."""
    digest = hashlib.sha256()
    files = [_PACKAGE / "caches.py", _PACKAGE / "catalogue" / "snapshot.json"]
    for folder in _SHAPING:
        files += sorted((_PACKAGE / folder).glob("*.py"))
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            continue
        digest.update(
            f"{file.relative_to(_PACKAGE)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode()
        )
    return digest.hexdigest()
