"""A plan has an identity: the player plays the plan the page showed, not one planned again."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from midback.settings import Settings
from midback.web.app import create_app
from tests.integration.helpers import Clock, screen_via_api

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)
QUERY = "minutes=20&place=home"


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def client(tmp_path: Path, clock: Clock) -> Iterator[TestClient]:
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'm.db'}")
    with TestClient(create_app(settings, clock=clock)) as test_client:
        yield test_client


def start_link(client: TestClient) -> tuple[str, str]:
    """The plan page's Start link and the seal of the plan it showed (which the page's script
    hands to the player of that link)."""
    page = client.get(f"/plan?{QUERY}")
    assert page.status_code == 200, page.text
    found = re.search(r'href="(/player\?[^"]+)" data-plan-token="([^"]+)"', page.text)
    assert found, "the plan page has a Start link with the plan's seal"
    return html.unescape(found.group(1)), html.unescape(found.group(2))


def start_body(client: TestClient, shown: tuple[str, str]) -> dict[str, Any]:
    """What the player posts for that link: its start options and the seal."""
    link, token = shown
    player = client.get(link)
    assert player.status_code == 200
    found = re.search(r'<script type="application/json" id="player-data">(.*?)</script>',
                      player.text, re.S)  # fmt: skip
    assert found
    body: dict[str, Any] = json.loads(found.group(1))["start"]
    return {**body, "plan_token": token}


def play_through(client: TestClient, body: dict[str, Any]) -> list[str]:
    started = client.post("/api/v1/sessions", json={**body, "pain_before": 2})
    assert started.status_code == 201, started.text
    data = started.json()
    session_id = data["session"]["id"]
    ids = [b["exercise_id"] for b in data["plan"]["blocks"]]
    for position in range(len(ids)):
        key = f"s{session_id}-b{position}-a1"
        logged = client.post(f"/api/v1/sessions/{session_id}/logs",
                             json={"position": position, "status": "completed",
                                   "idempotency_key": key})  # fmt: skip
        assert logged.status_code == 201, logged.text
    finished = client.post(f"/api/v1/sessions/{session_id}/finish",
                           json={"status": "completed", "pain_after": 1})  # fmt: skip
    assert finished.status_code == 200
    return ids


def test_the_player_plays_the_plan_the_page_showed(client: TestClient, clock: Clock) -> None:
    screen_via_api(client)
    shown = client.post("/api/v1/plan", json={"minutes": 20, "place": "home"}).json()
    link = start_link(client)  # the page showed this plan, and sealed it in its Start link
    # Another session in between (another tab) changes what planning again would give.
    clock.now += timedelta(minutes=5)
    play_through(client, {"minutes": 20, "place": "home"})
    clock.now += timedelta(minutes=30)
    again = client.post("/api/v1/plan", json={"minutes": 20, "place": "home"}).json()
    assert [b["exercise_id"] for b in again["blocks"]] != [
        b["exercise_id"] for b in shown["blocks"]
    ], "variety should move a second plan on"
    played = play_through(client, start_body(client, link))
    assert played == [b["exercise_id"] for b in shown["blocks"]]


def test_a_gentle_day_plays_a_gentle_plan_not_the_sealed_one(client: TestClient) -> None:
    screen_via_api(client)
    body = start_body(client, start_link(client))
    started = client.post("/api/v1/sessions", json={**body, "pain_before": 6})
    assert started.status_code == 201, started.text
    assert started.json()["gentle_note"]
    assert all(b["kind"] != "strength" for b in started.json()["plan"]["blocks"])


def test_a_changed_or_old_seal_is_refused_naming_why(client: TestClient, clock: Clock) -> None:
    screen_via_api(client)
    body = start_body(client, start_link(client))
    token = body["plan_token"]
    changed = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    refused = client.post("/api/v1/sessions", json={**body, "plan_token": changed})
    assert refused.status_code == 409 and refused.json()["error"] == "stale_plan"
    clock.now += timedelta(hours=13)
    old = client.post("/api/v1/sessions", json={**body, "pain_before": 2})
    assert old.status_code == 409 and "expired" in old.json()["detail"]
