"""The benchmarks still run: every one of them, in quick mode, produces rows.

Timings are never asserted (benchmarks are not tests). The Markdown goes to a temporary file,
never to the committed BENCHMARKS.md.
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest
from bench import report
from bench.__main__ import BENCHMARKS, main, run_all
from bench.result import Result, Row


@pytest.mark.slow
def test_every_benchmark_produces_rows_in_quick_mode(tmp_path: Path) -> None:
    # A thread of its own: browser tests earlier in the session may leave an event loop running
    # in this one, where Playwright's sync API (timer-web, page) refuses to start.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        results = pool.submit(run_all, list(BENCHMARKS), quick=True).result()

    assert [r.name for r in results] == list(BENCHMARKS)
    for result in results:
        assert result.error is None, f"{result.name} failed: {result.error}"
        assert result.rows, f"{result.name} produced no rows"
    output = tmp_path / "BENCHMARKS.md"
    output.write_text(report.render(results, list(BENCHMARKS), old="", when="now",
                                    command="python -m bench --quick", total_s=1.0))  # fmt: skip
    text = output.read_text()
    for name in BENCHMARKS:
        assert f"<!-- results:{name} -->" in text
        assert f"<!-- analysis:{name} -->" in text


def test_a_rerun_keeps_the_analysis_and_the_benchmarks_it_did_not_run() -> None:
    first = [
        Result("catalogue", "Catalogue", rows=[Row("load", 12.0, target="<= 20 ms", met=True)]),
        Result("planner", "Planner", rows=[Row("plan", 9.0, stat="p99", target="<= 5 ms",
                                               met=False)]),
    ]  # fmt: skip
    text = report.render(first, list(BENCHMARKS), old="", when="then", command="x", total_s=1)
    text = text.replace(
        f"<!-- analysis:planner -->\n{report.PLACEHOLDER}\n",
        "<!-- analysis:planner -->\nThe search order decides the time.\n",
    )
    again = [Result("catalogue", "Catalogue", rows=[Row("load", 30.0, target="<= 20 ms",
                                                        met=False)])]  # fmt: skip

    text = report.render(again, list(BENCHMARKS), old=text, when="now", command="y", total_s=1)

    assert "The search order decides the time." in text
    assert "| `planner` | plan (p99) | 9.0 ms | - | <= 5 ms | **not met** |" in text
    assert "| `catalogue` | load (median) | 30.0 ms | - | <= 20 ms | **not met** |" in text
    assert "12.0 ms" not in text


def test_an_unknown_benchmark_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="unknown benchmark nope"):
        main(["--only", "nope", "--output", str(tmp_path / "out.md")])


def _fake_run(names: list[str], *, quick: bool) -> list[Result]:
    """A stand-in for run_all: one row per benchmark named, saying which size ran."""
    size = "quick" if quick else "full"
    return [Result(name, name, rows=[Row(f"{size} figure", 1.0)]) for name in names]


@pytest.fixture
def default_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """BENCHMARKS.md redirected to a temporary file; benchmarks replaced by ``_fake_run``;
    main's SIGTERM handler kept out of the test process."""
    import signal

    import bench.__main__ as bench_main

    target = tmp_path / "BENCHMARKS.md"
    monkeypatch.setattr(bench_main, "DEFAULT_OUTPUT", target)
    monkeypatch.setattr(bench_main, "run_all", _fake_run)
    monkeypatch.setattr(signal, "signal", lambda *_: None)
    return target


