"""Use cases shared by the CLI and the web app, one module per family:

- ``screening``: take and keep a safety screen, read the current one, check a plan file;
- ``planning``: the one gate (``screened_request``), a person's plan and week;
- ``sessions`` and ``live``: begin, log, finish (browser and terminal alike);
- ``progress``: each exercise's step, replayed from the records;
- ``records``: check-ins, history, export and import;
- ``courses``: a physiotherapist's course of weeks;
- ``clock``: whose day it is (the person's own time zone);
- ``store``: the stores the faces open (they never import ``midback.storage``).

Each use case takes its collaborators (the repository, the catalogue, ``now``) as arguments and
returns domain values; the faces parse, call one use case, and render.
"""

from __future__ import annotations

from typing import Any

LOCAL_PERSON = 1
"""The one implicit person of local mode."""

# Transitional: names this package held before it was split by family, found in their new
# modules. To be removed once every caller imports from the family module.
_MOVED = {
    "StoredScreen": "screening",
    "apply_screen": "screening",
    "session_request": "screening",
    "pain_note": "screening",
    "PAIN_TOO_HIGH": "screening",
    "current_screen": "screening",
    "check_plan": "screening",
    "latest_screen": "screening",
    "stored_screen": "screening",
    "save_screen": "screening",
    "take_screen": "screening",
    "screened_request": "planning",
    "make_plan_for": "planning",
    "make_week_for": "planning",
    "personalise": "planning",
    "RECENT_SESSIONS": "planning",
    "LiveSession": "live",
    "checkin": "records",
    "person_history": "records",
    "read_history": "records",
    "progress": "progress",
    "outcomes": "progress",
    "save_progress": "progress",
    "SETTLED_AFTER": "progress",
    "STALE_AFTER": "sessions",
    "open_store": "store",
}


def __getattr__(name: str) -> Any:
    from importlib import import_module

    family = _MOVED.get(name)
    if family is None:
        raise AttributeError(f"module 'midback.services' has no attribute {name!r}")
    return getattr(import_module(f"midback.services.{family}"), name)
