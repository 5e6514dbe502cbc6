"""Several server processes on one PostgreSQL serve the same people interchangeably: the app
keeps nothing in its processes (sign-ins live in signed cookies, everything else in the
database)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.load.servers import serving
from tests.load.traffic import (
    ALL_CLEAR,
    PASSWORD,
    Traffic,
    add_people,
    run_in_own_loop,
    stored_logs,
)
from tests.pg import NewDatabase

PEOPLE = 50
WRITES = 100
DEADLINE_S = 180.0


def test_two_processes_serve_one_person_interchangeably(
    pg_database: NewDatabase, tmp_path: Path
) -> None:
    url = pg_database()  # empty: both processes start at once and migrate it together
    with serving(url, tmp_path, count=2) as (one, two):
        [email] = add_people(url, 1)
        on_one = httpx.Client(base_url=one.url, timeout=30)
        signed_in = on_one.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text
        on_two = httpx.Client(base_url=two.url, timeout=30)
        on_two.cookies.set("midback_session", signed_in.cookies["midback_session"])
        assert on_two.get("/api/v1/me").json()["email"] == email

        assert on_two.post("/api/v1/screen", json=ALL_CLEAR).status_code == 200
        started = on_one.post("/api/v1/sessions", json={"program_id": "three-for-relief"})
        assert started.status_code == 201, started.text
        session_id = started.json()["session"]["id"]
        logged = on_two.post(f"/api/v1/sessions/{session_id}/logs", json={
            "position": 0, "status": "completed", "idempotency_key": "written-on-two"})  # fmt: skip
        assert logged.status_code == 201, logged.text
        again = on_one.post(f"/api/v1/sessions/{session_id}/logs", json={
            "position": 0, "status": "completed", "idempotency_key": "written-on-two"})  # fmt: skip
        assert again.json()["id"] == logged.json()["id"]
        logs = on_one.get(f"/api/v1/sessions/{session_id}").json()["logs"]
        assert [log["idempotency_key"] for log in logs] == ["written-on-two"]

        assert on_two.post("/api/v1/auth/logout").status_code == 204
        assert on_one.get("/api/v1/me").status_code == 401  # signed out everywhere


@pytest.mark.load
def test_fifty_people_log_5000_exercises_over_two_processes(
    pg_database: NewDatabase, tmp_path: Path
) -> None:
    url = pg_database(migrated=True)
    people = add_people(url, PEOPLE)
    with serving(url, tmp_path, count=2) as servers:
        traffic = Traffic([s.url for s in servers], people, writes=WRITES, deadline_s=DEADLINE_S)
        client_cpu = time.process_time()
        tally = run_in_own_loop(traffic.run())
        client_cpu = time.process_time() - client_cpu
        server_cpu = " + ".join(f"{s.cpu_seconds():.1f}" for s in servers)
    print(
        f"\n2 processes on PostgreSQL: {tally.summary()}; CPU: servers {server_cpu} s,"
        f" clients {client_cpu:.1f} s"
    )
    stored, doubled = stored_logs(url)
    assert len(tally.acknowledged) == PEOPLE * WRITES
    assert stored == tally.acknowledged  # every write stored once, under the id acknowledged
    assert doubled == 0
    assert set(tally.statuses) <= {200, 201}, tally.statuses
    assert tally.retries == 0
