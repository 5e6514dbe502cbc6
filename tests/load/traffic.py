"""Many people using midback at once: async clients that sign in, start a session and log
exercises, retrying as a well-behaved client does.

A client retries a request answered 503 after the Retry-After the server asked for (with some
jitter), and one that failed in transit after a short pause, always with the same body, so a
retried log write keeps its idempotency key. Anything else that is not 2xx is a failure. Every
loop is bounded by a deadline: the traffic stops by itself.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import sqlalchemy as sa
from argon2 import PasswordHasher

from midback.domain.accounts import Role
from midback.storage.accounts import SqlAccounts
from midback.storage.engine import make_engine
from tests.loops import run_in_own_loop as run_in_own_loop

T = TypeVar("T")

PROGRAM = "three-for-relief"
"""Every person's session follows this program; logs cycle through its blocks."""
PASSWORD = "load test password 42"
REQUEST_TIMEOUT_S = 30.0
TRANSPORT_PAUSE_S = 0.2


class TrafficFailed(AssertionError):
    """A request got an answer that is neither 2xx nor worth retrying, or time ran out."""


@dataclass
class Tally:
    """What the clients saw."""

    acknowledged: dict[str, int] = field(default_factory=dict)
    """Idempotency key -> the log id the server answered 201 with."""
    statuses: Counter[int] = field(default_factory=Counter)
    """Every answer's status, retried ones included."""
    unavailable: int = 0
    """Answers 503 (each then retried)."""
    unavailable_between: tuple[float, float] | None = None
    """When the first and the last 503 came, in seconds since the start."""
    transport_errors: Counter[str] = field(default_factory=Counter)
    """Requests that failed in transit, by kind (each then retried)."""
    retries: int = 0
    locked: int = 0
    """Answers (of any status) that mention "database is locked"."""
    busy_logins: int = 0
    """Sign-ins answered 503 because every password-hashing thread was busy (by design: the
    hashes are bounded per process); retried after Retry-After, and not in ``statuses``."""
    write_seconds: list[float] = field(default_factory=list)
    """Time from first try to acknowledgement of each log write, retries included."""
    started_at: float = field(default_factory=time.monotonic)

    def summary(self) -> str:
        """One line for the test's output."""
        took = time.monotonic() - self.started_at
        times = sorted(self.write_seconds) or [0.0]
        p95 = times[int(0.95 * (len(times) - 1))]
        return (
            f"{len(self.acknowledged)} writes acknowledged in {took:.1f} s "
            f"({len(self.acknowledged) / max(took, 1e-9):.0f}/s); statuses {dict(self.statuses)};"
            f" 503s {self.unavailable}{self._window()};"
            f" transport errors {dict(self.transport_errors) or 0};"
            f" retries {self.retries}; 'database is locked' {self.locked};"
            f" write latency p50 {statistics.median(times) * 1000:.0f} ms,"
            f" p95 {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
        )

    def _window(self) -> str:
        if self.unavailable_between is None:
            return ""
        first, last = self.unavailable_between
        return f" (from {first:.1f} s to {last:.1f} s)"


