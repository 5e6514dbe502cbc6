"""The app served for real: uvicorn in a background thread on a free port of 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from midback.settings import Settings
from midback.web.app import create_app

STARTUP_TIMEOUT_S = 15.0
ALL_CLEAR: dict[str, Any] = {
    "age": 45, "pain_now": 3, "pain_duration_days": 3, "improving": False,
    "assessed_by_clinician": False, "red_flags": [], "conditions": [],
}  # fmt: skip
"""Safety-screen answers with no warning sign (verdict ok)."""


@dataclass(frozen=True)
class LiveServer:
    """A running app: its base URL and its data folder, with a JSON client for the API."""

    url: str
    """``http://127.0.0.1:PORT``, without a trailing slash."""
    home: Path
    """The app's data folder (its SQLite database is ``midback.db`` in it)."""

    def get(self, path: str) -> Any:
        """``GET path`` (e.g. ``/api/v1/sessions/1``), checked for a 2xx status, as JSON."""
        response = httpx.get(self.url + path, timeout=10)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        """``POST path`` with a JSON body, checked for a 2xx status, as JSON."""
        response = httpx.post(self.url + path, json=body, timeout=10)
        response.raise_for_status()
        return response.json()


@contextmanager
def serving(
    home: Path, *, screened: bool = True, clock: Callable[[], datetime] | None = None
) -> Iterator[LiveServer]:
    """Serve ``create_app`` on a new store in ``home`` until the block ends.

    With ``screened`` the person has taken the safety screen (all clear), as anyone who plans
    or plays has; without it, planning and playing lead to the screen first. ``clock``
    replaces the server's wall clock (a test moves the days).
    """
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'midback.db'}")
    with served(create_app(settings, clock=clock)) as url:
        live = LiveServer(url=url, home=home)
        if screened:
            live.post("/api/v1/screen", ALL_CLEAR)
        yield live


SERVER_SECRET = "e2e-4Jq9Wx2Lv7Pz3Rm8Nb1Tc6Yh5Gd0Fs"
"""The secret key of the server-mode apps (``server_mode_app``)."""


def server_mode_app(home: Path) -> FastAPI:
    """The app in server mode (accounts, sign-in) on a new SQLite store in ``home``; the test
    adds the accounts it needs, then serves it (``served``)."""
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'server.db'}",
                        mode="server", secret_key=SERVER_SECRET)  # fmt: skip
    return create_app(settings)


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` for real (service workers need a real origin) on a free port of
    127.0.0.1 until the block ends; its base URL, once ``/healthz`` answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # the port is ours from here on: no race for a free one
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn:{port}", daemon=True
    )
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, thread)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _wait_healthy(url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if not thread.is_alive():
            raise RuntimeError(f"the server for {url} stopped while starting")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url}/healthz did not answer in {STARTUP_TIMEOUT_S:.0f} s")
        time.sleep(0.05)