def test_quick_writes_no_markdown(default_output: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--quick", "--only", "catalogue"]) == 0

    assert not default_output.exists()
    assert "wrote no Markdown" in capsys.readouterr().err


def test_quick_leaves_an_existing_benchmarks_md_as_it_was(default_output: Path) -> None:
    default_output.write_text("the full run's figures\n")

    main(["--quick"])

    assert default_output.read_text() == "the full run's figures\n"


def test_quick_with_output_writes_that_file_only(default_output: Path, tmp_path: Path) -> None:
    chosen = tmp_path / "quick.md"

    main(["--quick", "--only", "catalogue", "--output", str(chosen)])

    text = chosen.read_text()
    assert "<!-- results:catalogue -->" in text
    assert "quick figure" in text
    assert "`python -m bench --quick --only catalogue`" in text
    assert not default_output.exists()


def test_a_full_size_run_rewrites_benchmarks_md(default_output: Path) -> None:
    main(["--only", "catalogue"])

    text = default_output.read_text()
    assert "full figure" in text
    assert "`python -m bench --only catalogue`" in text


def test_no_write_writes_nothing_even_after_a_full_size_run(default_output: Path) -> None:
    main(["--only", "catalogue", "--no-write"])

    assert not default_output.exists()


def test_output_and_no_write_together_are_refused(default_output: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--quick", "--output", str(tmp_path / "x.md"), "--no-write"])
    assert not (tmp_path / "x.md").exists()


def test_the_browser_timer_matches_dom_changes_with_the_schedule() -> None:
    from bench.timer_web import Mark, lateness

    timeline = {
        "cues": [
            {"text": "Get ready", "start_s": 0, "duration_s": 3},
            {"text": "Hold", "start_s": 3, "duration_s": 2},
            {"text": "Rest", "start_s": 5, "duration_s": 2},
            {"text": "Hold", "start_s": 7, "duration_s": 2},
        ]
    }
    speed = 2.0  # wall seconds are session seconds / 2
    origin = 1000.0  # the page's clock when the first cue showed
    late = {"Hold@3": 4.0, "Rest@5": 7.0, "Hold@7": 30.0}
    marks = [Mark(origin, "run-text", "Get ready", False)]
    marks += [Mark(origin + 1000 * s / speed + late[f"{t}@{s}"], "run-text", t, False)
              for t, s in (("Hold", 3), ("Rest", 5), ("Hold", 7))]  # fmt: skip
    # Countdown of the first cue: 3 at 0 s, 2 at 1 s, 1 at 2 s; the change to 1 is 12 ms late.
    marks += [Mark(origin + 500, "run-count", "2", False), Mark(origin + 1012, "run-count", "1",
                                                                 False)]  # fmt: skip
    marks.append(Mark(origin + 1013, "run-count", "1", True))  # set again: not a change

    found = lateness(marks, timeline, speed)

    assert [round(ms, 6) for _, ms in found.cues] == [4.0, 7.0, 30.0]
    assert [due for due, _ in found.cues] == [1.5, 2.5, 3.5]
    assert [round(ms, 6) for _, ms in found.counts] == [0.0, 12.0]
    assert found.unseen_cues == 0


def test_the_browser_timer_moves_time_zero_back_so_that_no_change_is_early() -> None:
    from bench.timer_web import Mark, lateness

    timeline = {"cues": [{"text": "A", "start_s": 0, "duration_s": 2},
                         {"text": "B", "start_s": 2, "duration_s": 2}]}  # fmt: skip
    # The first cue's callback came 5 ms late: B seems 3 ms early against it.
    marks = [Mark(105.0, "run-text", "A", False), Mark(2102.0, "run-text", "B", False)]

    found = lateness(marks, timeline, 1.0)

    assert [round(ms, 6) for _, ms in found.cues] == [0.0]
    assert round(found.shift_ms, 6) == 3.0


def test_the_timers_run_side_by_side_and_the_rest_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bench.__main__ as bench_main

    calls: list[tuple[str, ...]] = []

    def alone(name: str, *, quick: bool) -> Result:
        calls.append((name,))
        return Result(name, name)

    def together(names: list[str], *, quick: bool) -> list[Result]:
        calls.append(tuple(names))
        return [Result(name, name) for name in names]

    monkeypatch.setattr(bench_main, "run_one", alone)
    monkeypatch.setattr(bench_main, "run_side_by_side", together)

    results = run_all(["web", "timer-web", "planner", "timer-cli"], quick=True)

    assert calls == [("planner",), ("timer-cli", "timer-web"), ("web",)]
    assert [r.name for r in results] == ["planner", "timer-cli", "timer-web", "web"]
    calls.clear()
    run_all(["timer-web"], quick=True)
    assert calls == [("timer-web",)]
