"""PostgreSQL stops and comes back in the middle of the load: while it is down clients get 503
with Retry-After, they retry with the same idempotency keys, the servers' engines reconnect by
themselves, and in the end every acknowledged write is stored exactly once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.load.servers import serving
from tests.load.traffic import Tally, Traffic, add_people, run_in_own_loop, stored_logs
from tests.pg import PgServer, start_or_skip

PEOPLE = 50
WRITES = 100
DEADLINE_S = 240.0
STOP_AFTER = 0.4
"""PostgreSQL stops once this share of the writes has been acknowledged..."""
DOWN_S = 3.0
"""...and starts again this long after."""


@pytest.fixture(scope="module")
def own_server() -> Iterator[PgServer]:
    """A PostgreSQL of this module's own, since the test stops it (durable: synchronous commit,
    so a stop like a crash loses no acknowledged transaction)."""
    server = start_or_skip(durable=True)
    yield server
    server.remove()


@pytest.mark.load
def test_a_postgresql_restart_mid_load_loses_and_doubles_no_acknowledged_write(
    own_server: PgServer, tmp_path: Path
) -> None:
    url = own_server.create_database(migrated=True)
    people = add_people(url, PEOPLE)
    outage: dict[str, float] = {}

    async def stop_and_restart(tally: Tally) -> None:
        while len(tally.acknowledged) < STOP_AFTER * PEOPLE * WRITES:
            await asyncio.sleep(0.05)
        outage["stopped_at"] = time.monotonic() - tally.started_at
        await asyncio.to_thread(own_server.stop, "immediate")  # like a crash: WAL replay
        await asyncio.sleep(DOWN_S)
        await asyncio.to_thread(own_server.start)
        outage["started_at"] = time.monotonic() - tally.started_at

    async def load(traffic: Traffic) -> Tally:
        chaos = asyncio.create_task(stop_and_restart(traffic.tally))
        tally = await traffic.run()
        await chaos
        return tally

    with serving(url, tmp_path, count=2) as servers:
        traffic = Traffic([s.url for s in servers], people, writes=WRITES, deadline_s=DEADLINE_S)
        tally = run_in_own_loop(load(traffic))
    print(
        f"\nPostgreSQL down from {outage['stopped_at']:.1f} s to {outage['started_at']:.1f} s:"
        f" {tally.summary()}"
    )
    stored, doubled = stored_logs(url)
    assert tally.unavailable > 0  # the outage was seen, as 503s
    assert set(tally.statuses) <= {200, 201, 503}, tally.statuses  # never a 500
    assert len(tally.acknowledged) == PEOPLE * WRITES  # every client got through in the end
    assert stored == tally.acknowledged  # each once, under the id it was acknowledged with
    assert doubled == 0
