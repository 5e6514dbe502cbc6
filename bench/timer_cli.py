"""timer-cli: the terminal player at real speed; each cue's actual minus scheduled start.

The full run plays a 30-minute session at real speed (the quick run: 1 minute at six times
speed), so drift over a long session shows in the growth row. It mostly sleeps: ``python -m
bench`` runs it side by side with timer-web, each in its own process.

The session runs exactly as ``midback start --no-input`` runs it: ``run_session`` with
``NoKeys(time.sleep)`` and ``time.monotonic``, each finished exercise logged at once to a
SQLite store, and every frame rendered (``player_screen``) into a console that writes to memory
(the silent renderer). A cue's lateness is the clock when the face hears of it minus the start
the timeline gives it, so a log write or a slow frame before it counts.

Beside it, a bare loop that only sleeps to deadlines on the same machine shows what the
operating system's timers allow (the floor).
"""

from __future__ import annotations

import io
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from bench import together
from bench.result import Result, Row, at_most, stats
from midback.cli.player_view import player_screen
from midback.cli.terminal import NoKeys, run_session
from midback.domain.loader import catalogue
from midback.domain.planner import plan
from midback.domain.plans import Plan, PlanRequest
from midback.domain.player import BlockEnded, CueStarted, Event, Player
from midback.domain.timeline import compile_plan
from midback.domain.vocab import Focus, Place
from midback.services import LOCAL_PERSON
from midback.services.live import LiveSession
from midback.services.store import open_store

P99_LIMIT_MS = 10.0
MAX_LIMIT_MS = 20.0
GROWTH_LIMIT_MS = 2.0
SESSION_MINUTES = 30
"""The full run's session, played at real speed (the quick run: 1 minute at six times speed)."""


def play(session_plan: Plan, *, speed: float, home: Path) -> list[tuple[float, float]]:
    """Play ``session_plan``; (scheduled wall second, lateness in ms) of every cue."""
    repo = open_store(f"sqlite:///{home / 'midback.db'}")
    timeline = compile_plan(session_plan, catalogue())
    live = LiveSession.begin(
        repo, catalogue(), LOCAL_PERSON, session_plan, timeline, pain_before=None,
        at=datetime.now(UTC),
    )  # fmt: skip
    player = Player(timeline, clock=time.monotonic, speed=speed)
    console = Console(file=io.StringIO(), width=80, force_terminal=True, color_system="truecolor")
    found: list[tuple[float, float]] = []

    def on_event(event: Event) -> None:
        if isinstance(event, CueStarted):
            cue = timeline.cues[event.index]
            late_ms = (player.offset() - cue.start_s) / speed * 1000
            found.append((cue.start_s / speed, late_ms))
        elif isinstance(event, BlockEnded):
            live.record_block(event, at=datetime.now(UTC))

    def render(message: str | None) -> None:
        console.file = io.StringIO()
        console.print(
            player_screen(
                timeline,
                cue_index=player.current_cue(),
                remaining_s=player.remaining_in_cue(),
                offset_s=player.offset(),
                paused=player.paused,
                message=message,
            )
        )

    run_session(
        player,
        keys=NoKeys(time.sleep),
        on_event=on_event,
        render=render,
        on_key=lambda _key, _player: None,
    )
    repo.engine.dispose()
    return found


def bare_sleep_loop(seconds: float, period: float = 0.05) -> list[float]:
    """Lateness (ms) of a loop that only sleeps to deadlines ``period`` apart."""
    late = []
    origin = time.monotonic()
    deadline = origin
    while deadline - origin < seconds:
        deadline += period
        time.sleep(max(0.0, deadline - time.monotonic()))
        late.append((time.monotonic() - deadline) * 1000)
    return late


def run(quick: bool) -> Result:
    """p99 and max of cue lateness, and its growth from the first third to the last."""
    result = Result("timer-cli", "Terminal player at real speed: actual minus scheduled cue start")
    minutes, speed = (1, 6.0) if quick else (SESSION_MINUTES, 1.0)
    cat = catalogue()
    # Strength at home: the most cues (reps) and exercise changes a session can hold.
    session_plan = plan(cat, PlanRequest(minutes=minutes, place=Place.HOME, focus=Focus.STRENGTH))
    timeline = compile_plan(session_plan, cat)
    together.wait_for_set_up()  # timer-web's server and browser, when side by side
    try:
        with tempfile.TemporaryDirectory(prefix="midback-bench-") as home:
            found = play(session_plan, speed=speed, home=Path(home))
        floor = stats(bare_sleep_loop(1.0 if quick else 5.0))
    finally:
        together.played()
    late = [ms for _, ms in found]
    s = stats(late)
    result.rows.append(
        Row(
            "cue lateness",
            s.median,
            spread=s.iqr,
            samples=s.n,
            baseline=floor.median,
            note="baseline: bare sleep-to-deadline loop",
        )
    )
    result.rows.append(
        Row(
            "cue lateness",
            s.p99,
            stat="p99",
            spread=s.iqr,
            samples=s.n,
            baseline=floor.p99,
            target=f"<= {P99_LIMIT_MS:g} ms",
            met=at_most(s.p99, P99_LIMIT_MS),
        )
    )
    result.rows.append(
        Row(
            "cue lateness",
            s.max,
            stat="max",
            samples=s.n,
            baseline=floor.max,
            target=f"<= {MAX_LIMIT_MS:g} ms",
            met=at_most(s.max, MAX_LIMIT_MS),
        )
    )
    third = max(1, len(found) // 3)
    ordered = sorted(found)
    first = stats([ms for _, ms in ordered[:third]]).median
    last = stats([ms for _, ms in ordered[-third:]]).median
    growth = last - first
    result.rows.append(
        Row(
            "growth: median of the last third minus the first",
            growth,
            stat="difference",
            samples=s.n,
            target=f"<= {GROWTH_LIMIT_MS:g} ms",
            met=at_most(growth, GROWTH_LIMIT_MS),
            note=f"slope {_slope(ordered) * 60:+.3f} ms per minute",
        )
    )
    result.notes.append(
        f"A {timeline.total_s} s session ({len(timeline.cues)} cues, {len(timeline.blocks)}"
        f" exercises) at speed {speed:g} (wall time {timeline.total_s / speed:.0f} s); frames"
        " rendered into memory; logs written to a temporary SQLite store as they happen."
    )
    return result


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of lateness (ms) against scheduled time (s)."""
    if len(points) < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    var = sum((x - mean_x) ** 2 for x, _ in points)
    cov = sum((x - mean_x) * (y - mean_y) for x, y in points)
    return cov / var if var else 0.0
