"""A session killed mid-way (SIGKILL) keeps every exercise logged so far and shows interrupted."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from midback.domain.records import LogStatus, SessionStatus
from midback.storage import LOCAL_PERSON_ID, SqlRepository, make_engine

CHILD = """
import sys, time
from datetime import UTC, datetime, timedelta
from midback.domain.prescription import Prescription
from midback.domain.records import LogStatus, NewLog
from midback.storage import SqlRepository, make_engine, upgrade

engine = make_engine(sys.argv[1])
upgrade(engine)
repo = SqlRepository(engine)
t0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
session = repo.start_session(1, plan={"blocks": []}, program_id=None, started_at=t0)
for i in range(3):
    log = NewLog(
        position=i,
        exercise_id=f"exercise-{i}",
        target=Prescription(reps=10),
        status=LogStatus.COMPLETED,
        logged_at=t0 + timedelta(minutes=i + 1),
        idempotency_key=f"key-{i}",
    )
    repo.log_exercise(1, session.id, log)
print("ready", session.id, flush=True)
time.sleep(120)
"""

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The child's next line of output, or fail after ``timeout`` seconds."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            pytest.fail(f"child said nothing in {timeout} s")
    return process.stdout.readline()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_logs_survive_sigkill_and_the_session_shows_interrupted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'midback.db'}"
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = read_line(process, timeout=60)
        if not line.startswith("ready"):
            _, errors = process.communicate(timeout=10)
            pytest.fail(f"child failed: {line!r} {errors}")
        session_id = int(line.split()[1])
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()

    assert (tmp_path / "midback.db-wal").exists()  # the commits sit in the write-ahead log
    engine = make_engine(url)
    try:
        repo = SqlRepository(engine)
        assert repo.get_session(LOCAL_PERSON_ID, session_id).status is SessionStatus.RUNNING
        assert repo.mark_interrupted(LOCAL_PERSON_ID) == 1
        session = repo.get_session(LOCAL_PERSON_ID, session_id)
        logs = repo.session_logs(LOCAL_PERSON_ID, session_id)
    finally:
        engine.dispose()

    assert session.status is SessionStatus.INTERRUPTED
    assert session.ended_at == T0 + timedelta(minutes=3)
    assert [log.exercise_id for log in logs] == ["exercise-0", "exercise-1", "exercise-2"]
    assert all(log.status is LogStatus.COMPLETED for log in logs)
