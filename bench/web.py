"""web: uvicorn on loopback with 1 and 2 workers, loaded from a separate process.

Routes: ``POST /api/v1/plan``, ``POST /api/v1/timeline``, ``GET /plan`` (the plan page a
browser shows), ``GET /history`` and ``POST /api/v1/sessions/{id}/logs`` (a fresh idempotency
key per request: every request writes a row), each against ``GET /healthz`` (a constant) on
the same server. Requests per second are measured with 32 concurrent clients, latency (p50,
p99) with 8. The load comes from wrk when it is
installed (``apt-get install wrk``), else from ``bench.load`` (asyncio) in its own process.

The app keeps plans by request and what it derived from a person's records until their next
write, so each read route is measured twice over:

- **cached hit**: the same body again and again, no write between (the warm-up already asked),
  so the answer comes from the caches;
- **miss**: *new body*, every request a different plan (minutes, place, focus and an odd seed
  never sent before: another mix each time), so the plan cache misses and the plan is made,
  while the person's records and the seed-free search of each of the 96 bodies (the best mix,
  and whether another is near: ``planner.mixes``) stay cached; the plan page likewise, asked
  with the same combinations as queries (*new query*: its "Try a different mix" link); *new
  shape*, a person's first plan of a shape: the same combinations at every level, with no
  condition or one of four, more shapes than a worker keeps, so the seed-free search is made for
  each request too; *after a
  write*, each client checks in (``POST /api/v1/checkins``, untimed) before each timed read of
  the same person, so the person's cache is re-read too. These use ``bench.load`` (wrk cannot
  leave the write out of its latency), and are also timed with one client, where every read
  follows its own write.

The store is a fresh SQLite file per server whose local person already has 60 days of history
(sessions, logs and check-ins) and a safety screen, so that plan (which reads the person's
progress) and history see a person in real use. The writes run after the reads they would
disturb, the log writes last, so their rows do not weigh on the rest.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.load import filled
from bench.result import Result, Row, at_least, at_most, ratio
from bench.server import Server, serving

HISTORY_DAYS = 60
RPS_CLIENTS = 32
LATENCY_CLIENTS = 8
PLAN_RATIO_LIMIT = 0.5
P99_LIMIT_MS = 50.0
PLAN_BODY = '{"minutes": 10, "place": "home", "focus": "relief"}'
VARIED_MINUTES = (5, 10, 15, 20, 30, 45)
VARIED_PLACES = ("desk", "car", "home", "gym")
VARIED_FOCUS = ("relief", "mobility", "strength", "posture")
VARIED_LEVELS = ("beginner", "intermediate", "advanced")
VARIED_CONDITIONS: tuple[tuple[str, ...], ...] = (
    (),
    ("knee_pain",),
    ("shoulder_pain",),
    ("wrist_pain",),
    ("high_blood_pressure",),
)
CHECKED_BODIES = 64
"""At most this many of a route's bodies (or queries) are asked once before its load, spread
over them."""
CHECKIN_PATH = "/api/v1/checkins"
CHECKIN_BODY = '{"pain": 3, "stiffness": 2}'
RUN_SPAN = 20_000_000
"""``{n}`` numbers per load run (wrk: 10,000,000 per thread, at most 2 threads): each run counts
from its own multiple of this, so no seed is sent twice to a server (about 30 runs each)."""
RUN_CYCLE = (2**30 - 1) // RUN_SPAN - 1
"""Runs before the multiples start again (``{odd}``, 2n + 1, stays below 2**31)."""


def varied_plan_bodies() -> tuple[str, ...]:
    """Plan bodies over minutes x place x focus, each with ``"seed": {odd}``: a new odd seed,
    another mix of exercises each time (every even seed is the best mix, one plan)."""
    return tuple(
        json.dumps({"minutes": m, "place": p, "focus": f}).removesuffix("}") + ', "seed": {odd}}'
        for m, p, f in itertools.product(VARIED_MINUTES, VARIED_PLACES, VARIED_FOCUS)
    )


def new_shape_bodies() -> tuple[str, ...]:
    """Plan bodies over the miss rows' minutes x place x focus, each at every level and with no
    condition or one of four common ones (1,440 shapes), no seed: a person's first plan of a
    shape (after a session their recent exercises and earned doses change it too). Asked in
    turn (``_next_template``), a shape comes round again after 1,439 others, more than a worker
    keeps (``caches.PlanCache``: 512) even when two share them, so none is kept by then: the
    seed-free search is made for each (``planner.mixes``)."""
    return tuple(
        json.dumps({"minutes": m, "place": p, "focus": f, "level": v, "conditions": list(c)})
        for m, p, f, v, c in itertools.product(
            VARIED_MINUTES, VARIED_PLACES, VARIED_FOCUS, VARIED_LEVELS, VARIED_CONDITIONS
        )
    )


def varied_page_queries() -> tuple[str, ...]:
    """The plan page's queries over the same combinations as ``varied_plan_bodies``, each with
    a new odd seed: what the page's "Try a different mix" link asks for."""
    return tuple(
        f"minutes={m}&place={p}&focus={f}&seed={{odd}}"
        for m, p, f in itertools.product(VARIED_MINUTES, VARIED_PLACES, VARIED_FOCUS)
    )


@dataclass(frozen=True)
class Route:
    """One route under load: each request sends the next of ``bodies`` (or asks for ``path``
    with the next of ``queries``), the route's runs going on where the last stopped."""

    name: str
    method: str
    path: str
    bodies: tuple[str, ...] = ("",)
    cache: str = ""
    """``hit``, ``miss`` or empty (not a cached read); the rows' names say which."""
    before: tuple[str, str, str] | None = None
    """(method, path, body) sent untimed before each timed request by the same client."""
    targets: frozenset[str] = field(default_factory=frozenset)
    """Which targets apply: ``rps`` (>= 0.5x /healthz) and ``p99`` (<= 50 ms)."""
    queries: tuple[str, ...] = ()
    """Query strings: each request asks for ``path?query`` with the next of them, taken in turn
    as ``bodies`` are (``templates``)."""

    @property
    def label(self) -> str:
        """The route's name in rows, with the cache path it measures."""
        return f"{self.name}, {self.cache}" if self.cache else self.name

    @property
    def templates(self) -> tuple[str, ...]:
        """What varies from request to request: the queries when it has them, else the
        bodies."""
        return self.queries or self.bodies


@dataclass(frozen=True)
class Load:
    """What one load run measured."""

    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    before_p50_ms: float = 0.0
    """The write before each read (a route with ``before``), timed apart from the read."""
    before_p99_ms: float = 0.0

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
local templates = {{ {bodies} }}
local first = {first}
local offset = {offset}
local threads = {threads}
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
  local number = first + (tid - 1) * 10000000 + n
  local text = templates[(offset + (n - 1) * threads + tid - 1) % #templates + 1]
  text = string.gsub(text, "{n}", string.format("%d", number))
  text = string.gsub(text, "{odd}", string.format("%d", 2 * number + 1))
  return {format}
end
"""
"""``request()`` filling a template per request: ``{format}`` sends ``text`` as the body, or
as the query of a route with queries (whose templates are then its query strings). The threads
take the templates in turn from ``offset`` (``_next_template``)."""
_next_template: dict[tuple[str, ...], int] = {}
"""Where each route's templates go on from: a run asks the template after the last one the run
before it asked, so a template comes round again only after all the others (a route with more
shapes than a worker keeps then never finds one kept)."""
_runs = itertools.count()


def _first() -> int:
    """The first ``{n}`` of a new load run (see ``RUN_SPAN``)."""
    return (next(_runs) % RUN_CYCLE) * RUN_SPAN + 1


def load(
    server: Server, route: Route, *, clients: int, seconds: float, tag: str, scripts: Path
) -> Load:
    """Put ``route`` under ``clients`` concurrent clients for ``seconds``."""
    bodies = [body.replace("{tag}", tag) for body in route.bodies]
    url = server.url + route.path
    first = _first()
    offset = _next_template.get(route.templates, 0)
    made = _load(route, bodies, url, first, offset, clients, seconds, tag, scripts)
    _next_template[route.templates] = offset + made.requests + clients  # and those in flight
    return made


def _load(
    route: Route,
    bodies: list[str],
    url: str,
    first: int,
    offset: int,
    clients: int,
    seconds: float,
    tag: str,
    scripts: Path,
) -> Load:
    wrk = shutil.which("wrk")
    if wrk is None or route.before is not None:
        command = [
            sys.executable,
            "-m",
            "bench.load",
            url,
            "--method",
            route.method,
            *(arg for body in bodies for arg in ("--body", body)),
            *(arg for query in route.queries for arg in ("--query", query)),
            "--first",
            str(first),
            "--offset",
            str(offset),
            "--connections",
            str(clients),
            "--seconds",
            str(seconds),
        ]
        if route.before is not None:
            method, path, body = route.before
            command += ["--before-method", method, "--before-path", path, "--before-body", body]
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
            found.get("before_p50", 0.0),
            found.get("before_p99", 0.0),
        )
    script = scripts / f"{tag}.lua"
    texts = list(route.queries) or bodies
    unique = any("{n}" in text or "{odd}" in text for text in texts) or len(texts) > 1
    sends = (
        f'wrk.format(nil, "{route.path}?" .. text)'
        if route.queries
        else "wrk.format(nil, nil, nil, text)"
    )
    request = _WRK_UNIQUE.replace("{format}", sends) if unique else ""
    threads = min(clients, 2)
    script.write_text(
        _WRK_SCRIPT.format(
            method=route.method,
            body=bodies[0] if not route.queries else "",
            bodies=", ".join(f"[[{text}]]" for text in texts),
            first=first,
            offset=offset,
            threads=threads,
            request=request,
        )
    )
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


def _post(server: Server, path: str, body: str) -> httpx.Response:
    response = httpx.post(
        server.url + path,
        content=body,
        timeout=30,
        headers={"Content-Type": "application/json"},
    )
    if response.status_code >= 300:
        raise RuntimeError(f"POST {path}: {response.status_code} {response.text[:300]}")
    return response


def _routes(server: Server) -> list[Route]:
    """The routes in measuring order (hits first, then misses, then the log write), after
    starting a session to log into (``serving`` stored the person's screen)."""
    started = _post(server, "/api/v1/sessions", PLAN_BODY)
    session_id = started.json()["session"]["id"]
    log_body = '{"position": 0, "status": "completed", "idempotency_key": "{tag}-{n}"}'
    varied = varied_plan_bodies()
    checkin = ("POST", CHECKIN_PATH, CHECKIN_BODY)
    both = frozenset({"rps", "p99"})
    p99 = frozenset({"p99"})
    return [
        Route("plan", "POST", "/api/v1/plan", (PLAN_BODY,), "cached hit", targets=both),
        Route("timeline", "POST", "/api/v1/timeline", (PLAN_BODY,), "cached hit", targets=p99),
        Route("history page", "GET", "/history", cache="cached hit", targets=p99),
        Route("plan", "POST", "/api/v1/plan", varied, "miss: new body", targets=p99),
        Route("timeline", "POST", "/api/v1/timeline", varied, "miss: new body", targets=p99),
        Route("plan page", "GET", "/plan", queries=varied_page_queries(), cache="miss: new query",
              targets=p99),
        Route("plan", "POST", "/api/v1/plan", new_shape_bodies(), "miss: new shape",
              targets=p99),
        Route("plan", "POST", "/api/v1/plan", varied, "miss: after a write", before=checkin,
              targets=p99),
        Route("history page", "GET", "/history", cache="miss: after a write", before=checkin,
              targets=p99),
        Route("log write", "POST", f"/api/v1/sessions/{session_id}/logs", (log_body,),
              targets=p99),
    ]  # fmt: skip


def _check(server: Server, routes: list[Route]) -> None:
    """Each route answers 2xx once before it is loaded (a broken route is no benchmark)."""
    for route in routes:
        every = max(1, len(route.templates) // CHECKED_BODIES)
        calls = [
            (route.method, f"{route.path}?{text}", "") if route.queries
            else (route.method, route.path, text)
            for text in route.templates[::every]
        ]  # fmt: skip
        if route.before is not None:
            calls.insert(0, route.before)
        for method, template_path, template in calls:
            body = filled(template.replace("{tag}", "bench-check"), 0)
            path = filled(template_path, 0)
            response = httpx.request(
                method,
                server.url + path,
                content=body or None,
                headers={"Content-Type": "application/json"},
                timeout=30,
            )
            if response.status_code >= 300:
                raise RuntimeError(
                    f"{route.label}: {method} {path} {body}: {response.status_code}"
                    f" {response.text[:300]}"
                )


@dataclass(frozen=True)
class Measured:
    """One route's loads: busy (32 clients), calm (8) and, for reads after a write, one."""

    route: Route
    busy: Load
    calm: Load
    one: Load | None = None


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
                warm = [health, *(r for r in routes if r.name != "log write")]
                for route in [] if quick else warm:  # warm-up, unmeasured
                    settle(server)
                    load(
                        server,
                        route,
                        clients=LATENCY_CLIENTS,
                        seconds=min(seconds, 2.0),
                        tag=f"warm-w{workers}",
                        scripts=scripts,
                    )
                found: list[Measured] = []
                for route in [health, *routes, health]:
                    tag = f"w{workers}-{len(found)}-{route.name.split()[0]}"
                    loads = []
                    for clients in (RPS_CLIENTS, LATENCY_CLIENTS, 1):
                        if clients == 1 and route.before is None:
                            continue
                        settle(server)
                        loads.append(
                            load(
                                server,
                                route,
                                clients=clients,
                                seconds=seconds,
                                tag=f"{tag}-c{clients}",
                                scripts=scripts,
                            )
                        )
                    found.append(Measured(route, *loads))
            _rows(result, workers, found)
    tool = "wrk" if shutil.which("wrk") else "bench.load (asyncio, no wrk here)"
    result.notes.append(
        f"Load from {tool} in its own process (bench.load for the reads after a write),"
        f" {seconds:g} s per measurement after a warm-up; a fresh SQLite store per server, its"
        f" person with {HISTORY_DAYS} days of history and a stored screen; the baseline is the"
        " mean of /healthz measured before and after the routes."
    )
    result.notes.append(
        "*cached hit*: the same body each time, no write between, answered from the plan and"
        " person caches. *miss: new body*: minutes x place x focus"
        f" ({len(varied_plan_bodies())} combinations) and an odd seed never sent before"
        ' ("Try a different mix": another mix each time), so the plan cache misses and the'
        " plan is made; the person's records stay cached, and so does the seed-free search of"
        " each combination (the best mix and whether another is near), made in the warm-up."
        " *miss: new shape*: the same combinations at every level, with no condition or one"
        " of knee, shoulder or wrist pain and high blood pressure"
        f" ({len(new_shape_bodies()):,} shapes, no seed) in turn, more"
        " than a worker keeps (512), so each request is a person's first plan of its shape:"
        " candidates, the best mix and whether another is near are made for it."
        " *miss: new query*: the plan page (HTML, what a browser shows) asked the same way,"
        ' the query its "Try a different mix" link sends: the same plan made, rendered with'
        " its form and sealed for Start."
        " *miss: after a write*: each client"
        " checks in before each timed read (the check-in timed apart, in the row's note), a new"
        " seed each plan. A check-in changes only the person's check-ins, so what was read of"
        " the rest stays kept (the base revision): the plan reads the check-ins again and"
        " replays the progress since its checkpoint, the history page reads the morning pains"
        " again, summarises and renders; a write of anything else reads it all again. At 8"
        " clients of one person another client's read may re-read the person between a write"
        " and this read, so the rows with one client are the pure miss (every read follows its"
        " own write)."
    )
    return result


def _rows(result: Result, workers: int, found: list[Measured]) -> None:
    first, last = found[0], found[-1]
    base_rps = (first.busy.rps + last.busy.rps) / 2
    base_p99 = (first.calm.p99_ms + last.calm.p99_ms) / 2
    label = f"{workers} worker{'s' if workers > 1 else ''}"
    result.rows.append(
        Row(
            f"healthz, {label}: requests/s at {RPS_CLIENTS}",
            base_rps,
            unit="req/s",
            stat="rate",
            note=f"before {first.busy.rps:.0f}, after {last.busy.rps:.0f}",
        )
    )
    result.rows.append(
        Row(
            f"healthz, {label}: latency at {LATENCY_CLIENTS}",
            base_p99,
            stat="p99",
            note=f"p50 {first.calm.p50_ms:.1f} ms",
        )
    )
    for measured in found[1:-1]:
        route, busy, calm = measured.route, measured.busy, measured.calm
        name = route.label
        after = " (each after a write)" if route.before is not None else ""
        r = ratio(busy.rps, base_rps)
        target, met = "", None
        if "rps" in route.targets:
            target, met = f">= {PLAN_RATIO_LIMIT:g}x", at_least(r, PLAN_RATIO_LIMIT)
        result.rows.append(
            Row(
                f"{name}, {label}: requests/s at {RPS_CLIENTS}{after}",
                busy.rps,
                unit="req/s",
                stat="rate",
                baseline=base_rps,
                ratio=r,
                target=target,
                met=met,
                note=f"{busy.errors} errors" if busy.errors else "",
            )
        )
        loads = [(LATENCY_CLIENTS, calm)]
        if measured.one is not None:
            loads.append((1, measured.one))
        for clients, found_load in loads:
            # The target is at 8 clients; one client is the pure miss, reported beside it.
            has_target = "p99" in route.targets and clients == LATENCY_CLIENTS
            notes = [f"p50 {found_load.p50_ms:.1f} ms, max {found_load.max_ms:.0f} ms"]
            if route.before is not None:
                notes.append(f"the write before it p50 {found_load.before_p50_ms:.1f} ms,"
                             f" p99 {found_load.before_p99_ms:.1f} ms")  # fmt: skip
            if found_load.errors:
                notes.append(f"{found_load.errors} errors")
            result.rows.append(
                Row(
                    f"{name}, {label}: latency at {clients}",
                    found_load.p99,
                    stat="p99",
                    baseline=base_p99,
                    ratio=ratio(found_load.p99, base_p99),
                    target=f"<= {P99_LIMIT_MS:g} ms" if has_target else "",
                    met=at_most(found_load.p99, P99_LIMIT_MS) if has_target else None,
                    note="; ".join(notes),
                )
            )
