"""Builders the integration tests share: a stored safety screen, for a web client or for the
CLI's local store.

Every face that plans or plays refuses a person without a screen of the last 30 days, so a test
that plans or plays takes one first, as a real person would.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from midback.cli.app import app

ALL_CLEAR: Final[dict[str, Any]] = {
    "age": 42,
    "pain_now": 3,
    "pain_duration_days": 10,
    "improving": True,
    "assessed_by_clinician": False,
    "red_flags": [],
    "conditions": [],
}
"""Screen answers with no warning sign and no condition: verdict ``ok``."""


def screen_answers(**changes: Any) -> dict[str, Any]:
    """The all-clear answers with ``changes`` (e.g. ``red_flags=["chest_pain"]``)."""
    return {**ALL_CLEAR, **changes}


def screen_via_api(client: TestClient, **changes: Any) -> dict[str, Any]:
    """Store a screen for ``client``'s person through ``POST /api/v1/screen``: the all-clear
    answers with ``changes``. Returns the result (verdict, reasons, ...)."""
    response = client.post("/api/v1/screen", json=screen_answers(**changes))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def screen_via_cli(folder: Path, **changes: Any) -> dict[str, Any]:
    """Store a screen in the local store (``MIDBACK_HOME``) with ``midback screen --answers
    FILE --json``, the file written in ``folder``. Returns the printed result."""
    path = folder / "screen-answers.json"
    path.write_text(json.dumps(screen_answers(**changes)))
    result = CliRunner().invoke(app, ["screen", "--answers", str(path), "--json"])
    assert result.exit_code == 0, result.output
    printed: dict[str, Any] = json.loads(result.stdout)
    return printed


class Clock:
    """A clock a test moves by hand (``clock.now += ...``); an app or a face calls it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
