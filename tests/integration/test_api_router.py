"""The API's routes are tried only for paths under ``/api/v1``: a page, a static file or
``/healthz`` goes past them at once (``web.api.ApiRouter``), and the API still answers, says
405 for a method it lacks and 404 for a path it does not know, also behind a proxy's prefix."""

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
    assert tried, "the request was matched against some routes"
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
