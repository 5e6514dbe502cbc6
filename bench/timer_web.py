"""timer-web: the browser player in headless Chromium, its lateness measured from outside.

The player page (``/player``) of a live server runs a 30-minute home session at real speed (the
quick run: 1 minute at six times speed). The benchmark, not the app, puts a MutationObserver
into the page before its scripts run (``add_init_script``); it timestamps
(``performance.now()``) every change of the countdown (``#run-count``) and of the cue text
(``#run-text``). The schedule is the timeline the server answered to ``POST /api/v1/sessions``
(read by Playwright from the network, not from the page's variables): each cue's ``start_s``
and ``duration_s``. So nothing here depends on how the player computes its times.

- A cue's text is due at its ``start_s``; it is matched to the nearest due time of a cue with
  that text, and the first change matched to a cue counts.
- The countdown shows the whole seconds left in the cue (``ceil``): the change to ``n`` is due
  ``duration_s - n`` seconds into the cue (the first value at the cue's start); each change is
  matched to the nearest such due time.

The page's clock origin is not visible from outside. Time zero is first the first cue's text
appearing (the player starts its clock and shows that cue in one task, and the observer's
callback runs just after that task), then moves back so that the earliest change of the session
is on time. Each figure is then the true lateness minus the earliest change's own (a timer fires
at or just after its deadline: about a millisecond), never less than with time zero at the first
cue, whose callback may come late. A lateness common to every change alike would not show (none
is expected: the first cue is shown in the task that starts the clock); growth shows drift.

Logs are posted to the server as exercises end, as in real use. It mostly waits: ``python -m
bench`` runs it side by side with timer-cli, each in its own process (``bench.together``).
"""

from __future__ import annotations

import bisect
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import browser, together
from bench.result import Result, Row, at_most, stats
from bench.server import serving

if TYPE_CHECKING:
    from playwright.sync_api import Page

MAX_LIMIT_MS = 50.0
SESSION_MINUTES = 30
"""The full run's session, at real speed (the quick run: 1 minute at six times speed)."""
OBSERVED = ("run-count", "run-text")
"""The ids of the elements whose text the observer timestamps."""
OBSERVER = """
(() => {
  const marks = [];
  window.__midbackBenchMarks = marks;
  const ids = %s;
  const last = {};
  const install = () => {
    const targets = ids.map((id) => document.getElementById(id)).filter(Boolean);
    const observer = new MutationObserver((records) => {
      const t = performance.now();
      const seen = new Set();
      for (const record of records) {
        let node = record.target;
        while (node && !(node.nodeType === 1 && ids.includes(node.id))) node = node.parentNode;
        if (node && !seen.has(node.id)) seen.add(node.id);
      }
      for (const id of seen) {
        const text = document.getElementById(id).textContent;
        marks.push({ t, id, text, same: last[id] === text });
        last[id] = text;
      }
    });
    for (const target of targets) {
      observer.observe(target, { childList: true, characterData: true, subtree: true });
    }
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", install, { once: true });
  } else {
    install();
  }
})();
""" % ("[" + ", ".join(f'"{i}"' for i in OBSERVED) + "]")


@dataclass(frozen=True)
class Mark:
    """One observed change: when (page milliseconds), of which element, to what text."""

    t_ms: float
    element: str
    text: str
    same: bool
    """The text was set again to what it already showed."""


@dataclass(frozen=True)
class Lateness:
    """Observed minus due, in wall milliseconds, of the cue texts and the countdown changes."""

    cues: list[tuple[float, float]]
    """(due wall second, lateness ms) of each cue whose text was seen, the first excluded."""
    counts: list[tuple[float, float]]
    """(due wall second, lateness ms) of each countdown change."""
    unseen_cues: int
    """Cues whose text never appeared (matched to no change)."""
    shift_ms: float
    """How far time zero moved back from the first cue's appearance."""


def _due_counts(cues: Sequence[dict[str, Any]]) -> dict[int, list[float]]:
    """For each countdown value, the sorted session seconds at which it is due."""
    due: dict[int, list[float]] = {}
    for cue in cues:
        start, length = float(cue["start_s"]), float(cue["duration_s"])
        first = int(-(-length // 1))  # ceil
        for value in range(first, -1, -1):
            due.setdefault(value, []).append(start + max(0.0, length - value))
    for times in due.values():
        times.sort()
    return due


def _nearest(times: Sequence[float], x: float) -> float | None:
    """The element of sorted ``times`` nearest ``x``."""
    if not times:
        return None
    i = bisect.bisect_left(times, x)
    near = [times[j] for j in (i - 1, i) if 0 <= j < len(times)]
    return min(near, key=lambda t: abs(t - x))


def _count_value(text: str) -> int | None:
    """The countdown's whole seconds from its text ("42", or "1:05" if shown so); None else."""
    text = text.strip()
    try:
        if ":" in text:
            minutes, seconds = text.split(":", 1)
            return int(minutes) * 60 + int(seconds)
        return int(text)
    except ValueError:
        return None


def lateness(marks: Sequence[Mark], timeline: dict[str, Any], speed: float) -> Lateness:
    """Match the observed changes with the timeline's schedule (see the module's docstring)."""
    cues: list[dict[str, Any]] = timeline["cues"]
    texts = [m for m in marks if m.element == "run-text"]
    first_text = str(cues[0]["text"])
    origin = next((m.t_ms for m in texts if m.text == first_text), None)
    if origin is None:
        raise RuntimeError(
            f"the first cue's text ({first_text!r}) never appeared in #run-text;"
            f" {len(marks)} changes seen"
        )
    by_text: dict[str, list[tuple[float, int]]] = {}
    for index, cue in enumerate(cues):
        by_text.setdefault(str(cue["text"]), []).append((float(cue["start_s"]), index))
    seen: dict[int, float] = {}
    for mark in texts:
        if mark.t_ms < origin:
            continue
        at_s = (mark.t_ms - origin) / 1000 * speed  # session seconds
        options = by_text.get(mark.text, [])
        if not options:
            continue
        start, index = min(options, key=lambda o: abs(o[0] - at_s))
        if index not in seen:
            seen[index] = (mark.t_ms - origin) - start / speed * 1000
    cue_late = [
        (float(cues[i]["start_s"]) / speed, late) for i, late in sorted(seen.items()) if i != 0
    ]
    due = _due_counts(cues)
    count_late: list[tuple[float, float]] = []
    for mark in marks:
        if mark.element != "run-count" or mark.same or mark.t_ms < origin:
            continue
        value = _count_value(mark.text)
        if value is None:
            continue
        at_s = (mark.t_ms - origin) / 1000 * speed
        nearest = _nearest(due.get(value, []), at_s)
        if nearest is None:
            continue
        count_late.append((nearest / speed, (mark.t_ms - origin) - nearest / speed * 1000))
    # Time zero moves back so that the earliest change is on time (see the module docstring).
    shift = min([0.0, *(late for _, late in cue_late), *(late for _, late in count_late)])
    return Lateness(
        [(due, late - shift) for due, late in cue_late],
        [(due, late - shift) for due, late in count_late],
        unseen_cues=len(cues) - len(seen),
        shift_ms=-shift,
    )


def _wait_visible(page: Page, selector: str, *, what: str, timeout_s: float) -> None:
    try:
        page.wait_for_selector(selector, state="visible", timeout=timeout_s * 1000)
    except Exception as error:  # Playwright's TimeoutError, named for the report
        raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}") from error


def _engine_lateness(page: Page, speed: float) -> list[float] | None:
    """The player's own account of each cue's lateness (ms), when its test hook exists."""
    try:
        cues: list[dict[str, Any]] | None = page.evaluate(
            "() => window.midbackPlayer && Array.isArray(window.midbackPlayer.events)"
            " ? window.midbackPlayer.events.filter((e) => e.type === 'cue') : null"
        )
    except Exception:  # the hook is the app's, and may change: the row is optional
        return None
    if not cues:
        return None
    try:
        return [float(cue["late"]) / speed * 1000 for cue in cues]
    except (KeyError, TypeError, ValueError):
        return None


@contextmanager
def _set_up_even_if_failing() -> Iterator[None]:
    """A partner side by side must not wait for a setup that failed."""
    try:
        yield
    finally:
        together.set_up()


def session(minutes: int, speed: float) -> tuple[list[Mark], dict[str, Any], list[float] | None]:
    """Play a home session of ``minutes`` at ``speed`` in the player page; the observed marks,
    the timeline the server answered and the engine's own cue lateness (if it says)."""
    with (
        _set_up_even_if_failing(),
        tempfile.TemporaryDirectory(prefix="midback-bench-") as home,
        serving(Path(home)) as app,
        browser.chromium() as chromium,
    ):
        page = chromium.new_page(viewport={"width": 412, "height": 900})
        page.add_init_script(OBSERVER)
        page.goto(f"{app.url}/player?minutes={minutes}&place=home&speed={speed:g}")
        _wait_visible(page, "#start-unrated", what="the player's first stage", timeout_s=30)

        def is_start(response: Any) -> bool:
            return bool(
                response.request.method == "POST" and response.url.endswith("/api/v1/sessions")
            )

        with page.expect_response(is_start, timeout=30_000) as started:
            page.click("#start-unrated")
        answer = started.value
        if answer.status != 201:
            raise RuntimeError(f"POST /api/v1/sessions answered {answer.status}: {answer.text()}")
        timeline: dict[str, Any] = answer.json()["timeline"]
        _wait_visible(page, "#stage-run", what="the session to start", timeout_s=30)
        together.set_up()  # timer-cli plays now, when side by side
        total_s = float(timeline["total_s"])
        try:
            _wait_visible(
                page, "#stage-after", what="the session to end", timeout_s=total_s / speed + 60
            )
            raw: list[dict[str, Any]] = page.evaluate("() => window.__midbackBenchMarks || []")
            engine = _engine_lateness(page, speed)
        finally:
            together.before_teardown()
    marks = [Mark(float(m["t"]), str(m["id"]), str(m["text"]), bool(m["same"])) for m in raw]
    return marks, timeline, engine


def _growth(points: Sequence[tuple[float, float]]) -> float:
    """Median lateness of the last third (by due time) minus that of the first third."""
    ordered = sorted(points)
    third = max(1, len(ordered) // 3)
    return (
        stats([ms for _, ms in ordered[-third:]]).median
        - stats([ms for _, ms in ordered[:third]]).median
    )


def run(quick: bool) -> Result:
    """Lateness of cue texts and countdown changes as the DOM shows them (target: max <= 50 ms
    for both), over a 30-minute session at real speed."""
    result = Result(
        "timer-web",
        "Browser player in headless Chromium: DOM changes (MutationObserver) against the"
        " timeline's schedule",
    )
    why = browser.missing()
    if why is not None:
        result.rows.append(
            Row("cue text lateness", None, stat="max", target=f"<= {MAX_LIMIT_MS:g} ms",
                note=f"not run: {why}")
        )  # fmt: skip
        return result
    minutes, speed = (1, 6.0) if quick else (SESSION_MINUTES, 1.0)
    marks, timeline, engine = session(minutes, speed)
    found = lateness(marks, timeline, speed)
    if not found.cues or not found.counts:
        raise RuntimeError(
            f"too few changes matched the schedule: {len(found.cues)} cues,"
            f" {len(found.counts)} countdown changes of {len(marks)} observed"
        )
    for label, points in (("cue text", found.cues), ("countdown change", found.counts)):
        s = stats([ms for _, ms in points])
        result.rows.append(Row(f"{label} lateness", s.median, spread=s.iqr, samples=s.n))
        result.rows.append(Row(f"{label} lateness", s.p99, stat="p99", spread=s.iqr,
                               samples=s.n))  # fmt: skip
        result.rows.append(
            Row(f"{label} lateness", s.max, stat="max", samples=s.n,
                target=f"<= {MAX_LIMIT_MS:g} ms", met=at_most(s.max, MAX_LIMIT_MS),
                note=f"min {s.min:.1f} ms")
        )  # fmt: skip
        result.rows.append(
            Row(f"{label}: growth, median of the last third minus the first", _growth(points),
                stat="difference", samples=s.n)
        )  # fmt: skip
    if engine:
        e = stats(engine)
        result.rows.append(
            Row("cue lateness as the player's engine reports it", e.max, stat="max",
                samples=e.n, note=f"median {e.median:.1f} ms; for comparison, no target")
        )  # fmt: skip
    blocks = len(timeline.get("blocks", []))
    cues = len(timeline["cues"])
    plural = "s" if blocks != 1 else ""
    unseen = f"; {found.unseen_cues} cues left the text unchanged" if found.unseen_cues else ""
    result.notes.append(
        f"A {timeline['total_s']} s home session ({cues} cues, {blocks} exercise{plural}) at speed"
        f" {speed:g}, wall time {float(timeline['total_s']) / speed:.0f} s; {browser.version()},"
        f" headless. Lateness: the observer's timestamp minus the due time, time zero at the"
        f" first cue's text moved back {found.shift_ms:.1f} ms so that no change is early{unseen}."
    )
    return result
