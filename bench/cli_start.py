"""cli-start: a cold ``midback --help`` and ``midback plan``, against ``python -c pass``.

Each run is a new process of the project's virtual environment. The commands take turns
(pass, help, plan, pass, ...) so that the machine's noise falls on all of them alike; one
untimed round first warms the operating system's file cache. An all-clear safety screen is
stored first (``midback screen --answers FILE``): ``plan`` reads it, as after a person's first
screen. ``plan`` after a plan reads the facts the last one kept (``services.kept_facts``).
``midback checkin`` (a write) keeps them again before it exits, so the plan after it needs no
store either; a write by another process (the web app: here a check-in through
``services.records``) sends the next plan through the store. Each is on its own row, and so is
the floor under ``plan`` (``python -c`` importing pydantic and building one model, as the
domain's models are built: the stack's share, which no change to midback's own code removes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import answers as screen
from bench.result import Result, Row, at_most, ratio, stats

HELP_LIMIT = 6.0
PLAN_LIMIT = 8.0
PLAN_ARGS = ["plan", "--minutes", "10", "--place", "home", "--json"]
CHECKIN_ARGS = ["checkin", "--pain", "3", "--json"]
ANOTHER_WRITER = (
    "from datetime import UTC, datetime\n"
    "from midback.cli.store import database_url\n"
    "from midback.services import LOCAL_PERSON\n"
    "from midback.services.records import checkin\n"
    "from midback.services.store import open_store\n"
    "checkin(open_store(database_url()), LOCAL_PERSON, pain=3, stiffness=None,"
    " at=datetime.now(UTC))\n"
)
"""A check-in written as the web app writes it: through the services, not the command line."""
ONE_MODEL = (
    "from pydantic import BaseModel, ConfigDict\n"
    "class Dose(BaseModel):\n"
    "    model_config = ConfigDict(frozen=True)\n"
    "    sets: int\n"
    "Dose(sets=2)\n"
)
"""The least a command whose domain models are pydantic's does: import it, build and use one
model (``plan`` builds two dozen, and Typer's option adapters are pydantic too)."""


def _midback() -> list[str]:
    """The ``midback`` console script beside this interpreter, else ``python -m midback``."""
    script = Path(sys.executable).with_name("midback")
    return [str(script)] if script.exists() else [sys.executable, "-m", "midback"]


def _time(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed, done.stdout


def _rounds(
    commands: dict[str, list[str]], env: dict[str, str], rounds: int
) -> dict[str, list[float]]:
    """One untimed warm-up round, then ``rounds`` interleaved timed rounds."""
    for name, command in commands.items():
        _, out = _time(command, env)
        if name.startswith("plan"):
            json.loads(out)  # the plan really was made
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            times[name].append(_time(command, env)[0])
    return times


def run(quick: bool) -> Result:
    """Median wall time of each command over interleaved rounds; ratios to ``python -c pass``."""
    result = Result("cli-start", "Cold start of the command line, against `python -c pass`")
    rounds = 3 if quick else 20
    midback = _midback()
    commands = {
        "pass": [sys.executable, "-c", "pass"],
        "pydantic": [sys.executable, "-c", ONE_MODEL],
        "help": [*midback, "--help"],
        "plan": [*midback, *PLAN_ARGS],
        "checkin": [*midback, *CHECKIN_ARGS],
        "plan after a check-in": [*midback, *PLAN_ARGS],
        "another writer": [sys.executable, "-c", ANOTHER_WRITER],
        "plan after another writer": [*midback, *PLAN_ARGS],
    }
    with tempfile.TemporaryDirectory(prefix="midback-bench-") as home:
        # Byte code goes to a folder of our own (the warm-up round fills it), as an installed
        # package has it; nothing is written under src/.
        env = {**os.environ, "MIDBACK_HOME": home, "PYTHONPYCACHEPREFIX": f"{home}/pycache"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("MIDBACK_DATABASE_URL", None)
        # midback plans nothing without a safety screen: store one, as a person would once.
        _time([*midback, "screen", "--answers", str(screen.write(Path(home))), "--json"], env)
        times = _rounds(commands, env, rounds)
        as_is = None
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            shell = {**os.environ, "MIDBACK_HOME": home}
            shell.pop("MIDBACK_DATABASE_URL", None)
            as_is = _rounds(commands, shell, max(3, rounds // 2))
    base = stats(times["pass"])
    result.rows.append(
        Row("python -c pass (baseline)", base.median, spread=base.iqr, samples=base.n)
    )
    plan = "midback " + " ".join(PLAN_ARGS)
    for name, label, limit in (
        ("help", "midback --help", HELP_LIMIT),
        ("plan", plan, PLAN_LIMIT),
    ):
        s = stats(times[name])
        r = ratio(s.median, base.median)
        result.rows.append(
            Row(
                label,
                s.median,
                spread=s.iqr,
                baseline=base.median,
                ratio=r,
                target=f"<= {limit:g}x",
                met=at_most(r, limit),
                samples=s.n,
                note=f"{limit:g}x is {limit * base.median:.0f} ms here",
            )
        )
    floor = ratio(stats(times["pydantic"]).median, base.median)
    side = "over" if floor is not None and floor > PLAN_LIMIT else "within"
    result.rows.append(
        _untargeted(
            "python -c: import pydantic, build and use one model (the floor under plan)",
            times["pydantic"],
            base.median,
            f"{side} plan's {PLAN_LIMIT:g}x by itself: the stack's share of any command whose"
            " models are pydantic's",
        )
    )
    for name, label, note in (
        (
            "checkin",
            "midback " + " ".join(CHECKIN_ARGS),
            "a write through the store; keeps the facts for the next plan before it exits",
        ),
        (
            "plan after a check-in",
            f"{plan}, the first after midback checkin",
            "the check-in kept the facts: no store",
        ),
        (
            "plan after another writer",
            f"{plan}, the first after a write by another process",
            "a check-in as the web app writes it: read through the store, the facts kept again",
        ),
    ):
        result.rows.append(_untargeted(label, times[name], base.median, note))
    if as_is is not None:
        shell_base = stats(as_is["pass"]).median
        compiled = any((Path(__file__).resolve().parents[1] / "src").rglob("*.cpython-*.pyc"))
        cache = (
            "src/midback's byte code as ./dev last compiled it (Python reads it, writes none)"
            if compiled
            else "src/midback has no byte code cache: its modules compile on every start"
        )
        for name, label in (("help", "midback --help"), ("plan", "midback plan ...")):
            as_shell = f"{label}, with PYTHONDONTWRITEBYTECODE=1 as this shell has it"
            result.rows.append(_untargeted(as_shell, as_is[name], shell_base, cache))
    result.notes.append(
        f"{rounds} interleaved rounds after one untimed warm-up round that fills a byte code"
        f" cache (PYTHONPYCACHEPREFIX); interpreter {sys.executable}; wall time from fork to"
        " exit, measured by the parent."
    )
    return result


def _untargeted(label: str, times: list[float], base: float, note: str) -> Row:
    """A row with no target: the median of ``times``, its ratio to ``base``."""
    s = stats(times)
    return Row(
        label,
        s.median,
        spread=s.iqr,
        baseline=base,
        ratio=ratio(s.median, base),
        samples=s.n,
        note=note,
    )
