"""catalogue: load and validate the whole shipped catalogue, in-process and in a fresh process."""

from __future__ import annotations

import subprocess
import sys
import time

from bench.result import Result, Row, at_most, stats
from midback.domain.loader import default_catalogue_dir, load_catalogue

TARGET_MS = 20.0
_FRESH = """
import time
from midback.domain.loader import default_catalogue_dir, load_catalogue
start = time.perf_counter()
load_catalogue(default_catalogue_dir())
print((time.perf_counter() - start) * 1000)
"""


def run(quick: bool) -> Result:
    """Median time of ``load_catalogue`` (target <= 20 ms), and the first load in a new process."""
    result = Result(
        "catalogue", "Load and validate the whole catalogue in-process (YAML + pydantic)"
    )
    root = default_catalogue_dir()
    loaded = load_catalogue(root)  # warm the file cache and pydantic's validators
    repeats = 5 if quick else 100
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        load_catalogue(root)
        times.append((time.perf_counter() - start) * 1000)
    s = stats(times)
    result.rows.append(
        Row(
            "load_catalogue, in-process (warm)",
            s.median,
            spread=s.iqr,
            target=f"<= {TARGET_MS:g} ms",
            met=at_most(s.median, TARGET_MS),
            samples=s.n,
            note=f"p99 {s.p99:.1f} ms",
        )
    )
    fresh = []
    for _ in range(2 if quick else 10):
        out = subprocess.run(
            [sys.executable, "-c", _FRESH], capture_output=True, text=True, check=True, timeout=60
        )
        fresh.append(float(out.stdout.strip()))
    f = stats(fresh)
    result.rows.append(
        Row(
            "load_catalogue, first call in a new process",
            f.median,
            spread=f.iqr,
            samples=f.n,
            note="after the imports; includes first-use costs",
        )
    )
    result.notes.append(
        f"{len(loaded.exercises)} exercises, {len(loaded.programs)} programs,"
        f" {len(loaded.guides)} guide pages, {len(loaded.sources)} sources; {repeats} loads"
        " after one warm-up."
    )
    return result
