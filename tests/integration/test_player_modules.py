"""The player's pure modules run under node: a resumed engine picks up at a second without
logging the exercises before it again, and the saved session is offered only while it can be
resumed (shape, timeline version, age)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from midback.settings import Settings
from midback.web.app import create_app
from midback.web.pwa import STATIC_DIR
from tests.integration.helpers import screen_via_api

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def _node(script: str, *args: str, stdin: str = "") -> Any:
    assert NODE is not None
    result = subprocess.run([NODE, "-e", script, *args], input=stdin, capture_output=True,
                            text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def timeline(tmp_path: Path) -> Iterator[dict[str, Any]]:
    app = create_app(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/t.db"))
    with TestClient(app) as client:
        screen_via_api(client)
        started = client.post("/api/v1/sessions", json={"program_id": "three-for-relief"})
        assert started.status_code == 201
        yield started.json()["timeline"]


RESUME = r"""
const { createEngine } = require(process.argv[1]);
const timeline = JSON.parse(require("fs").readFileSync(0, "utf8"));
const at = Number(process.argv[2]);
let now = 1000;
const engine = createEngine(timeline, { clock: () => now, speed: 1 });
const first = engine.start(at, { closed: [0] });
const offset = engine.offset();
now += timeline.total_s;
const rest = engine.tick().filter((e) => e.type !== "cue");
process.stdout.write(JSON.stringify({ first, offset, rest }));
"""


def test_a_resumed_engine_starts_at_its_second_and_logs_only_what_follows(
    timeline: dict[str, Any],
) -> None:
    second = timeline["blocks"][1]
    at = second["start_s"] + second["seconds"] // 2
    out = _node(RESUME, str(STATIC_DIR / "player.js"), str(at), stdin=json.dumps(timeline))
    running = max(i for i, cue in enumerate(timeline["cues"]) if cue["start_s"] <= at)
    assert [(e["type"], e["index"]) for e in out["first"]] == [("cue", running)]
    assert out["offset"] == at
    assert [(e["block"], e["status"]) for e in out["rest"] if e["type"] == "block"] == [
        (1, "completed"),
        (2, "completed"),
    ]
    assert out["rest"][-1] == {"type": "end", "quit": False}


STORE = r"""
const { createSessionStore, SESSION_KEY, RESUME_MAX_AGE_MS } = require(process.argv[1]);
const timeline = { version: 1, cues: [{ start_s: 0 }], blocks: [] };
const memory = new Map();
const storage = { getItem: (k) => (memory.has(k) ? memory.get(k) : null),
                  setItem: (k, v) => memory.set(k, v), removeItem: (k) => memory.delete(k) };
let now = 0;
const store = createSessionStore(storage, { now: () => now, version: 1 });
const good = { id: 7, stage: "run", timeline, offset: 42, results: [], attempts: [] };
const out = {};
store.save(good);
out.fresh = store.load() && store.load().offset;
now = RESUME_MAX_AGE_MS + 1;
out.stale = store.load();
out.staleKept = memory.has(SESSION_KEY);
now = 0;
for (const [name, broken] of Object.entries({
  version: { ...good, timeline: { ...timeline, version: 2 } },
  stage: { ...good, stage: "done" },
  id: { ...good, id: "7" },
  offset: { ...good, offset: -1 },
})) {
  store.save(broken);
  out[name] = store.load();
}
memory.set(SESSION_KEY, "{not json");
out.garbage = store.load();
store.save(good);
store.clear();
out.cleared = store.load();
process.stdout.write(JSON.stringify(out));
"""


def test_the_saved_session_is_offered_only_while_it_can_be_resumed() -> None:
    out = _node(STORE, str(STATIC_DIR / "player-session.js"))
    assert out == {
        "fresh": 42, "stale": None, "staleKept": False, "version": None, "stage": None,
        "id": None, "offset": None, "garbage": None, "cleared": None,
    }  # fmt: skip
