"""The player: deadlines on an injected clock, late ticks, speed, and every control key.

Time never passes on its own here: a ``FakeClock`` is moved by hand (as rich's MockClock is),
and the session is the shipped "Three for relief" program compiled to a timeline. Its three
exercises are a single set of cat-cow, three sets of seated rotation each side, and two or
three sets of the doorway stretch each side; tests read block starts and set ends from the
timeline rather than hard-coding seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from midback.domain.assemble import plan_program
from midback.domain.catalogue import Catalogue
from midback.domain.plans import PlanRequest
from midback.domain.player import (
    BACK_GRACE_S,
    BlockEnded,
    CueStarted,
    Event,
    Player,
    SessionEnded,
)
from midback.domain.records import LogStatus
from midback.domain.timeline import WORK_KINDS, CueKind, Timeline, compile_plan

ORIGIN = 1_000.0
"""Where the fake clock starts, so that nothing passes by treating clock time as offset."""
TICK_S = 0.5

COMPLETED = LogStatus.COMPLETED
SKIPPED = LogStatus.SKIPPED
STOPPED_FOR_PAIN = LogStatus.STOPPED_FOR_PAIN


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: float = ORIGIN) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# -- builders --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def timeline(cat: Catalogue) -> Timeline:
    """The "Three for relief" program as a timeline: three blocks, one to three sets each."""
    request = PlanRequest(minutes=60, place="home")
    return compile_plan(plan_program(cat, cat.program("three-for-relief"), request), cat)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def player(timeline: Timeline, clock: FakeClock) -> Player:
    """A player on ``timeline`` that has not started yet."""
    return Player(timeline, clock=clock)


def run(player: Player, clock: FakeClock, seconds: float, *, every: float = TICK_S) -> list[Event]:
    """Tick every ``every`` seconds of clock time for ``seconds``; all the events, in order."""
    events: list[Event] = []
    for _ in range(round(seconds / every)):
        clock.advance(every)
        events += player.tick()
    return events


def run_to(player: Player, clock: FakeClock, session_s: float) -> list[Event]:
    """Tick every half second until the session (not paused, at speed 1) is at ``session_s``."""
    return run(player, clock, session_s - player.offset())


def run_to_end(player: Player, clock: FakeClock, *, limit_s: float = 3_600) -> list[Event]:
    """Tick every half second until the session ends."""
    events: list[Event] = []
    while not player.finished:
        assert clock.now - ORIGIN < limit_s, "the session never ended"
        clock.advance(TICK_S)
        events += player.tick()
    return events


def cues(events: Sequence[Event]) -> list[CueStarted]:
    return [e for e in events if isinstance(e, CueStarted)]


def ends(events: Sequence[Event]) -> list[BlockEnded]:
    return [e for e in events if isinstance(e, BlockEnded)]


def statuses(events: Sequence[Event]) -> list[tuple[int, LogStatus]]:
    return [(e.block, e.status) for e in ends(events)]


def intro_of(timeline: Timeline, block: int) -> int:
    """Index of the cue that introduces ``block``."""
    return next(
        i for i, c in enumerate(timeline.cues) if c.block == block and c.kind is CueKind.INTRO
    )


def set_end(timeline: Timeline, block: int, set_no: int) -> int:
    """Session second at which set ``set_no`` of ``block`` is finished (both sides)."""
    return max(
        c.start_s + c.duration_s
        for c in timeline.cues
        if c.block == block and c.set == set_no and c.kind in WORK_KINDS
    )


def test_the_session_is_the_program_as_expected(timeline: Timeline) -> None:
    """The facts the other tests lean on."""
    assert [b.exercise_id for b in timeline.blocks] == [
        "cat-cow",
        "seated-rotation",
        "doorway-stretch",
    ]
    assert [b.dose.sets for b in timeline.blocks] == [1, 3, 2]
    assert timeline.cues[0].kind is CueKind.GET_READY


# -- running straight through ----------------------------------------------------------------


def test_running_straight_through_fires_every_cue_once_in_order_on_time(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    events = player.start() + run_to_end(player, clock)

    started = cues(events)
    assert [c.index for c in started] == list(range(len(timeline.cues)))
    assert all(0 <= c.late_s < TICK_S for c in started)


def test_running_straight_through_logs_each_block_completed_then_ends_the_session(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    events = player.start() + run_to_end(player, clock)

    logged = ends(events)
    assert [e.block for e in logged] == [0, 1, 2]
    assert all(e.status is COMPLETED for e in logged)
    assert [e.target for e in logged] == [b.dose for b in timeline.blocks]
    assert all(e.actual == e.target for e in logged)
    assert events[-1] == SessionEnded(quit=False)
    assert isinstance(events[-2], BlockEnded)
    assert player.finished
    assert player.next_deadline() is None


def test_a_block_is_logged_just_before_the_next_block_is_introduced(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    events = player.start() + run_to(player, clock, timeline.blocks[1].start_s)

    assert events[-2:] == [
        BlockEnded(0, COMPLETED, timeline.blocks[0].dose, timeline.blocks[0].dose),
        CueStarted(intro_of(timeline, 1), 0.0),
    ]


def test_start_fires_the_get_ready_cue_at_once(player: Player) -> None:
    assert player.start() == [CueStarted(0, 0.0)]
    assert player.offset() == 0.0


def test_nothing_happens_before_start(player: Player, clock: FakeClock) -> None:
    clock.advance(100)

    assert player.tick() == []
    assert player.offset() == 0.0
    assert player.next_deadline() is None
    assert player.skip() == []
    assert player.back() == []
    assert player.resume() == []


def test_speed_must_be_positive(timeline: Timeline, clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="speed must be positive"):
        Player(timeline, clock=clock, speed=0)


# -- late ticks and drift --------------------------------------------------------------------


def test_a_single_late_tick_fires_every_passed_cue_in_order_and_says_how_late(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    clock.advance(100)

    events = player.tick()

    passed = [i for i, c in enumerate(timeline.cues) if 0 < c.start_s <= 100]
    assert [c.index for c in cues(events)] == passed
    for started in cues(events):
        assert started.late_s == pytest.approx(100 - timeline.cues[started.index].start_s)
    assert statuses(events) == [(0, COMPLETED)]


def test_a_late_tick_past_the_end_fires_the_rest_and_ends_the_session(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    clock.advance(timeline.total_s + 60)

    events = player.tick()

    assert [c.index for c in cues(events)] == list(range(1, len(timeline.cues)))
    assert statuses(events) == [(0, COMPLETED), (1, COMPLETED), (2, COMPLETED)]
    assert events[-1] == SessionEnded(quit=False)


def test_deadlines_do_not_drift_over_ten_thousand_short_ticks(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()

    run(player, clock, 10_000 * 0.013, every=0.013)

    elapsed = clock.now - ORIGIN
    assert player.offset() == pytest.approx(elapsed, abs=1e-6)
    upcoming = timeline.cues[player.current_cue() + 1]
    assert upcoming.start_s > elapsed
    assert player.next_deadline() == pytest.approx(ORIGIN + upcoming.start_s, abs=1e-6)


def test_the_next_deadline_is_when_the_next_cue_starts(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()

    assert player.next_deadline() == ORIGIN + timeline.cues[1].start_s
    clock.now = player.next_deadline() or 0.0
    assert cues(player.tick()) == [CueStarted(1, 0.0)]


def test_the_last_deadline_is_the_end_of_the_session(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, timeline.cues[-1].start_s)

    assert player.next_deadline() == ORIGIN + timeline.total_s


def test_remaining_in_cue_counts_down_session_seconds(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, 2)

    assert player.current_cue() == 0
    assert player.remaining_in_cue() == timeline.cues[0].duration_s - 2


# -- speed -----------------------------------------------------------------------------------


def test_at_ten_times_speed_ten_real_seconds_are_a_hundred_session_seconds(
    timeline: Timeline, clock: FakeClock
) -> None:
    player = Player(timeline, clock=clock, speed=10)
    player.start()

    events = run(player, clock, 10)

    assert player.offset() == pytest.approx(100)
    fired = [i for i, c in enumerate(timeline.cues) if c.start_s <= 100]
    assert [c.index for c in [CueStarted(0, 0.0), *cues(events)]] == fired
    upcoming = timeline.cues[fired[-1] + 1]
    assert player.next_deadline() == pytest.approx(ORIGIN + upcoming.start_s / 10)


# -- pause and resume ------------------------------------------------------------------------


def test_pause_stops_the_session_clock_and_no_cue_fires(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, 20)

    player.pause()
    paused_events = run(player, clock, 300)

    assert player.paused
    assert paused_events == []
    assert player.offset() == pytest.approx(20)
    assert player.next_deadline() is None


def test_resume_continues_from_the_offset_where_it_paused(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, 20)
    player.pause()
    clock.advance(300)

    assert player.resume() == []
    assert not player.paused
    assert player.offset() == pytest.approx(20)
    clock.advance(1)
    player.tick()
    assert player.offset() == pytest.approx(21)
    cue = timeline.cue_at(21)
    assert player.next_deadline() == pytest.approx(clock.now + timeline.cues[cue + 1].start_s - 21)


def test_after_a_pause_the_rest_of_the_session_still_fires_once_in_order(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    events = player.start() + run_to(player, clock, 50)
    player.pause()
    clock.advance(120)
    events += player.resume() + run_to_end(player, clock)

    assert [c.index for c in cues(events)] == list(range(len(timeline.cues)))
    assert statuses(events) == [(0, COMPLETED), (1, COMPLETED), (2, COMPLETED)]
    assert clock.now - ORIGIN == pytest.approx(timeline.total_s + 120, abs=TICK_S)


def test_toggle_pause_pauses_when_running_and_resumes_when_paused(
    player: Player, clock: FakeClock
) -> None:
    player.start()
    run_to(player, clock, 10)

    assert player.toggle_pause() == []
    assert player.paused
    clock.advance(30)
    player.toggle_pause()
    assert not player.paused
    assert player.offset() == pytest.approx(10)


def test_pausing_twice_keeps_the_first_pause(player: Player, clock: FakeClock) -> None:
    player.start()
    run_to(player, clock, 10)
    player.pause()
    clock.advance(30)
    player.pause()
    clock.advance(30)
    player.resume()

    assert player.offset() == pytest.approx(10)


def test_a_late_tick_after_resume_catches_up_on_session_time_only(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    player.pause()
    clock.advance(1_000)
    player.resume()
    clock.advance(20)

    events = player.tick()

    fired = [i for i, c in enumerate(timeline.cues) if 0 < c.start_s <= 20]
    assert [c.index for c in cues(events)] == fired


# -- skip ------------------------------------------------------------------------------------


def test_skip_before_any_set_is_finished_logs_the_block_skipped_with_nothing_done(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, set_end(timeline, 1, 1) - 2)  # inside seated rotation's first set

    events = player.skip()

    assert events[0] == BlockEnded(1, SKIPPED, timeline.blocks[1].dose, None)
    assert events[1:] == [CueStarted(intro_of(timeline, 2), 0.0)]
    assert player.offset() == timeline.blocks[2].start_s


def test_skip_after_some_sets_logs_the_finished_sets(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, set_end(timeline, 1, 2) + 1)  # resting after set 2 of 3

    (logged, *_) = player.skip()

    target = timeline.blocks[1].dose
    assert logged == BlockEnded(1, SKIPPED, target, target.model_copy(update={"sets": 2}))


def test_skip_mid_set_counts_only_whole_sets(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, set_end(timeline, 1, 2) - 1)  # right side of set 2 not done

    (logged, *_) = player.skip()

    assert isinstance(logged, BlockEnded)
    assert logged.actual is not None
    assert logged.actual.sets == 1


def test_after_a_skip_the_next_block_runs_and_is_logged_completed(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, 30)
    events = player.skip() + run_to_end(player, clock)

    assert statuses(events) == [(0, SKIPPED), (1, COMPLETED), (2, COMPLETED)]
    assert [c.index for c in cues(events)] == list(range(intro_of(timeline, 1), len(timeline.cues)))


def test_skip_on_the_last_block_ends_the_session(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, timeline.blocks[2].start_s + 20)

    events = player.skip()

    assert events == [
        BlockEnded(2, SKIPPED, timeline.blocks[2].dose, None),
        SessionEnded(quit=False),
    ]
    assert player.finished


def test_skip_during_the_get_ready_countdown_does_nothing(player: Player, clock: FakeClock) -> None:
    player.start()
    run_to(player, clock, 2)

    assert player.skip() == []
    assert player.offset() == pytest.approx(2)


def test_skip_while_paused_stays_paused_at_the_next_block(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, 30)
    player.pause()

    player.skip()
    clock.advance(60)

    assert player.paused
    assert player.offset() == timeline.blocks[1].start_s
    assert player.tick() == []


# -- it hurts --------------------------------------------------------------------------------


def test_it_hurts_logs_the_block_stopped_for_pain_and_moves_on(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, set_end(timeline, 1, 1) + 1)

    events = player.it_hurts()

    target = timeline.blocks[1].dose
    assert events == [
        BlockEnded(1, STOPPED_FOR_PAIN, target, target.model_copy(update={"sets": 1})),
        CueStarted(intro_of(timeline, 2), 0.0),
    ]


def test_it_hurts_on_the_last_block_ends_the_session(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, timeline.blocks[2].start_s + 15)

    events = player.it_hurts()

    assert statuses(events) == [(2, STOPPED_FOR_PAIN)]
    assert events[-1] == SessionEnded(quit=False)


# -- back ------------------------------------------------------------------------------------


def test_back_inside_a_block_restarts_it_at_its_intro(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, timeline.blocks[1].start_s + BACK_GRACE_S + 10)

    events = player.back()

    assert events == [CueStarted(intro_of(timeline, 1), 0.0)]
    assert player.offset() == timeline.blocks[1].start_s


def test_a_restarted_block_is_logged_once_when_it_finishes(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    events = player.start() + run_to(player, clock, timeline.blocks[1].start_s + 40)
    events += player.back() + run_to_end(player, clock)

    assert statuses(events) == [(0, COMPLETED), (1, COMPLETED), (2, COMPLETED)]
    block_1 = [i for i, c in enumerate(timeline.cues) if c.block == 1]
    first_run = [i for i in block_1 if timeline.cues[i].start_s <= timeline.blocks[1].start_s + 40]
    fired = [c.index for c in cues(events) if timeline.cues[c.index].block == 1]
    assert fired == first_run + block_1


def test_back_within_the_grace_of_a_block_start_goes_to_the_previous_block(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, timeline.blocks[1].start_s + BACK_GRACE_S - 1)

    events = player.back()

    assert events == [CueStarted(intro_of(timeline, 0), 0.0)]
    assert player.offset() == timeline.blocks[0].start_s


def test_the_previous_block_run_again_is_logged_again_when_it_finishes(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    events = player.start() + run_to(player, clock, timeline.blocks[1].start_s + 1)
    events += player.back() + run_to_end(player, clock)

    assert statuses(events) == [(0, COMPLETED), (0, COMPLETED), (1, COMPLETED), (2, COMPLETED)]


def test_back_exactly_at_the_grace_restarts_the_current_block(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, timeline.blocks[1].start_s + BACK_GRACE_S)

    assert player.back() == [CueStarted(intro_of(timeline, 1), 0.0)]


def test_back_near_the_start_of_the_first_block_restarts_it(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, timeline.blocks[0].start_s + 1)

    assert player.back() == [CueStarted(intro_of(timeline, 0), 0.0)]


def test_back_during_the_get_ready_countdown_does_nothing(player: Player) -> None:
    player.start()

    assert player.back() == []


# -- quit ------------------------------------------------------------------------------------


def test_quit_logs_the_block_under_way_skipped_and_ends_the_session(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, set_end(timeline, 1, 1) + 1)

    events = player.quit()

    target = timeline.blocks[1].dose
    assert events == [
        BlockEnded(1, SKIPPED, target, target.model_copy(update={"sets": 1})),
        SessionEnded(quit=True),
    ]
    assert player.finished


def test_quit_during_the_get_ready_countdown_logs_no_block(player: Player) -> None:
    player.start()

    assert player.quit() == [SessionEnded(quit=True)]


@pytest.mark.parametrize(
    "act",
    [
        Player.tick,
        Player.quit,
        Player.skip,
        Player.it_hurts,
        Player.back,
        Player.resume,
        Player.toggle_pause,
    ],
    ids=lambda f: f.__name__,
)
def test_nothing_happens_after_the_end(
    act: Callable[[Player], list[Event]], player: Player, clock: FakeClock
) -> None:
    player.start()
    run_to(player, clock, 30)
    player.quit()
    clock.advance(1_000)

    assert act(player) == []
    assert player.tick() == []


def test_nothing_happens_after_the_session_ends_on_its_own(
    player: Player, clock: FakeClock
) -> None:
    player.start()
    run_to_end(player, clock)

    assert player.quit() == []
    assert player.skip() == []
    assert run(player, clock, 10) == []


# -- a scripted session ----------------------------------------------------------------------

Action = Callable[[Player], object]


def play(
    player: Player, clock: FakeClock, script: dict[float, Action], *, until: float
) -> list[Event]:
    """Tick every half second of clock time from the start, pressing ``script``'s keys.

    ``script`` maps clock seconds since the start to a key; a key is pressed just after the
    tick at that second.
    """
    events = player.start()
    steps = round(until / TICK_S)
    for step in range(1, steps + 1):
        clock.advance(TICK_S)
        events += player.tick()
        key = script.get(step * TICK_S)
        if key is not None:
            out = key(player)
            events += out if isinstance(out, list) else []
    return events


def test_a_scripted_session_logs_exactly_what_the_keys_did(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    cat_cow, seated = timeline.blocks[0], timeline.blocks[1]
    assert (cat_cow.start_s, seated.start_s) == (5, 75)
    script: dict[float, Action] = {
        10: Player.pause,  # session at 10 s, in cat-cow
        40: Player.resume,  # 30 s later, still at 10 s
        60: Player.skip,  # session 40 s: cat-cow skipped, seated rotation at 75 s
        62: Player.back,  # 2 s into seated rotation: back to cat-cow, from 5 s
        100: Player.toggle_pause,  # session 43 s
        101: Player.toggle_pause,  # resumed at 43 s; cat-cow ends 32 s later, at 133
        150: Player.it_hurts,  # 17 s into seated rotation: stopped, doorway stretch at 210 s
        160: Player.quit,  # 10 s into the doorway stretch
    }

    events = play(player, clock, script, until=200)

    assert statuses(events) == [
        (0, SKIPPED),
        (0, COMPLETED),
        (1, STOPPED_FOR_PAIN),
        (2, SKIPPED),
    ]
    assert [e.actual for e in ends(events)] == [None, cat_cow.dose, None, None]
    assert events[-1] == SessionEnded(quit=True)
    assert [e for e in events if isinstance(e, SessionEnded)] == [SessionEnded(quit=True)]


# -- any keys, any time ----------------------------------------------------------------------

KEYS: dict[str, Action] = {
    "tick": Player.tick,
    "pause": Player.pause,
    "resume": Player.resume,
    "toggle": Player.toggle_pause,
    "skip": Player.skip,
    "back": Player.back,
    "hurts": Player.it_hurts,
    "quit": Player.quit,
}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=120, allow_nan=False),
            st.sampled_from(sorted(KEYS)),
        ),
        max_size=40,
    ),
    st.sampled_from([0.5, 1.0, 4.0]),
)
def test_any_key_sequence_keeps_the_log_consistent(
    timeline: Timeline, steps: list[tuple[float, str]], speed: float
) -> None:
    clock = FakeClock()
    player = Player(timeline, clock=clock, speed=speed)
    events = player.start()
    for wait, key in steps:
        clock.advance(wait)
        events += player.tick()
        out = KEYS[key](player)
        events += out if isinstance(out, list) else []
    if player.paused:
        events += player.resume()
    events += run_to_end(player, clock, limit_s=1e9)

    assert [e for e in events if isinstance(e, SessionEnded)] == [events[-1]]
    assert all(0 <= c.index < len(timeline.cues) and c.late_s >= 0 for c in cues(events))
    for logged in ends(events):
        assert logged.target == timeline.blocks[logged.block].dose
        if logged.status is COMPLETED:
            assert logged.actual == logged.target
        elif logged.actual is not None:
            assert 1 <= logged.actual.sets <= logged.target.sets
    assert player.tick() == []


# -- known bugs ------------------------------------------------------------------------------


def test_back_between_ticks_restarts_the_block_running_at_that_moment(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, timeline.blocks[2].start_s - 1)
    clock.advance(1 + BACK_GRACE_S + 2)  # 5 s into the doorway stretch; no tick yet

    player.back()

    assert player.offset() == timeline.blocks[2].start_s


def test_skip_between_ticks_does_not_log_a_finished_block_as_skipped(
    player: Player, clock: FakeClock, timeline: Timeline
) -> None:
    player.start()
    run_to(player, clock, timeline.blocks[1].start_s - 0.5)
    clock.advance(1)  # cat-cow finished, seated rotation's intro began; no tick yet

    events = player.skip()

    assert (0, SKIPPED) not in statuses(events)
    assert player.offset() == timeline.blocks[2].start_s  # seated rotation was skipped
