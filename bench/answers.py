"""An all-clear safety screen for the benchmarks: midback plans nothing without a screen.

Passed as ``--answers FILE``, stored with ``midback screen --answers FILE``, or posted to
``/api/v1/screen``.
"""

from __future__ import annotations

import json
from pathlib import Path

ANSWERS: dict[str, object] = {
    "age": 42,
    "pain_now": 3,
    "pain_duration_days": 10,
    "improving": True,
    "assessed_by_clinician": False,
    "red_flags": [],
    "conditions": [],
}


def write(folder: Path) -> Path:
    """The answers as ``folder/answers.json``; its path."""
    path = folder / "answers.json"
    path.write_text(json.dumps(ANSWERS), encoding="utf-8")
    return path
