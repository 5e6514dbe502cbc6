"""The web app served for real by uvicorn in its own process, on a fresh store on loopback.

The server is started as ``uvicorn --factory midback.web.app:app_from_env`` (what ``midback
serve`` runs), in its own process group so that it and its workers are stopped together, by
that group's id, when the block ends. The local person has an all-clear safety screen stored
before the block starts (midback plans nothing, and the player sends a person to the screen,
without one).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from bench.answers import ANSWERS
from bench.dataset import Counts, Shape, fill
from midback.domain.loader import catalogue
from midback.services import LOCAL_PERSON
from midback.services.progress import refresh
from midback.services.store import open_store

START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Server:
    """A running server: its base URL (no trailing slash) and its data folder."""

    url: str
    home: Path
    workers: int
    seeded: Counts | None


def free_port() -> int:
    """A port of 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(home: Path, days: int) -> Counts | None:
    """A store in ``home`` where the local person has a session and a check-in on each of the
    last ``days`` days, and the progress checkpoint their last finished session left (``fill``
    writes rows directly; a person who trained through the app has one, moved on at each finish).
    """
    repo = open_store(f"sqlite:///{home / 'midback.db'}")
    try:
        if days <= 0:
            return None
        first = date.today() - timedelta(days=days)
        counts = fill(repo.engine, catalogue(), Shape(people=1, sessions=days, first_day=first))
        refresh(repo, catalogue(), LOCAL_PERSON, now=datetime.now(UTC))
        return counts
    finally:
        repo.engine.dispose()


@contextmanager
def serving(home: Path, *, workers: int = 1, history_days: int = 0) -> Iterator[Server]:
    """Serve the app on a new store in ``home`` (seeded with ``history_days`` of history)."""
    counts = seed(home, history_days)
    port = free_port()
    env = {
        **os.environ,
        "MIDBACK_HOME": str(home),
        "MIDBACK_DATABASE_URL": f"sqlite:///{home / 'midback.db'}",
        "MIDBACK_MODE": "local",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "midback.web.app:app_from_env",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    log = (home / "server.log").open("w")
    process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = Server(url=f"http://127.0.0.1:{port}", home=home, workers=workers, seeded=counts)
    try:
        _wait_healthy(server, process)
        httpx.post(server.url + "/api/v1/screen", json=ANSWERS, timeout=30).raise_for_status()
        yield server
    finally:
        _stop(process)
        log.close()


def _wait_healthy(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            tail = (server.home / "server.log").read_text()[-2000:]
            raise RuntimeError(f"the server stopped while starting:\n{tail}")
        try:
            if httpx.get(server.url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{server.url}/healthz did not answer in {START_TIMEOUT_S:.0f} s")
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group (it was started in its own session: group id = pid)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass
