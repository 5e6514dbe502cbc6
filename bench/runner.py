"""The registry of benchmarks and running one of them (a module of its own, so that a spawned
process can find ``run_one`` by name: ``python -m bench``'s ``__main__`` cannot be imported)."""

from __future__ import annotations

import os
import time
import traceback
from importlib import import_module

from bench import report
from bench.result import Result

BENCHMARKS: dict[str, str] = {
    "cli-start": "bench.cli_start",
    "cli-path": "bench.cli_path",
    "catalogue": "bench.catalogue",
    "planner": "bench.planner",
    "timer-cli": "bench.timer_cli",
    "timer-web": "bench.timer_web",
    "web": "bench.web",
    "storage": "bench.storage",
    "page": "bench.page",
}
"""Benchmark name -> its module (which has ``run(quick: bool) -> Result``), in running order."""


def run_one(name: str, *, quick: bool) -> Result:
    """Run one benchmark; an exception becomes the result's ``error`` (its run still counts)."""
    before = os.getloadavg()[0]
    when = report.now()
    started = time.perf_counter()
    try:
        result: Result = import_module(BENCHMARKS[name]).run(quick)
    except Exception as error:  # a broken benchmark must not hide the others
        traceback.print_exc()
        result = Result(name, name, error=f"{type(error).__name__}: {error}")
    result.seconds = time.perf_counter() - started
    result.started = when
    result.notes.append(
        f"Load average (1 min) {before:.1f} before, {os.getloadavg()[0]:.1f} after, on"
        f" {os.cpu_count()} cores."
    )
    return result
