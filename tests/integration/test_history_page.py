"""The history page renders its body once per history view, and again as soon as anything it
shows changes: a write, or a running session that reads as interrupted after six hours."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from midback.services.sessions import STALE_AFTER
from midback.settings import Settings
from midback.web.app import create_app
from tests.integration.helpers import Clock, screen_via_api

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def app(tmp_path: Path, clock: Clock) -> FastAPI:
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'm.db'}")
    return create_app(settings, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def status_cells(page: str) -> list[str]:
    return [part.split("</span>")[0] for part in page.split('<span class="status status-')[1:]]


def test_the_body_is_rendered_once_until_something_it_shows_changes(
    client: TestClient, app: FastAPI, clock: Clock
) -> None:
    screen_via_api(client)
    started = client.post("/api/v1/sessions", json={"program_id": "three-for-relief"})
    assert started.status_code == 201, started.text
    first = client.get("/history").text
    assert status_cells(first) == ['running">running']
    again = client.get("/history").text
    assert again == first  # the same body, rendered once
    assert len(app.state.parts) == 1

    clock.now += STALE_AFTER + timedelta(minutes=1)  # nothing written, but the status moves on
    later = client.get("/history").text
    assert status_cells(later) == ['interrupted">interrupted']

    checked = client.post("/api/v1/checkins", json={"pain": 4, "stiffness": 2})
    assert checked.status_code == 201, checked.text
    after = client.get("/history").text
    assert "4.0" in after and "4.0" not in later  # the week's average pain of the new check-in


def test_sessions_show_at_the_persons_own_time_of_day(client: TestClient) -> None:
    screen_via_api(client)
    zone = client.put("/api/v1/me/timezone", json={"timezone": "Pacific/Auckland"})
    assert zone.status_code == 200, zone.text
    started = client.post("/api/v1/sessions", json={"program_id": "three-for-relief"})
    assert started.status_code == 201, started.text
    page = client.get("/history").text
    assert "Sun 06 Dec 22:00" in page  # 09:00 UTC is 22:00 in Auckland (NZDT, UTC+13)
