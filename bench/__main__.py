"""``python -m bench [--quick] [--only NAME] [--output FILE | --no-write]``.

A full-size run (no ``--quick``) rewrites BENCHMARKS.md; ``--output FILE`` writes FILE instead,
with or without ``--quick``; ``--quick`` alone, or ``--no-write``, writes nothing.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import traceback
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path

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
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"


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


def run_all(names: Sequence[str], *, quick: bool) -> list[Result]:
    """Run ``names`` in the registry's order, reporting progress on stderr."""
    results = []
    for name in BENCHMARKS:
        if name not in names:
            continue
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        result = run_one(name, quick=quick)
        verdict = {True: "all targets met", False: "target missed", None: "no target"}[result.met]
        status = f"FAILED: {result.error}" if result.error else verdict
        print(f"[bench] {name}: {result.seconds:.0f} s, {status}", file=sys.stderr, flush=True)
        results.append(result)
    return results


def selected(only: Sequence[str] | None) -> list[str]:
    """The benchmark names asked for (all when none); SystemExit naming an unknown one."""
    if not only:
        return list(BENCHMARKS)
    names = [n.strip() for chunk in only for n in chunk.split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise SystemExit(
            f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}"
        )
    return names


def summary(results: Sequence[Result]) -> str:
    """A plain-text table of every row, for the terminal."""
    lines = []
    for result in results:
        lines.append(f"{result.name}" + (f"  FAILED: {result.error}" if result.error else ""))
        for row in result.rows:
            verdict = "" if row.met is None else ("met" if row.met else "NOT MET")
            base = (
                f" (baseline {report.fmt(row.baseline, row.unit)})"
                if row.baseline is not None
                else ""
            )
            target = f"  target {row.target}" if row.target else ""
            lines.append(
                f"  {row.metric} [{row.stat}]: {report.fmt(row.value, row.unit)}{base}"
                f"{target} {verdict}".rstrip()
            )
    return "\n".join(lines)


def output_file(output: Path | None, *, quick: bool, no_write: bool) -> Path | None:
    """Where the Markdown goes: ``output`` when given; else BENCHMARKS.md after a full-size run,
    nowhere after a quick one (its shrunk figures must not replace the real ones)."""
    if no_write:
        return None
    if output is not None:
        return output
    return None if quick else DEFAULT_OUTPUT


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print the summary, write the Markdown (see ``output_file``); 1 when a benchmark
    failed, else 0."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shrink every size and duration")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"run only NAME (repeatable or comma-separated): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="the Markdown file to rewrite (default: BENCHMARKS.md after a full-size run;"
        " --quick writes nothing unless given this)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only; write no file")
    args = parser.parse_args(argv)
    if args.no_write and args.output is not None:
        parser.error("--output and --no-write contradict each other")
    names = selected(args.only)
    # SIGTERM (timeout, CI cancelling) unwinds like Ctrl-C, so servers and clusters are stopped.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    started = time.perf_counter()
    when = report.now()
    results = run_all(names, quick=args.quick)
    total = time.perf_counter() - started
    print(summary(results))
    output = output_file(args.output, quick=args.quick, no_write=args.no_write)
    if output is None:
        reason = "--no-write" if args.no_write else "--quick (pass --output FILE to write one)"
        print(f"[bench] wrote no Markdown: {reason}", file=sys.stderr)
    else:
        command = (
            "python -m bench"
            + (" --quick" if args.quick else "")
            + (f" --only {','.join(names)}" if args.only else "")
        )
        old = output.read_text(encoding="utf-8") if output.exists() else ""
        text = report.render(
            results, list(BENCHMARKS), old=old, when=when, command=command, total_s=total
        )
        output.write_text(text, encoding="utf-8")
        print(f"[bench] wrote {output}", file=sys.stderr)
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
