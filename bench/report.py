"""BENCHMARKS.md: the results as Markdown, rewritten in place without losing the analysis.

The file is made of marked blocks. Blocks between ``<!-- results:NAME -->`` and
``<!-- /results:NAME -->`` are generated and replaced when NAME runs again (a benchmark not run
keeps its last block, and its date). Blocks between ``<!-- analysis:NAME -->`` and
``<!-- /analysis:NAME -->`` are written by hand and always kept.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime

from bench.result import Result, Row

INTRO = """\
# Benchmarks

midback claims to be fast and exact; these figures measure it, each beside a baseline measured
in the same run (this machine is shared and noisy, so ratios and medians count, single times do
not). Run them with `uv run python -m bench` (all: about 45 minutes here, of which 30 are the
two timer benchmarks, which play a 30-minute session each at real speed side by side, each in a
process of its own), `--only NAME` (repeatable or comma-separated; `--only timer-cli,timer-web`
runs the two side by side) or `--quick` (every size and duration shrunk: CI runs it only to see
that they still run). A full-size run rewrites the tables of what it ran, here or in
`--output FILE`; `--quick` writes nothing unless given `--output FILE`. The analysis under each
table is written by hand and kept.

Columns: *stat* says which statistic *value* is; *spread* is the interquartile range (p25-p75)
of the same samples; *baseline* is the same statistic of the baseline, measured in the same run,
and *ratio* is value / baseline.
"""
PLACEHOLDER = "_Not analysed yet._"
_BLOCK = re.compile(r"<!-- (results|analysis):([\w-]+) -->\n(.*?)<!-- /\1:\2 -->", re.S)


def machine() -> str:
    """Cores, memory, CPU, operating system and Python, in one line."""
    memory = "?"
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
        memory = f"{kib / 1024**2:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                cpu,
            )
    except OSError:
        pass
    wrk = shutil.which("wrk")
    wrk_version = ""
    if wrk:
        done = subprocess.run(
            [wrk, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
        wrk_version = f", {(done.stdout or done.stderr).split(' [')[0].strip()}"
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} memory, {platform.platform()};"
        f" Python {platform.python_version()} ({sys.executable}); SQLite {sqlite3.sqlite_version}"
        f"{wrk_version}"
    )


def fmt(value: float | None, unit: str) -> str:
    """A figure with a sensible number of digits and its unit."""
    if value is None:
        return "-"
    if unit == "%":
        return f"{value:.1f} %"
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    if unit == "KB":
        return f"{value:,.1f} KB"
    digits = 2 if abs(value) < 1 else 1 if abs(value) < 100 else 0
    return f"{value:,.{digits}f} {unit}".strip()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _met(row: Row) -> str:
    return "" if row.met is None else ("met" if row.met else "**not met**")


def table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| metric | stat | value | spread | baseline | ratio | target | met | n | note |",
        "|---|---|--:|--:|--:|--:|---|---|--:|---|",
    ]
    for row in rows:
        spread = (
            f"{fmt(row.spread[0], row.unit)} - {fmt(row.spread[1], row.unit)}" if row.spread else ""
        )
        cells = [
            row.metric,
            row.stat,
            fmt(row.value, row.unit),
            spread,
            fmt(row.baseline, row.unit) if row.baseline is not None else "",
            f"{row.ratio:.2f}x" if row.ratio is not None else "",
            row.target,
            _met(row),
            str(row.samples) if row.samples is not None else "",
            row.note,
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def section(result: Result, *, when: str, command: str) -> str:
    """The generated block of one benchmark."""
    parts = [
        f"{result.title}.",
        "",
        f"Measured {result.started or when} by `{command}` in {result.seconds:.0f} s.",
        "",
    ]
    if result.error:
        parts += [f"**The benchmark failed:** `{_cell(result.error)}`", ""]
    if result.rows:
        parts += [table(result.rows), ""]
    parts += [f"- {note}" for note in result.notes]
    return "\n".join(parts).rstrip() + "\n"


def summary_rows(result: Result) -> list[str]:
    """The summary table's lines for ``result``: one per row with a target."""
    lines = []
    for row in result.rows:
        if row.target:
            ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "-"
            lines.append(
                f"| `{result.name}` | {_cell(row.metric)} ({row.stat}) |"
                f" {fmt(row.value, row.unit)} | {ratio} | {row.target} | {_met(row) or '-'} |"
            )
    if result.error:
        lines.append(f"| `{result.name}` | failed: {_cell(result.error)[:80]} | - | - | - | - |")
    return lines


def render(
    results: Sequence[Result],
    order: Sequence[str],
    *,
    old: str,
    when: str,
    command: str,
    total_s: float,
) -> str:
    """The whole file: ``results`` replace their blocks of ``old``; the rest is kept."""
    blocks = {(kind, name): body for kind, name, body in _BLOCK.findall(old)}
    ran = {r.name: r for r in results}
    old_summary = blocks.get(("results", "summary"), "")
    summary = [
        "| benchmark | metric | value | ratio | target | met |",
        "|---|---|--:|--:|---|---|",
    ]
    for name in order:
        if name in ran:
            summary += summary_rows(ran[name])
        else:
            summary += [
                line for line in old_summary.splitlines() if line.startswith(f"| `{name}` |")
            ]
    header = (
        f"Last run {when}: `{command}`, {total_s:.0f} s, ran"
        f" {', '.join(r.name for r in results)}.\n\nMachine: {machine()}.\n"
    )
    out = [
        INTRO,
        _wrap("results", "header", header),
        "## Summary\n",
        _wrap("results", "summary", "\n".join(summary) + "\n"),
    ]
    for name in order:
        body = (
            section(ran[name], when=when, command=command)
            if name in ran
            else blocks.get(("results", name), "Not run yet.\n")
        )
        analysis = blocks.get(("analysis", name), PLACEHOLDER + "\n")
        out += [
            f"## {name}\n",
            _wrap("results", name, body),
            "### What is left / analysis\n",
            _wrap("analysis", name, analysis),
        ]
    return "\n".join(out)


def _wrap(kind: str, name: str, body: str) -> str:
    return f"<!-- {kind}:{name} -->\n{body}<!-- /{kind}:{name} -->\n"


def now() -> str:
    """The local date and time, to the minute, with its zone."""
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
