"""web: uvicorn on loopback with 1 and 2 workers, loaded from a separate process.

Routes: ``POST /api/v1/plan``, ``POST /api/v1/timeline``, ``POST /api/v1/sessions/{id}/logs``
(a fresh idempotency key per request: every request writes a row) and ``GET /history``, each
against ``GET /healthz`` (a constant) on the same server. Requests per second are measured with
32 concurrent clients, latency (p50, p99) with 8. The load comes from wrk when it is installed
(``apt-get install wrk``), else from ``bench.load`` (asyncio) in its own process.

The store is a fresh SQLite file per server whose local person already has 60 days of history
(sessions, logs and check-ins), so that plan (which reads the person's progress) and history
see a person in real use. The log writes run last, so their rows do not weigh on the rest.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.result import Result, Row, at_least, at_most, ratio
from bench.server import Server, serving

HISTORY_DAYS = 60
RPS_CLIENTS = 32
LATENCY_CLIENTS = 8
PLAN_RATIO_LIMIT = 0.5
P99_LIMIT_MS = 50.0
PLAN_BODY = '{"minutes": 10, "place": "home", "focus": "relief"}'


@dataclass(frozen=True)
class Route:
    """One route under load."""

    name: str
    method: str
    path: str
    body: str = ""


@dataclass(frozen=True)
class Load:
    """What one load run measured."""

    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    @property
    def p99(self) -> float | None:
        """The p99 latency, None when no request completed."""
        return self.p99_ms if self.requests else None

    @property
    def rps(self) -> float:
        """Requests answered per second."""
        return self.requests / self.seconds if self.seconds else 0.0


_WRK_SCRIPT = """
wrk.method = "{method}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.body = [[{body}]]
local template = [[{body}]]
local count = 0
function setup(thread)
  count = count + 1
  thread:set("tid", count)
end
{request}
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""
_WRK_UNIQUE = """
local n = 0
function request()
  n = n + 1
  local body = string.gsub(template, "{n}", tostring(tid) .. "x" .. tostring(n))
  return wrk.format(nil, nil, nil, body)
end
"""


def load(
    server: Server, route: Route, *, clients: int, seconds: float, tag: str, scripts: Path
) -> Load:
    """Put ``route`` under ``clients`` concurrent clients for ``seconds``."""
    body = route.body.replace("{tag}", tag)
    url = server.url + route.path
    wrk = shutil.which("wrk")
    if wrk is None:
        command = [
            sys.executable,
            "-m",
            "bench.load",
            url,
            "--method",
            route.method,
            "--body",
            body,
            "--connections",
            str(clients),
            "--seconds",
            str(seconds),
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 60
        )
        found = json.loads(done.stdout.strip().splitlines()[-1])
        return Load(
            found["requests"],
            found["seconds"],
            found["errors"],
            found["p50"],
            found["p99"],
            found["max"],
        )
    script = scripts / f"{tag}.lua"
    script.write_text(
        _WRK_SCRIPT.format(
            method=route.method, body=body, request=_WRK_UNIQUE if "{n}" in body else ""
        )
    )
    threads = min(clients, 2)
    command = [
        wrk,
        "-t",
        str(threads),
        "-c",
        str(clients),
        "-d",
        f"{max(1, round(seconds))}s",  # wrk takes whole seconds
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60)
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH "))
    requests, duration_us, p50, p99, most, errors = (int(x) for x in line.split()[1:])
    return Load(requests, duration_us / 1e6, errors, p50 / 1000, p99 / 1000, most / 1000)


