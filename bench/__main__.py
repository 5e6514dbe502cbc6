"""``python -m bench [--quick] [--only NAME] [--output FILE | --no-write]``.

A full-size run (no ``--quick``) rewrites BENCHMARKS.md; ``--output FILE`` writes FILE instead,
with or without ``--quick``; ``--quick`` alone, or ``--no-write``, writes nothing.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench import report, together
from bench.result import Result
from bench.runner import BENCHMARKS, run_one

__all__ = ["BENCHMARKS", "main", "run_all", "run_one"]

SIDE_BY_SIDE: tuple[frozenset[str], ...] = (frozenset({"timer-cli", "timer-web"}),)
"""Benchmarks that run at the same time, each in a process of its own, when more than one of a
set is asked for: the two timers play 30-minute sessions at real speed and mostly sleep, so
together they take 30 minutes instead of an hour. Everything else runs alone."""
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"


def _report(result: Result) -> None:
    verdict = {True: "all targets met", False: "target missed", None: "no target"}[result.met]
    status = f"FAILED: {result.error}" if result.error else verdict
    print(f"[bench] {result.name}: {result.seconds:.0f} s, {status}", file=sys.stderr, flush=True)


def run_side_by_side(names: Sequence[str], *, quick: bool) -> list[Result]:
    """Run ``names`` at the same time, each in a new process (spawned: no state shared, no
    lock held by a thread of this one), the light one playing while the heavy one is set up
    (``bench.together``); results in the order of ``names``."""
    print(f"[bench] {', '.join(names)} side by side ...", file=sys.stderr, flush=True)
    context = multiprocessing.get_context("spawn")
    events = (context.Event(), context.Event())
    with concurrent.futures.ProcessPoolExecutor(
        len(names), mp_context=context, initializer=together.join, initargs=events
    ) as pool:
        futures = [pool.submit(run_one, name, quick=quick) for name in names]
        results = []
        for name, future in zip(names, futures, strict=True):
            try:
                result = future.result()
            except Exception as error:  # the process itself died
                result = Result(name, name, error=f"{type(error).__name__}: {error}")
            others = ", ".join(n for n in names if n != name)
            result.notes.append(f"Ran side by side with {others}, each in a process of its own.")
            results.append(result)
    return results


def run_all(names: Sequence[str], *, quick: bool) -> list[Result]:
    """Run ``names`` in the registry's order (those of a ``SIDE_BY_SIDE`` set together, at the
    first one's place), reporting progress on stderr."""
    results = []
    done: set[str] = set()
    for name in BENCHMARKS:
        if name not in names or name in done:
            continue
        partners = next((s for s in SIDE_BY_SIDE if name in s), frozenset({name}))
        group = [n for n in BENCHMARKS if n in partners and n in names]
        done.update(group)
        if len(group) > 1:
            ran = run_side_by_side(group, quick=quick)
        else:
            print(f"[bench] {name} ...", file=sys.stderr, flush=True)
            ran = [run_one(name, quick=quick)]
        for result in ran:
            _report(result)
        results.extend(ran)
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
