"""One server process on SQLite under 50 concurrent people: nothing lost, and SQLite's
"database is locked" never reaches a client (busy timeout, then the repository's retries)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.load.servers import log_lines, serving
from tests.load.traffic import Traffic, add_people, run_in_own_loop, stored_logs
from tests.pg import new_sqlite

PEOPLE = 50
WRITES = 100
DEADLINE_S = 180.0


@pytest.mark.load
def test_fifty_people_log_5000_exercises_on_sqlite_and_none_is_lost(tmp_path: Path) -> None:
    url = new_sqlite(tmp_path, migrated=True)
    people = add_people(url, PEOPLE)
    with serving(url, tmp_path, count=1) as servers:
        traffic = Traffic([s.url for s in servers], people, writes=WRITES, deadline_s=DEADLINE_S)
        tally = run_in_own_loop(traffic.run())
        ran_again = log_lines(servers, "running it again")
        cpu = servers[0].cpu_seconds()
    print(
        f"\n1 process on SQLite: {tally.summary()}; transactions run again: {len(ran_again)};"
        f" server CPU {cpu:.1f} s"
    )
    stored, doubled = stored_logs(url)
    assert len(tally.acknowledged) == PEOPLE * WRITES
    assert stored == tally.acknowledged
    assert doubled == 0
    assert tally.locked == 0
    assert set(tally.statuses) <= {200, 201}, tally.statuses