def settle(server: Server, *, timeout_s: float = 5.0) -> None:
    """Wait (at most ``timeout_s``) until the server has worked off what the last load left
    queued: until ``/healthz`` answers within twice its fastest answer so far, plus 5 ms."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        start = time.perf_counter()
        httpx.get(server.url + "/healthz", timeout=timeout_s)
        took = time.perf_counter() - start
        _fastest[server.url] = min(took, _fastest.get(server.url, took))
        if took <= 2 * _fastest[server.url] + 0.005:
            return
        time.sleep(0.02)


_fastest: dict[str, float] = {}


def _routes(server: Server) -> list[Route]:
    started = httpx.post(
        server.url + "/api/v1/sessions",
        content=PLAN_BODY,
        timeout=30,
        headers={"Content-Type": "application/json"},
    )
    started.raise_for_status()
    session_id = started.json()["session"]["id"]
    log_body = '{"position": 0, "status": "completed", "idempotency_key": "{tag}-{n}"}'
    return [
        Route("plan", "POST", "/api/v1/plan", PLAN_BODY),
        Route("timeline", "POST", "/api/v1/timeline", PLAN_BODY),
        Route("history page", "GET", "/history"),
        Route("log write", "POST", f"/api/v1/sessions/{session_id}/logs", log_body),
    ]


def _check(server: Server, routes: list[Route]) -> None:
    """Each route answers 2xx once before it is loaded (a broken route is no benchmark)."""
    for route in routes:
        body = route.body.replace("{tag}", "bench-check").replace("{n}", "0")
        response = httpx.request(
            route.method,
            server.url + route.path,
            content=body or None,
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        if response.status_code >= 300:
            raise RuntimeError(f"{route.name}: {response.status_code} {response.text[:300]}")


def run(quick: bool) -> Result:
    """Requests/s at 32 clients and latency at 8 for each route, beside ``/healthz``."""
    result = Result("web", "uvicorn on loopback, 1 and 2 workers: requests/s and latency")
    seconds = 1.0 if quick else 8.0
    health = Route("healthz (baseline)", "GET", "/healthz")
    with tempfile.TemporaryDirectory(prefix="midback-bench-") as tmp:
        scripts = Path(tmp)
        for workers in (1, 2):
            home = Path(tmp) / f"w{workers}"
            home.mkdir()
            with serving(home, workers=workers, history_days=HISTORY_DAYS) as server:
                routes = _routes(server)
                _check(server, routes)
                for route in [] if quick else [health, *routes[:-1]]:  # warm-up, unmeasured
                    settle(server)
                    load(
                        server,
                        route,
                        clients=LATENCY_CLIENTS,
                        seconds=min(seconds, 2.0),
                        tag=f"warm-w{workers}",
                        scripts=scripts,
                    )
                found: dict[str, tuple[Load, Load]] = {}
                for route in [health, *routes, health]:
                    tag = f"w{workers}-{len(found)}-{route.name.split()[0]}"
                    settle(server)
                    busy = load(
                        server,
                        route,
                        clients=RPS_CLIENTS,
                        seconds=seconds,
                        tag=f"{tag}-c{RPS_CLIENTS}",
                        scripts=scripts,
                    )
                    settle(server)
                    calm = load(
                        server,
                        route,
                        clients=LATENCY_CLIENTS,
                        seconds=seconds,
                        tag=f"{tag}-c{LATENCY_CLIENTS}",
                        scripts=scripts,
                    )
                    key = route.name if route.name not in found else f"{route.name} again"
                    found[key] = (busy, calm)
            _rows(result, workers, found)
    tool = "wrk" if shutil.which("wrk") else "bench.load (asyncio, no wrk here)"
    result.notes.append(
        f"Load from {tool} in its own process, {seconds:g} s per measurement after a warm-up;"
        f" a fresh SQLite store per server, its person with {HISTORY_DAYS} days of history;"
        " the baseline is the mean of /healthz measured before and after the routes."
    )
    return result


def _rows(result: Result, workers: int, found: dict[str, tuple[Load, Load]]) -> None:
    first, last = found["healthz (baseline)"], found["healthz (baseline) again"]
    base_rps = (first[0].rps + last[0].rps) / 2
    base_p99 = (first[1].p99_ms + last[1].p99_ms) / 2
    label = f"{workers} worker{'s' if workers > 1 else ''}"
    result.rows.append(
        Row(
            f"healthz, {label}: requests/s at {RPS_CLIENTS}",
            base_rps,
            unit="req/s",
            stat="rate",
            note=f"before {first[0].rps:.0f}, after {last[0].rps:.0f}",
        )
    )
    result.rows.append(
        Row(
            f"healthz, {label}: latency at {LATENCY_CLIENTS}",
            base_p99,
            stat="p99",
            note=f"p50 {first[1].p50_ms:.1f} ms",
        )
    )
    for name, (busy, calm) in found.items():
        if name.startswith("healthz"):
            continue
        r = ratio(busy.rps, base_rps)
        target, met = "", None
        if name == "plan":
            target, met = f">= {PLAN_RATIO_LIMIT:g}x", at_least(r, PLAN_RATIO_LIMIT)
        errors = busy.errors + calm.errors
        result.rows.append(
            Row(
                f"{name}, {label}: requests/s at {RPS_CLIENTS}",
                busy.rps,
                unit="req/s",
                stat="rate",
                baseline=base_rps,
                ratio=r,
                target=target,
                met=met,
                note=f"{errors} errors" if errors else "",
            )
        )
        result.rows.append(
            Row(
                f"{name}, {label}: latency at {LATENCY_CLIENTS}",
                calm.p99,
                stat="p99",
                baseline=base_p99,
                ratio=ratio(calm.p99, base_p99),
                target=f"<= {P99_LIMIT_MS:g} ms",
                met=at_most(calm.p99, P99_LIMIT_MS),
                note=f"p50 {calm.p50_ms:.1f} ms, max {calm.max_ms:.0f} ms",
            )
        )
