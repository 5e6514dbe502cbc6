"""cli-path: the README's command, ``./dev cli plan ...``, as a person types it.

Against the same command run from the environment directly (``.venv/bin/midback plan ...``),
``uv run --frozen midback plan ...`` (the README's other form) and ``uv run --frozen python -c
pass`` (what uv itself costs), with ``.venv/bin/python -c pass`` for scale. Every run is a new
process started as a shell would start it, with this shell's environment (byte code settings
included): nothing is warmed beyond one untimed round, which also lets ``./dev`` sync and
compile if the lock changed. The commands take turns so that the machine's noise falls on all
of them alike. Each ``./dev`` run's stderr is checked for uv's "Bytecode compiled" line.

The plan is asked with ``--answers`` (an all-clear screen) in a temporary ``MIDBACK_HOME``, so
it does not depend on a stored screen.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench import answers as screen
from bench.result import Result, Row, at_most, percentile, ratio, stats

ROOT = Path(__file__).resolve().parents[1]
PLAN_ARGS = ["plan", "--minutes", "10", "--place", "home", "--json"]
README_LIMIT = 1.25
"""./dev cli may cost at most this much of the same command run from the environment."""
COMPILE_LINE = "Bytecode compiled"


def _venv() -> Path:
    """The environment ./dev uses (``UV_PROJECT_ENVIRONMENT``, else ``.venv``)."""
    venv = Path(os.environ.get("UV_PROJECT_ENVIRONMENT") or ".venv")
    return venv if venv.is_absolute() else ROOT / venv


def _run(command: list[str], env: dict[str, str]) -> tuple[float, str, str]:
    """Wall time (ms), stdout and stderr of ``command``; RuntimeError when it fails."""
    start = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False
    )
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed, done.stdout, done.stderr


def run(quick: bool) -> Result:
    """Median and p95 of each command over interleaved rounds; ./dev cli against the direct run."""
    result = Result("cli-path", "The README's command line as a person runs it: `./dev cli plan`")
    rounds = 3 if quick else 20
    venv = _venv()
    uv = shutil.which("uv")
    with tempfile.TemporaryDirectory(prefix="midback-bench-") as tmp:
        answers = screen.write(Path(tmp))
        home = Path(tmp) / "home"
        home.mkdir()
        plan = [*PLAN_ARGS, "--answers", str(answers)]
        commands: dict[str, list[str]] = {
            "python": [str(venv / "bin" / "python"), "-c", "pass"],
            "direct": [str(venv / "bin" / "midback"), *plan],
            "readme": [str(ROOT / "dev"), "cli", *plan],
        }
        if uv is not None:
            commands["uv-pass"] = [uv, "run", "--frozen", "python", "-c", "pass"]
            commands["uv-plan"] = [uv, "run", "--frozen", "midback", *plan]
        env = {**os.environ, "MIDBACK_HOME": str(home)}
        env.pop("MIDBACK_DATABASE_URL", None)
        # Run as from a shell, not from inside `uv run python -m bench`.
        env.pop("VIRTUAL_ENV", None)
        warm: dict[str, tuple[float, str]] = {}
        for name, command in commands.items():  # untimed: file cache, and ./dev's sync if due
            elapsed, out, err = _run(command, env)
            warm[name] = (elapsed, err)
            if name in ("direct", "readme"):
                json.loads(out)  # the plan really was made
        times: dict[str, list[float]] = {name: [] for name in commands}
        compile_lines = 0
        for _ in range(rounds):
            for name, command in commands.items():
                elapsed, _, err = _run(command, env)
                times[name].append(elapsed)
                if name == "readme" and COMPILE_LINE in err:
                    compile_lines += 1
    _rows(result, times, compile_lines)
    first_ms, first_err = warm["readme"]
    result.notes.append(
        f"{rounds} interleaved rounds after one untimed round; wall time from fork to exit,"
        f" measured by the parent, cwd {ROOT}, environment {venv}; PYTHONDONTWRITEBYTECODE"
        f" {'set' if os.environ.get('PYTHONDONTWRITEBYTECODE') else 'not set'} as in this shell."
        f" The untimed ./dev run took {first_ms:.0f} ms"
        + (" and printed a compile line." if COMPILE_LINE in first_err else ".")
    )
    if uv is None:
        result.notes.append("uv is not on PATH here: the uv rows were not measured.")
    return result


def _p95(values: list[float]) -> float:
    return percentile(values, 95)


def _rows(result: Result, times: dict[str, list[float]], compile_lines: int) -> None:
    py, direct, readme = stats(times["python"]), stats(times["direct"]), stats(times["readme"])
    plan = " ".join(PLAN_ARGS)
    result.rows.append(
        Row(
            ".venv/bin/python -c pass",
            py.median,
            spread=py.iqr,
            samples=py.n,
            note=f"p95 {_p95(times['python']):.0f} ms",
        )
    )
    if "uv-pass" in times:
        uv_pass = stats(times["uv-pass"])
        result.rows.append(
            Row(
                "uv run --frozen python -c pass",
                uv_pass.median,
                spread=uv_pass.iqr,
                baseline=py.median,
                ratio=ratio(uv_pass.median, py.median),
                samples=uv_pass.n,
                note=f"p95 {_p95(times['uv-pass']):.0f} ms; what uv costs before Python starts",
            )
        )
    result.rows.append(
        Row(
            f".venv/bin/midback {plan} (from the environment)",
            direct.median,
            spread=direct.iqr,
            baseline=py.median,
            ratio=ratio(direct.median, py.median),
            samples=direct.n,
            note=f"p95 {_p95(times['direct']):.0f} ms; baseline: python -c pass",
        )
    )
    readme_ratio = ratio(readme.median, direct.median)
    result.rows.append(
        Row(
            f"./dev cli {plan} (the README's command)",
            readme.median,
            spread=readme.iqr,
            baseline=direct.median,
            ratio=readme_ratio,
            target=f"<= {README_LIMIT:g}x",
            met=at_most(readme_ratio, README_LIMIT),
            samples=readme.n,
            note=f"{readme.median - direct.median:+.0f} ms over the direct run; baseline: the"
            " direct run",
        )
    )
    readme_p95, direct_p95 = _p95(times["readme"]), _p95(times["direct"])
    result.rows.append(
        Row(
            f"./dev cli {plan} (the README's command)",
            readme_p95,
            stat="p95",
            baseline=direct_p95,
            ratio=ratio(readme_p95, direct_p95),
            samples=readme.n,
            note="baseline: the direct run's p95",
        )
    )
    if "uv-plan" in times:
        uv_plan = stats(times["uv-plan"])
        result.rows.append(
            Row(
                f"uv run --frozen midback {plan}",
                uv_plan.median,
                spread=uv_plan.iqr,
                baseline=direct.median,
                ratio=ratio(uv_plan.median, direct.median),
                samples=uv_plan.n,
                note=f"p95 {_p95(times['uv-plan']):.0f} ms; baseline: the direct run",
            )
        )
    runs = len(times["readme"])
    result.rows.append(
        Row(
            "./dev cli runs whose stderr has a 'Bytecode compiled' line",
            100 * compile_lines / runs,
            unit="%",
            stat="share",
            target="0 %",
            met=compile_lines == 0,
            samples=runs,
            note=f"{compile_lines} of {runs}",
        )
    )
