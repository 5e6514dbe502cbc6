"""Sign-in under attack: argon2's cost is bounded per process, and the login throttle cannot be
turned against the owner (issue 15, items 2 and 3). On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from midback.domain.accounts import FREE_FAILURES, PER_ADDRESS, Role
from midback.web import auth as auth_module
from midback.web.app import create_app
from midback.web.auth import Auth, LoginLocked, LoginRefused
from tests.integration.test_server_mode import PASSWORD, server_settings

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
OWNER = "owner@example.org"


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> FastAPI:
    application = create_app(server_settings(tmp_path, database_url=database_url))
    accounts, auth = application.state.accounts, application.state.auth
    for email in (OWNER, "attacker@example.org"):
        accounts.create(email, auth.hash(PASSWORD), role=Role.PERSON, at=T0)
    return application


def _outcome(auth: Auth, email: str, password: str, client: str, now: datetime) -> str:
    try:
        auth.login(email, password, client=client, now=now)
    except LoginLocked:
        return "locked"
    except LoginRefused:
        return "refused"
    return "in"


# -- item 2: argon2's memory --------------------------------------------------------------


def test_old_hashes_are_rehashed_with_owasp_parameters_at_sign_in(app: FastAPI) -> None:
    accounts, auth = app.state.accounts, app.state.auth
    accounts.create("old@example.org", PasswordHasher().hash(PASSWORD), role=Role.PERSON, at=T0)
    other_device = TestClient(app)
    assert other_device.post(
        "/api/v1/auth/login", json={"email": "old@example.org", "password": PASSWORD}
    ).is_success
    _outcome(auth, "old@example.org", PASSWORD, "10.0.0.1", T0)
    stored = accounts.by_email("old@example.org")[1]
    assert "$m=19456,t=2,p=1$" in stored
    assert other_device.get("/api/v1/me").status_code == 200  # a rehash signs nobody out


def test_a_login_that_cannot_get_a_hashing_thread_in_time_is_answered_503(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth_module, "HASH_WAIT_S", 0.2)
    release = threading.Event()
    pool = auth_module._hashing_threads()
    busy = [pool.submit(release.wait, 10) for _ in range(auth_module.HASH_SLOTS)]
    try:
        response = TestClient(app).post(
            "/api/v1/auth/login", json={"email": OWNER, "password": PASSWORD}
        )
    finally:
        release.set()
        for job in busy:
            job.result()
    assert response.status_code == 503
    assert response.headers["retry-after"] == str(auth_module.HASH_BUSY_RETRY_AFTER_S)


# -- item 3: the throttle -------------------------------------------------------------------


def test_guesses_from_many_addresses_never_lock_the_owner_out_of_their_own(app: FastAPI) -> None:
    auth = app.state.auth
    assert _outcome(auth, OWNER, PASSWORD, "192.0.2.10", T0) == "in"  # the owner's laptop
    now = T0 + timedelta(minutes=1)
    outcomes = [_outcome(auth, OWNER, "guess", f"198.51.100.{n}", now) for n in range(40)]
    assert outcomes.count("refused") == PER_ADDRESS.free + 1  # then the account's ceiling
    assert _outcome(auth, OWNER, "guess", "198.51.100.200", now) == "locked"
    assert _outcome(auth, OWNER, PASSWORD, "192.0.2.10", now) == "in"


def test_the_owners_own_typos_lock_only_their_own_address(app: FastAPI) -> None:
    auth = app.state.auth
    outcomes = [_outcome(auth, OWNER, "typo", "192.0.2.10", T0) for _ in range(FREE_FAILURES + 2)]
    assert outcomes[-1] == "locked"
    assert _outcome(auth, OWNER, PASSWORD, "192.0.2.99", T0) == "in"  # the phone still works


def test_failures_are_forgotten_after_a_quiet_hour(app: FastAPI) -> None:
    auth = app.state.auth
    for _ in range(FREE_FAILURES + 1):
        _outcome(auth, OWNER, "typo", "192.0.2.10", T0)
    assert _outcome(auth, OWNER, PASSWORD, "192.0.2.10", T0 + timedelta(seconds=1)) == "locked"
    later = T0 + timedelta(minutes=61)
    assert _outcome(auth, OWNER, "typo", "192.0.2.10", later) == "refused"  # counted from 1
    assert _outcome(auth, OWNER, PASSWORD, "192.0.2.10", later) == "in"


def test_one_address_spraying_many_accounts_is_slowed(app: FastAPI) -> None:
    auth = app.state.auth
    emails = [f"nobody{n}@example.org" for n in range(PER_ADDRESS.free + 2)]
    outcomes = [_outcome(auth, email, "guess", "203.0.113.5", T0) for email in emails]
    assert outcomes[: PER_ADDRESS.free + 1] == ["refused"] * (PER_ADDRESS.free + 1)
    assert outcomes[-1] == "locked"


def test_the_attackers_own_success_does_not_clear_the_address_counter(app: FastAPI) -> None:
    auth = app.state.auth
    for n in range(PER_ADDRESS.free - 1):
        assert _outcome(auth, f"v{n}@example.org", "guess", "203.0.113.5", T0) == "refused"
    assert _outcome(auth, "attacker@example.org", PASSWORD, "203.0.113.5", T0) == "in"
    assert _outcome(auth, "v98@example.org", "guess", "203.0.113.5", T0) == "refused"
    assert _outcome(auth, "v99@example.org", "guess", "203.0.113.5", T0) == "refused"
    assert _outcome(auth, "v97@example.org", "guess", "203.0.113.5", T0) == "locked"


def test_a_burst_of_parallel_guesses_is_counted_before_any_is_checked(app: FastAPI) -> None:
    auth = app.state.auth
    with ThreadPoolExecutor(30) as pool:
        outcomes = list(
            pool.map(lambda _: _outcome(auth, OWNER, "guess", "203.0.113.7", T0), range(30))
        )
    assert outcomes.count("refused") == FREE_FAILURES + 1
    assert outcomes.count("locked") == 30 - FREE_FAILURES - 1


def test_an_ipv6_host_counts_as_one_address_across_its_64(app: FastAPI) -> None:
    auth = app.state.auth
    outcomes = [
        _outcome(auth, OWNER, "guess", f"2001:db8:1:2::{n:x}", T0) for n in range(FREE_FAILURES + 2)
    ]
    assert outcomes[-1] == "locked"


def test_many_people_signing_in_at_once_from_one_address_are_not_each_others_failures(
    app: FastAPI,
) -> None:
    accounts, auth = app.state.accounts, app.state.auth
    password_hash = auth.hash(PASSWORD)
    emails = [f"office{n}@example.org" for n in range(PER_ADDRESS.free * 2)]
    for email in emails:
        accounts.create(email, password_hash, role=Role.PERSON, at=T0)
    with ThreadPoolExecutor(len(emails)) as pool:
        outcomes = list(pool.map(lambda e: _outcome(auth, e, PASSWORD, "203.0.113.9", T0), emails))
    assert outcomes == ["in"] * len(emails)
