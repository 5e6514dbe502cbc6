"""The web player's page, service worker and manifest, served by the app on a temporary store."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from midback.settings import Settings
from midback.web.app import create_app
from midback.web.pwa import STATIC_DIR, VERSION_MARK
from tests.integration.helpers import screen_via_api

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL | re.IGNORECASE)
NODE = shutil.which("node")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/t.db"))
    with TestClient(app) as test_client:
        yield test_client


def _player_data(html: str) -> dict[str, object]:
    found = re.search(
        r'<script type="application/json" id="player-data">(.*?)</script>', html, re.DOTALL
    )
    assert found, "the page hands its data to the script in a JSON block"
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_the_player_page_hands_the_query_to_its_script_as_json(client: TestClient) -> None:
    screen_via_api(client)
    response = client.get(
        "/player?minutes=15&place=desk&focus=mobility&level=beginner"
        "&equipment=chair&equipment=doorway&conditions=pregnancy&speed=50&cleared=1"
    )
    assert response.status_code == 200
    data = _player_data(response.text)
    assert data["speed"] == 50
    assert data["start"] == {
        "minutes": 15,
        "place": "desk",
        "focus": "mobility",
        "level": "beginner",
        "equipment": ["chair", "doorway"],
        "conditions": ["pregnancy"],
        "cleared": True,
    }
    assert "Pain right now (0-10)" in response.text


def test_the_player_page_names_a_program_and_plans_defaults_without_one(
    client: TestClient,
) -> None:
    screen_via_api(client)
    program = _player_data(client.get("/player?program=three-for-relief").text)
    assert program["start"] == {"program_id": "three-for-relief"}
    assert program["program_name"] == "Three for relief"
    assert program["speed"] == 1
    bare = _player_data(client.get("/player?speed=nonsense").text)
    assert bare["start"] == {"minutes": 10, "place": "home"}
    assert bare["speed"] == 1


def test_the_player_page_has_no_inline_script_or_style(client: TestClient) -> None:
    screen_via_api(client)
    html = client.get("/player").text
    scripts = SCRIPT_TAG.findall(html)
    assert any('src="/static/player.js"' in attrs and "defer" in attrs for attrs, _ in scripts)
    for attrs, body in scripts:
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
        if "src=" in attrs:
            assert body.strip() == ""
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"
    assert "<style" not in html
    assert "script-src 'self'" in client.get("/player").headers["content-security-policy"]


def test_the_player_page_has_every_control_the_script_needs(client: TestClient) -> None:
    screen_via_api(client)
    html = client.get("/player").text
    script = (STATIC_DIR / "player.js").read_text(encoding="utf-8")
    wanted = set(re.findall(r'\$\("([a-z-]+)"\)', script))
    missing = {id_ for id_ in wanted if f'id="{id_}"' not in html}
    assert not missing
    assert 'aria-live="polite"' in html and 'aria-live="assertive"' in html
    assert "<dialog" in html
    assert 'id="btn-hurt"' in html and "It hurts" in html


def test_the_service_worker_is_javascript_allowed_at_the_root(client: TestClient) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["service-worker-allowed"] == "/"
    assert VERSION_MARK not in response.text
    assert re.search(r'const VERSION = "[0-9a-f]{12}-local"', response.text)  # digest and mode
    for url in ("/player", "/static/player.js", "/api/v1/exercises", "/manifest.webmanifest"):
        assert f'"{url}"' in response.text


def test_the_manifest_names_the_app_and_its_icon(client: TestClient) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] and manifest["short_name"] == "midback"
    assert (manifest["start_url"], manifest["display"]) == ("/", "standalone")
    assert manifest["theme_color"] and manifest["background_color"]
    assert {"src": "/static/icon.svg", "type": "image/svg+xml", "sizes": "any"}.items() <= (
        manifest["icons"][0].items()
    )
    assert client.get(manifest["icons"][0]["src"]).status_code == 200


def test_the_shell_the_service_worker_caches_is_all_served(client: TestClient) -> None:
    screen_via_api(client)
    source = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    shell = re.search(r"const SHELL = \[(.*?)\];", source, re.DOTALL)
    assert shell
    for url in re.findall(r'"(/[^"]*)"', shell.group(1)):  # the paths, not the mode
        assert client.get(url, follow_redirects=False).status_code == 200, url


def test_the_scripts_use_no_eval() -> None:
    for name in ("player.js", "sw.js"):
        source = (STATIC_DIR / name).read_text(encoding="utf-8")
        assert not re.search(r"\beval\s*\(|new\s+Function\s*\(", source), name
        assert '"use strict";' in source


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.parametrize("name", ["player.js", "sw.js"])
def test_the_scripts_parse(name: str) -> None:
    assert NODE is not None
    result = subprocess.run(
        [NODE, "--check", str(STATIC_DIR / name)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


ENGINE_SCRIPT = r"""
const { createEngine } = require(process.argv[1]);
const timeline = JSON.parse(require("fs").readFileSync(0, "utf8"));
let now = 0;
const engine = createEngine(timeline, { clock: () => now, speed: 1 });
const out = [];
const keep = (events) => out.push(...events.filter((e) => e.type !== "cue"));
keep(engine.start());
now = 30; keep(engine.back());      // restart the block under way
now = 100; keep(engine.tick());     // a late tick: every block that ended is closed, in order
now = 110; keep(engine.itHurts());
keep(engine.back());                // near a block's start: the previous block again
now = 111; keep(engine.skip());
keep(engine.back());
now = 200; engine.pause(); now = 900; keep(engine.resume());
now = 980; keep(engine.skip());     // the catch-up ends a block, then the skip the next
now = 990; keep(engine.tick());
keep(engine.quit());
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_browser_engine_ends_blocks_like_the_terminal_player(client: TestClient) -> None:
    from midback.domain.player import BlockEnded, Event, Player, SessionEnded
    from midback.domain.timeline import Timeline

    assert NODE is not None
    screen_via_api(client)
    started = client.post("/api/v1/sessions", json={"program_id": "three-for-relief"})
    assert started.status_code == 201
    timeline = started.json()["timeline"]
    now = [0.0]
    player = Player(Timeline.model_validate(timeline), clock=lambda: now[0])
    expected: list[dict[str, object]] = []

    def keep(events: list[Event]) -> None:
        for event in events:
            if isinstance(event, BlockEnded):
                expected.append({
                    "type": "block", "block": event.block, "status": str(event.status),
                    "target": event.target.model_dump(mode="json"),
                    "actual": event.actual.model_dump(mode="json") if event.actual else None,
                })  # fmt: skip
            elif isinstance(event, SessionEnded):
                expected.append({"type": "end", "quit": event.quit})

    keep(player.start())
    now[0] = 30
    keep(player.back())
    now[0] = 100
    keep(player.tick())
    now[0] = 110
    keep(player.it_hurts())
    keep(player.back())
    now[0] = 111
    keep(player.skip())
    keep(player.back())
    now[0] = 200
    player.pause()
    now[0] = 900
    keep(player.resume())
    now[0] = 980
    keep(player.skip())
    now[0] = 990
    keep(player.tick())
    keep(player.quit())

    result = subprocess.run(
        [NODE, "-e", ENGINE_SCRIPT, str(STATIC_DIR / "player.js")],
        input=json.dumps(timeline), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected
    statuses = [(e["block"], e["status"]) for e in expected if e["type"] == "block"]
    assert {"completed", "skipped", "stopped_for_pain"} <= {status for _, status in statuses}
    assert len(statuses) > len(timeline["blocks"]), "back re-runs a block, logged again"


def test_a_session_started_from_the_page_logs_with_idempotency_keys(client: TestClient) -> None:
    screen_via_api(client)
    start = _player_data(client.get("/player?program=three-for-relief").text)["start"]
    assert isinstance(start, dict)
    started = client.post("/api/v1/sessions", json={**start, "pain_before": 4})
    assert started.status_code == 201
    session_id = started.json()["session"]["id"]
    body = {"position": 0, "status": "completed", "idempotency_key": f"s{session_id}-b0-a1"}
    for _ in range(2):  # the outbox retries with the same key
        assert client.post(f"/api/v1/sessions/{session_id}/logs", json=body).status_code == 201
    logs = client.get(f"/api/v1/sessions/{session_id}").json()["logs"]
    assert len(logs) == 1


OUTBOX_SCRIPT = r"""
const { createOutbox, createListStore } = require(process.argv[1]);
const answers = [401, 201];
const seen = [];
const fetchImpl = async (url) => {
  const status = answers.shift();
  seen.push(status);
  return { ok: status < 300, status, json: async () => ({ id: 1 }) };
};
(async () => {
  const outbox = createOutbox({ store: createListStore(null, "q"), fetchImpl });
  const left = await outbox.add({ key: "s1-b0-a1", url: "/api/v1/sessions/1/logs", body: {} });
  const kept = outbox.items().map((item) => item.key);
  const after = await outbox.flush();
  process.stdout.write(JSON.stringify({ left, kept, after, seen }));
})();
"""


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_outbox_keeps_results_that_meet_a_sign_in_and_sends_them_after() -> None:
    assert NODE is not None
    result = subprocess.run(
        [NODE, "-e", OUTBOX_SCRIPT, str(STATIC_DIR / "player.js")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "left": 1, "kept": ["s1-b0-a1"], "after": 0, "seen": [401, 201],
    }  # fmt: skip
