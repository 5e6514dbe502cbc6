"""The terminal loop driven by a fake clock and scripted keys (no terminal, no sleeping)."""

from __future__ import annotations

from midback.cli.terminal import NoKeys, default_keys, run_session
from midback.domain.assemble import plan_program
from midback.domain.catalogue import Catalogue
from midback.domain.plans import PlanRequest
from midback.domain.player import BlockEnded, Event, Player
from midback.domain.records import LogStatus
from midback.domain.timeline import Timeline, compile_plan


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class ScriptedKeys:
    """Presses each key once the fake clock reaches its time; waiting moves the clock."""

    def __init__(self, clock: FakeClock, script: list[tuple[float, str]]) -> None:
        self.clock = clock
        self.script = sorted(script)
        self.start = clock.now

    def read(self, timeout: float) -> str | None:
        if self.script and self.clock.now - self.start >= self.script[0][0]:
            return self.script.pop(0)[1]
        self.clock.advance(timeout if timeout > 0 else 0.001)
        return None


def _timeline(cat: Catalogue, program: str = "three-for-relief") -> Timeline:
    planned = plan_program(cat, cat.program(program), PlanRequest(minutes=60, place="home"))
    return compile_plan(planned, cat)


def _run(cat: Catalogue, script: list[tuple[float, str]]) -> tuple[list[BlockEnded], bool, int]:
    clock = FakeClock()
    timeline = _timeline(cat)
    player = Player(timeline, clock=clock)
    ended: list[BlockEnded] = []
    frames = 0

    def on_event(event: Event) -> None:
        if isinstance(event, BlockEnded):
            ended.append(event)

    def render(_: str | None) -> None:
        nonlocal frames
        frames += 1

    def on_key(key: str, p: Player) -> list[Event] | None:
        if key == "p":
            return p.it_hurts()
        if key == "q":
            return p.quit()
        return default_keys(key, p)

    quit_ = run_session(
        player, keys=ScriptedKeys(clock, script), on_event=on_event, render=render, on_key=on_key
    )
    return ended, quit_, frames


def test_with_no_keys_every_exercise_completes(cat: Catalogue) -> None:
    clock = FakeClock()
    timeline = _timeline(cat)
    player = Player(timeline, clock=clock)
    ended: list[BlockEnded] = []
    quit_ = run_session(
        player,
        keys=NoKeys(clock.advance),
        on_event=lambda e: ended.append(e) if isinstance(e, BlockEnded) else None,
        render=lambda _: None,
        on_key=lambda _k, _p: None,
    )
    assert not quit_
    assert [e.status for e in ended] == [LogStatus.COMPLETED] * len(timeline.blocks)
    assert clock.now - 1000.0 >= timeline.total_s


def test_skip_then_it_hurts_then_finish(cat: Catalogue) -> None:
    ended, quit_, _ = _run(cat, [(20.0, "n"), (80.0, "p")])
    assert [e.status for e in ended] == [
        LogStatus.SKIPPED,
        LogStatus.STOPPED_FOR_PAIN,
        LogStatus.COMPLETED,
    ]
    assert not quit_


def test_pause_holds_the_session_and_quit_ends_it(cat: Catalogue) -> None:
    ended, quit_, frames = _run(cat, [(10.0, " "), (500.0, " "), (520.0, "q")])
    assert quit_
    assert ended[-1].status is LogStatus.SKIPPED
    # the pause held the clock for 490 s, so at 520 s we are still in the first exercise
    assert len(ended) == 1
    assert frames > 100


def test_back_restarts_the_exercise(cat: Catalogue) -> None:
    ended, _, _ = _run(cat, [(30.0, "b")])
    assert [e.status for e in ended] == [LogStatus.COMPLETED] * 3
