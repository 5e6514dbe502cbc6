"""A request is matched only against the routes of the routers whose paths start as its own
does (``web.routing.SegmentRouter``): the API's routes only for paths under ``/api``, a page's
router only for its own pages, ``/healthz`` against no router's. The API still answers, says 405
for a method it lacks and 404 for a path it does not know, also behind a proxy's prefix; pages
and their trailing-slash redirects answer as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Match
from starlette.types import Scope

from midback.settings import Settings
from midback.web.app import create_app
from midback.web.routing import first_segments


@pytest.fixture
def tried(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The modules of the routes a request is matched against, in turn."""
    modules: list[str] = []
    matches = APIRoute.matches

    def recording(route: APIRoute, scope: Scope) -> tuple[Match, Scope]:
        modules.append(route.endpoint.__module__)
        return matches(route, scope)

    monkeypatch.setattr(APIRoute, "matches", recording)
    return modules


def settings(home: Path) -> Settings:
    return Settings(home=home, database_url=f"sqlite:///{home / 'midback.db'}")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings(tmp_path))) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/about", "/healthz", "/static/app.css", "/plan"])
def test_a_path_outside_the_api_tries_none_of_its_routes(
    client: TestClient, tried: list[str], path: str
) -> None:
    assert client.get(path).status_code == 200
    assert not any(m.startswith("midback.web.api.") for m in tried)


def test_the_api_still_answers_refuses_a_method_and_knows_no_other_path(
    client: TestClient, tried: list[str]
) -> None:
    assert client.get("/api/v1/exercises").status_code == 200
    assert any(m.startswith("midback.web.api.") for m in tried)
    assert client.delete("/api/v1/exercises").status_code == 405
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404


def test_behind_a_proxys_prefix_the_api_and_the_pages_answer(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path))
    with TestClient(app, root_path="/midback") as client:
        assert client.get("/midback/api/v1/exercises").status_code == 200
        assert client.get("/midback/about").status_code == 200


def test_a_proxy_prefix_that_is_only_the_start_of_a_word_is_not_taken_off(tmp_path: Path) -> None:
    """Read as Starlette reads it: ``/a`` is not taken off ``/api/...`` (no ``/`` after it)."""
    with TestClient(create_app(settings(tmp_path)), root_path="/a") as client:
        assert client.get("/api/v1/exercises").status_code == 200


@pytest.mark.parametrize(
    ("path", "module"),
    [
        ("/healthz", "midback.web.app"),
        ("/plan", "midback.web.plan_pages"),
        ("/week", "midback.web.plan_pages"),
        ("/history", "midback.web.history_pages"),
        ("/checkin", "midback.web.checkin_pages"),
        ("/exercises/bridge", "midback.web.catalogue_pages"),
        ("/sw.js", "midback.web.pwa"),
        ("/", "midback.web.home_pages"),
    ],
)
def test_a_page_is_matched_only_against_its_own_router_s_routes(
    client: TestClient, tried: list[str], path: str, module: str
) -> None:
    assert client.get(path).status_code == 200
    assert tried
    assert set(tried) == {module}


@pytest.mark.parametrize(
    ("path", "status", "location"),
    [
        ("/plan/", 307, "/plan"),
        ("/exercises/bridge/", 307, "/exercises/bridge"),
        ("/api/v1/exercises/", 307, "/api/v1/exercises"),
        ("/nowhere", 404, None),
        ("/api/v1/nowhere", 404, None),
        ("/static/app.css", 200, None),
        ("/figures/bridge.svg", 200, None),
    ],
)
def test_slashes_unknown_paths_and_mounts_answer_as_before(
    client: TestClient, path: str, status: int, location: str | None
) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == status
    assert (response.headers.get("location") or "").removeprefix("http://testserver") == (
        location or ""
    )


def test_a_router_s_first_segments_are_none_when_a_route_may_start_with_anything() -> None:
    assert first_segments(["/plan", "/plan/{x}", "/week", "/"]) == frozenset({"plan", "week", ""})
    assert first_segments(["/api/v1"]) == frozenset({"api"})
    assert first_segments(["/plan", "/{page}"]) is None
    assert first_segments(["/plan", None]) is None


@pytest.mark.parametrize(
    ("method", "path", "module"),
    [
        ("GET", "/api/v1/exercises", "midback.web.api.catalogue"),
        ("POST", "/api/v1/checkins", "midback.web.api.records"),
        ("GET", "/api/v1/sessions", "midback.web.api.sessions"),
        ("GET", "/api/v1/course", "midback.web.api.courses"),
    ],
)
def test_an_api_request_is_matched_only_against_its_own_part_s_routes(
    client: TestClient, tried: list[str], method: str, path: str, module: str
) -> None:
    """The API's parts are included under ``/api/v1`` and read paths after it."""
    client.request(method, path, json={})
    assert tried
    assert set(tried) == {module}
