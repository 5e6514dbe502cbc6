"""A served worker (``app_from_env``, uvicorn's factory) keeps what it built at start-up out of
the garbage collector's sight and makes full collections rarer; the tests' own apps
(``create_app``) leave the collector as it was."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from midback.web.app import FULL_COLLECTION_AFTER, app_from_env
from midback.web.collect import YoungCollections

PROBE = """
import gc, json
before = gc.get_threshold()
from midback.web.app import {factory}
from midback.settings import Settings
{factory}(*([Settings.from_env()] if "{factory}" == "create_app" else []))
after, frozen = gc.get_threshold(), gc.get_freeze_count()
print(json.dumps({{"before": before, "after": after, "frozen": frozen}}))
"""


def _probe(tmp_path: Path, factory: str) -> dict[str, list[int] | int]:
    env = {**os.environ, "MIDBACK_HOME": str(tmp_path)}
    env.pop("MIDBACK_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(factory=factory)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found: dict[str, list[int] | int] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_a_served_worker_freezes_its_start_up_and_collects_in_full_less_often(
    tmp_path: Path,
) -> None:
    found = _probe(tmp_path, "app_from_env")
    before, after = found["before"], found["after"]
    assert isinstance(before, list) and isinstance(after, list)
    assert after == [before[0], before[1], FULL_COLLECTION_AFTER]
    assert before[2] < FULL_COLLECTION_AFTER
    assert isinstance(found["frozen"], int) and found["frozen"] > 10_000


def test_an_app_made_directly_leaves_the_collector_alone(tmp_path: Path) -> None:
    found = _probe(tmp_path, "create_app")
    assert found["after"] == found["before"]
    assert found["frozen"] == 0


def test_a_served_worker_collects_its_young_generations_every_few_requests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIDBACK_HOME", str(tmp_path))
    monkeypatch.delenv("MIDBACK_DATABASE_URL", raising=False)
    threshold = gc.get_threshold()
    try:
        app = app_from_env()
    finally:  # app_from_env tunes this process's collector: put it back for the other tests
        gc.unfreeze()
        gc.set_threshold(*threshold)
    assert sum(m.cls is YoungCollections for m in app.user_middleware) == 1  # type: ignore[comparison-overlap]