@dataclass(frozen=True)
class Traffic:
    """``people`` sign in and each logs ``writes`` exercises, spread over ``servers``."""

    servers: Sequence[str]
    people: Sequence[str]
    """Their emails; each has the password ``PASSWORD``."""
    writes: int
    deadline_s: float
    tally: Tally = field(default_factory=Tally)

    async def run(self) -> Tally:
        """Run every person at once; returns the tally (raises TrafficFailed on a failure)."""
        self.tally.started_at = time.monotonic()
        deadline = self.tally.started_at + self.deadline_s
        await asyncio.gather(*(self._person(n, deadline) for n in range(len(self.people))))
        return self.tally

    async def _person(self, n: int, deadline: float) -> None:
        limits = httpx.Limits(max_connections=len(self.servers), max_keepalive_connections=4)
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, limits=limits) as client:
            sign_in_on = self.servers[n % len(self.servers)]
            await self._call(client, "POST", f"{sign_in_on}/api/v1/auth/login", deadline,
                             {"email": self.people[n], "password": PASSWORD})  # fmt: skip
            # Everyone takes the safety screen before a session, as a real person must.
            await self._call(client, "POST", f"{sign_in_on}/api/v1/screen", deadline, ALL_CLEAR)
            # The cookie set by one process is used on the others from here on.
            start_on = self.servers[(n + 1) % len(self.servers)]
            started = await self._call(client, "POST", f"{start_on}/api/v1/sessions", deadline,
                                       {"program_id": PROGRAM})  # fmt: skip
            session_id = started["session"]["id"]
            blocks = len(started["plan"]["blocks"])
            for i in range(self.writes):
                server = self.servers[(n + i) % len(self.servers)]
                key = f"person{n:03d}-write{i:03d}"
                body = {"position": i % blocks, "status": "completed", "pain": i % 6,
                        "idempotency_key": key}  # fmt: skip
                began = time.monotonic()
                log = await self._call(
                    client, "POST", f"{server}/api/v1/sessions/{session_id}/logs", deadline, body
                )
                self.tally.write_seconds.append(time.monotonic() - began)
                if self.tally.acknowledged.setdefault(key, log["id"]) != log["id"]:
                    raise TrafficFailed(f"{key} acknowledged as two logs")

    async def _call(
        self, client: httpx.AsyncClient, method: str, url: str, deadline: float, body: Any
    ) -> Any:
        tally = self.tally
        while True:
            if time.monotonic() > deadline:
                raise TrafficFailed(f"{method} {url}: still failing at the deadline")
            try:
                response = await client.request(method, url, json=body)
            except httpx.TransportError as error:
                tally.transport_errors[f"{type(error).__name__}: {error}"] += 1
                tally.retries += 1
                await asyncio.sleep(TRANSPORT_PAUSE_S * random.uniform(0.5, 1.5))
                continue
            if response.status_code == 503 and url.endswith("/auth/login"):
                tally.busy_logins += 1
                wait = float(response.headers.get("retry-after", "1"))
                await asyncio.sleep(wait * random.uniform(0.5, 1.5))
                continue
            tally.statuses[response.status_code] += 1
            if "database is locked" in response.text:
                tally.locked += 1
            if response.is_success:
                return response.json()
            if response.status_code == 503:
                tally.unavailable += 1
                now = time.monotonic() - tally.started_at
                first = tally.unavailable_between[0] if tally.unavailable_between else now
                tally.unavailable_between = (first, now)
                tally.retries += 1
                wait = float(response.headers.get("retry-after", "1"))
                await asyncio.sleep(wait * random.uniform(0.5, 1.5))
                continue
            raise TrafficFailed(f"{method} {url} {body}: {response.status_code} {response.text}")


ALL_CLEAR: dict[str, Any] = {"age": 42, "pain_now": 3, "pain_duration_days": 10, "improving": True}
"""Safety-screen answers with no warning sign: each person's session may then start."""


def add_people(database_url: str, count: int) -> list[str]:
    """``count`` accounts (password ``PASSWORD``) in a migrated database; returns their emails."""
    password_hash = PasswordHasher().hash(PASSWORD)  # hashed once: the servers verify it
    engine = make_engine(database_url)
    try:
        accounts = SqlAccounts(engine)
        now = datetime.now(UTC)
        # No "s" in them: the login form's email pattern refuses it (reported as a bug).
        emails = [f"client{n:03d}@example.org" for n in range(count)]
        for email in emails:
            accounts.create(email, password_hash, role=Role.PERSON, at=now)
        return emails
    finally:
        engine.dispose()


def stored_logs(database_url: str) -> tuple[dict[str, int], int]:
    """The stored logs' ids by idempotency key, and how many (key, session) pairs are stored
    more than once (the unique constraint says none can be)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as db:
            rows = db.execute(sa.text("SELECT idempotency_key, id FROM exercise_logs")).all()
            twice = db.execute(
                sa.text(
                    "SELECT COUNT(*) FROM (SELECT session_id, idempotency_key FROM exercise_logs"
                    " GROUP BY session_id, idempotency_key HAVING COUNT(*) > 1) AS doubled"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    by_key: dict[str, int] = {}
    for key, log_id in rows:
        assert key not in by_key, f"{key} stored twice"
        by_key[key] = log_id
    return by_key, int(twice)
