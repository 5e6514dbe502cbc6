"""midback served for real by separate processes: ``python -m midback serve`` on loopback ports.

Each process is a whole server (its own engine and pool, nothing shared but the database), the
way a host runs several behind a load balancer. Their output goes to a log file, read back by
tests (e.g. to count the transactions the repository ran again).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

SECRET = "load-test-7Kq2Wv9Lx4Pz8Rm3Nb6Tc1Yh5Gd0Fs"
"""The session-cookie key every process shares (a real host sets its own)."""
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Served:
    """One running server process."""

    url: str
    """``http://127.0.0.1:PORT``."""
    log: Path
    """Its stdout and stderr."""
    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far (user + system; 0 where /proc is missing)."""
        stat = Path(f"/proc/{self.process.pid}/stat")
        if not stat.exists():
            return 0.0
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, home: Path, *, mode: str = "server") -> dict[str, str]:
    """The environment of a server process on ``database_url``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIDBACK_")}
    env.update(
        MIDBACK_HOME=str(home),
        MIDBACK_DATABASE_URL=database_url,
        MIDBACK_MODE=mode,
        MIDBACK_SECRET_KEY=SECRET,
        PYTHONUNBUFFERED="1",
    )
    return env


@contextmanager
def serving(
    database_url: str, home: Path, *, count: int = 1, mode: str = "server"
) -> Iterator[list[Served]]:
    """Start ``count`` server processes at once on ``database_url`` (each runs the migrations on
    start, as ``midback serve`` does), wait until all answer, and stop them when the block ends.
    """
    env = server_env(database_url, home, mode=mode)
    with ExitStack() as stack:
        started: list[Served] = []
        for n in range(count):
            port = _free_port()
            log = home / f"server-{n}-{port}.log"
            out = stack.enter_context(log.open("wb"))
            process = subprocess.Popen(
                [sys.executable, "-m", "midback", "serve", "--host", "127.0.0.1",
                 "--port", str(port)],
                env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
            stack.callback(_stop, process)
            started.append(Served(url=f"http://127.0.0.1:{port}", log=log, process=process))
        for served in started:
            _wait_healthy(served)
        yield started


def _wait_healthy(served: Served) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            if httpx.get(served.url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if served.process.poll() is not None:
            raise RuntimeError(f"{served.url} exited while starting:\n{served.log.read_text()}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{served.url} did not answer in {START_TIMEOUT_S:.0f} s")
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)


def log_lines(served: list[Served], needle: str) -> list[str]:
    """Lines of the servers' output that contain ``needle``."""
    return [
        line
        for server in served
        for line in server.log.read_text(errors="replace").splitlines()
        if needle in line
    ]
