"""Faults in small: a transaction refused for a moment runs again, a database that cannot serve
answers 503 with Retry-After, and a bug stays a bug (500)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from midback.settings import Settings
from midback.storage.engine import is_retryable, is_unavailable, retrying
from midback.web.app import create_app


def _error(orig: Exception, kind: type[sa.exc.DBAPIError] = sa.exc.OperationalError) -> Exception:
    return kind("SELECT 1", {}, orig)


LOCKED = _error(sqlite3.OperationalError("database is locked"))
SERIALIZATION = _error(psycopg.errors.SerializationFailure("could not serialize access"))
REFUSED = _error(psycopg.OperationalError("connection refused"))
SHUTTING_DOWN = _error(psycopg.errors.AdminShutdown("terminating connection"))
NO_TABLE = _error(sqlite3.OperationalError("no such table: sessions"))
CLASH = _error(sqlite3.IntegrityError("UNIQUE constraint failed"), sa.exc.IntegrityError)


def test_locks_and_serialization_failures_may_run_again_but_lost_connections_may_not() -> None:
    assert is_retryable(LOCKED) and is_retryable(SERIALIZATION)
    assert not is_retryable(REFUSED)  # the commit may have happened: the client retries
    assert not is_retryable(NO_TABLE) and not is_retryable(CLASH)


def test_a_database_that_cannot_serve_is_unavailable_but_a_bug_is_not() -> None:
    for error in (LOCKED, SERIALIZATION, REFUSED, SHUTTING_DOWN):
        assert is_unavailable(error), error
    for error in (NO_TABLE, CLASH, ValueError("x")):
        assert not is_unavailable(error), error


def test_a_locked_transaction_runs_again_with_growing_waits_then_gives_up() -> None:
    waits: list[float] = []
    calls = {"n": 0}

    @retrying(attempts=3, sleep=waits.append)
    def locked_twice() -> str:
        calls["n"] += 1
        if calls["n"] < 3:
            raise LOCKED
        return "stored"

    assert locked_twice() == "stored"
    assert len(waits) == 2 and all(w >= 0 for w in waits)

    @retrying(attempts=3, sleep=waits.append)
    def always_locked() -> None:
        raise LOCKED

    with pytest.raises(sa.exc.OperationalError):
        always_locked()


def test_a_clash_runs_again_once_only_where_asked() -> None:
    calls = {"n": 0}

    @retrying(on_clash=True, sleep=lambda _: None)
    def upsert() -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            raise CLASH
        return calls["n"]

    assert upsert() == 2

    @retrying(sleep=lambda _: None)
    def insert() -> None:
        raise CLASH

    with pytest.raises(sa.exc.IntegrityError):
        insert()


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    app = create_app(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/faults.db"))
    return TestClient(app, raise_server_exceptions=False)


def test_the_api_answers_503_with_retry_after_while_the_database_cannot_serve(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise REFUSED

    monkeypatch.setattr(client.app.state.repo, "list_sessions", down)  # type: ignore[attr-defined]
    response = client.get("/api/v1/sessions")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["retry_after"] == 1
    assert "content-security-policy" in response.headers  # still through the middleware


def test_a_database_bug_stays_a_500(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise NO_TABLE

    monkeypatch.setattr(client.app.state.repo, "list_sessions", broken)  # type: ignore[attr-defined]
    assert client.get("/api/v1/sessions").status_code == 500
