"""catalogue: load the shipped catalogue, from its JSON snapshot and from YAML, in-process and in a
fresh process.

``load_catalogue`` reads ``snapshot.json`` when its digest matches the YAML files (what every
start-up does); ``load_catalogue(..., snapshot=False)`` reads and validates the YAML, as it does
whenever a catalogue file has changed. Both are measured: the second is the real validation cost.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial

from bench.result import Result, Row, at_most, stats
from midback.domain.catalogue import Catalogue
from midback.domain.loader import default_catalogue_dir, load_catalogue, load_snapshot

TARGET_MS = 20.0
_FRESH = """
import sys, time
from midback.domain.loader import default_catalogue_dir, load_catalogue
start = time.perf_counter()
load_catalogue(default_catalogue_dir(), snapshot=sys.argv[1] == "snapshot")
print((time.perf_counter() - start) * 1000)
"""


def _times(load: Callable[[], Catalogue], repeats: int) -> list[float]:
    load()  # warm the file cache and pydantic's validators
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        load()
        times.append((time.perf_counter() - start) * 1000)
    return times


def run(quick: bool) -> Result:
    """Median time of ``load_catalogue`` (target <= 20 ms) from the snapshot and from YAML, and
    the first load in a new process."""
    result = Result(
        "catalogue", "Load the whole catalogue in-process: JSON snapshot, and YAML + pydantic"
    )
    root = default_catalogue_dir()
    if load_snapshot(root) is None:
        raise RuntimeError(
            "snapshot.json is stale: run `uv run python -m midback.domain.loader --snapshot`"
        )
    loaded = load_catalogue(root, snapshot=False)
    repeats = 5 if quick else 100
    rounds = 2 if quick else 10
    for label, snapshot, note in (
        # What the app does: reads every YAML file for its digest, validates the snapshot's JSON
        # into the models and runs the cross-checks. The target is on this row.
        ("load_catalogue, from the snapshot", True, "digest of the YAML + JSON validation"),
        # The fallback when a YAML file changed and the snapshot is not regenerated yet.
        ("load_catalogue(snapshot=False), YAML", False, "fallback: full YAML parse + validation"),
    ):
        s = stats(_times(partial(load_catalogue, root, snapshot=snapshot), repeats))
        result.rows.append(
            Row(
                f"{label}, in-process (warm)",
                s.median,
                spread=s.iqr,
                target=f"<= {TARGET_MS:g} ms" if snapshot else "",
                met=at_most(s.median, TARGET_MS) if snapshot else None,
                samples=s.n,
                note=f"{note}; p99 {s.p99:.1f} ms",
            )
        )
    for label, mode in (("from the snapshot", "snapshot"), ("YAML", "yaml")):
        fresh = []
        for _ in range(rounds):
            out = subprocess.run(
                [sys.executable, "-c", _FRESH, mode],
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
            )
            fresh.append(float(out.stdout.strip()))
        f = stats(fresh)
        result.rows.append(
            Row(
                f"load_catalogue {label}, first call in a new process",
                f.median,
                spread=f.iqr,
                samples=f.n,
                note="after the imports; includes first-use costs (building validators)",
            )
        )
    result.notes.append(
        f"{len(loaded.exercises)} exercises, {len(loaded.programs)} programs,"
        f" {len(loaded.guides)} guide pages, {len(loaded.sources)} sources; {repeats} loads"
        " after one warm-up for each in-process row."
    )
    return result
