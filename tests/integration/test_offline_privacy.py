"""What a browser may keep of a person in server mode (issue 15, item 4): personal answers are
``no-store``, the service worker is told the mode, and signing out or deleting the account
clears the site's data."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from midback.settings import Settings
from midback.web.app import create_app
from tests.integration.test_server_mode import PASSWORD, server_settings


def _signed_in(tmp_path: Path) -> TestClient:
    from datetime import UTC, datetime

    from midback.domain.accounts import Role

    app = create_app(server_settings(tmp_path))
    app.state.accounts.create("alice@example.org", app.state.auth.hash(PASSWORD),
                              role=Role.PERSON, at=datetime.now(UTC))  # fmt: skip
    client = TestClient(app)
    client.post("/api/v1/auth/login", json={"email": "alice@example.org", "password": PASSWORD})
    return client


def test_personal_answers_are_no_store_and_public_ones_are_not(tmp_path: Path) -> None:
    alice = _signed_in(tmp_path)
    for path in ("/history", "/account", "/api/v1/me/export", "/api/v1/sessions", "/", "/player"):
        assert alice.get(path).headers.get("cache-control") == "no-store", path
    for path in ("/exercises", "/api/v1/programs", "/static/app.css", "/guide"):
        assert alice.get(path).headers.get("cache-control") != "no-store", path


def test_the_service_worker_is_told_the_mode(tmp_path: Path) -> None:
    server = _signed_in(tmp_path).get("/sw.js").text
    assert 'const MODE = "server";' in server and "__MIDBACK" not in server
    local = TestClient(
        create_app(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/l.db"))
    )
    assert 'const MODE = "local";' in local.get("/sw.js").text
    assert local.get("/history").headers.get("cache-control") != "no-store"


def test_signing_out_and_deleting_clear_the_sites_data(tmp_path: Path) -> None:
    alice = _signed_in(tmp_path)
    out = alice.post("/api/v1/auth/logout")
    assert out.headers["clear-site-data"] == '"cache", "storage"'
    alice.post("/api/v1/auth/login", json={"email": "alice@example.org", "password": PASSWORD})
    gone = alice.request("DELETE", "/api/v1/me", json={"confirm": "delete"})
    assert gone.headers["clear-site-data"] == '"cache", "storage"'


def test_the_sign_out_forms_send_the_players_queue_first(tmp_path: Path) -> None:
    page = _signed_in(tmp_path).get("/account").text
    assert page.count("data-clears-storage") == 2
