"""The player: runs a timeline against a clock, deadline-based, with pause, skip, back and pain.

The player never sleeps and never reads a keyboard: a face (the terminal loop, tests) calls
``tick()`` often and the control methods when keys are pressed. Session time is derived from
the injected clock each time (``offset = (clock() - origin) * speed - shift``), so cues start on
their deadlines however long the session runs and however late a tick comes: a late tick fires
every cue it passed, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from midback.domain.prescription import Prescription
from midback.domain.records import LogStatus
from midback.domain.timeline import WORK_KINDS, Timeline

Clock = Callable[[], float]

BACK_GRACE_S = 3.0
"""Pressing back within this many seconds of a block's start goes to the previous block."""


@dataclass(frozen=True)
class CueStarted:
    """A cue began: show it, speak ``say``, ring the bell at a block's intro."""

    index: int
    late_s: float
    """How late the tick that noticed it came, in session seconds (0 when on time)."""


@dataclass(frozen=True)
class BlockEnded:
    """An exercise ended; the face logs it at once."""

    block: int
    status: LogStatus
    target: Prescription
    actual: Prescription | None
    """What was done: the target when completed, the finished sets when cut short."""


@dataclass(frozen=True)
class SessionEnded:
    """The last cue finished (or the person quit)."""

    quit: bool


Event = CueStarted | BlockEnded | SessionEnded


@dataclass
class Player:
    """Runs ``timeline`` on ``clock`` at ``speed`` times real time."""

    timeline: Timeline
    clock: Clock
    speed: float = 1.0
    _origin: float | None = None
    _shift: float = 0.0
    _paused_at: float | None = None
    _next_cue: int = 0
    _current_block: int | None = None
    _block_closed: set[int] = field(default_factory=set)
    _finished: bool = False

    def __post_init__(self) -> None:
        if self.speed <= 0:
            raise ValueError("speed must be positive")

    # -- time ------------------------------------------------------------------------------
    def start(self) -> list[Event]:
        """Start the session now and return the first cue's events."""
        self._origin = self.clock()
        return self.tick()

    def offset(self) -> float:
        """Seconds into the session (stands still while paused)."""
        if self._origin is None:
            return 0.0
        now = self._paused_at if self._paused_at is not None else self.clock()
        return (now - self._origin) * self.speed - self._shift

    @property
    def paused(self) -> bool:
        """Whether the session is paused."""
        return self._paused_at is not None

    @property
    def finished(self) -> bool:
        """Whether the session has ended."""
        return self._finished

    def current_cue(self) -> int:
        """Index of the cue running now."""
        return max(0, self._next_cue - 1)

    def remaining_in_cue(self) -> float:
        """Seconds (of session time) left in the current cue."""
        cue = self.timeline.cues[self.current_cue()]
        return max(0.0, cue.start_s + cue.duration_s - self.offset())

    def next_deadline(self) -> float | None:
        """The clock time at which the next cue starts (None when paused or done)."""
        if self._origin is None or self.paused or self._finished:
            return None
        if self._next_cue < len(self.timeline.cues):
            at = self.timeline.cues[self._next_cue].start_s
        else:
            at = self.timeline.total_s
        return self._origin + (at + self._shift) / self.speed

    def tick(self) -> list[Event]:
        """Fire every cue whose start has passed, and close blocks that ended."""
        if self._origin is None or self._finished:
            return []
        events: list[Event] = []
        now = self.offset()
        cues = self.timeline.cues
        while self._next_cue < len(cues) and cues[self._next_cue].start_s <= now:
            cue = cues[self._next_cue]
            if cue.block != self._current_block:
                events += self._close_current(LogStatus.COMPLETED, cue.start_s)
                self._current_block = cue.block
            events.append(CueStarted(self._next_cue, max(0.0, now - cue.start_s)))
            self._next_cue += 1
        if self._next_cue >= len(cues) and now >= self.timeline.total_s:
            events += self._close_current(LogStatus.COMPLETED, self.timeline.total_s)
            self._finished = True
            events.append(SessionEnded(quit=False))
        return events

    # -- controls --------------------------------------------------------------------------
    def pause(self) -> None:
        """Stop the clock of the session."""
        if not self.paused and self._origin is not None:
            self._paused_at = self.clock()

    def resume(self) -> list[Event]:
        """Continue from where the session was paused."""
        if self._paused_at is not None and self._origin is not None:
            self._origin += self.clock() - self._paused_at
            self._paused_at = None
        return self.tick()

    def toggle_pause(self) -> list[Event]:
        """Pause when running, resume when paused."""
        if self.paused:
            return self.resume()
        self.pause()
        return []

    def skip(self) -> list[Event]:
        """End the current exercise as skipped and go to the next one."""
        caught_up = self.tick()
        return caught_up + self._leave_block(LogStatus.SKIPPED)

    def it_hurts(self) -> list[Event]:
        """Stop the current exercise because it hurts, record that, and go to the next one."""
        caught_up = self.tick()
        return caught_up + self._leave_block(LogStatus.STOPPED_FOR_PAIN)

    def back(self) -> list[Event]:
        """Restart the current exercise, or go to the previous one near its start."""
        caught_up = self.tick()
        block = self._current_block
        if block is None or self._finished:
            return caught_up
        start = self.timeline.blocks[block].start_s
        target = block
        if self.offset() - start < BACK_GRACE_S and block > 0:
            target = block - 1
        self._current_block = None  # the re-run is logged when it ends
        self._block_closed.discard(target)
        return caught_up + self._jump(self.timeline.blocks[target].start_s)

    def quit(self) -> list[Event]:
        """End the session now; the exercise under way counts as skipped."""
        events = self.tick()
        if self._finished:
            return events
        events += self._close_current(LogStatus.SKIPPED, self.offset())
        self._finished = True
        events.append(SessionEnded(quit=True))
        return events

    # -- internals ---------------------------------------------------------------------------
    def _leave_block(self, status: LogStatus) -> list[Event]:
        block = self._current_block
        if block is None or self._finished:
            return []
        events = self._close_current(status, self.offset())
        following = block + 1
        if following < len(self.timeline.blocks):
            target = self.timeline.blocks[following].start_s
        else:
            target = self.timeline.total_s
        return events + self._jump(target)

    def _jump(self, session_s: float) -> list[Event]:
        if self._origin is None:
            return []
        self._shift = (self._reference() - self._origin) * self.speed - session_s
        self._next_cue = self.timeline.cue_at(session_s)
        if self.timeline.cues[self._next_cue].start_s < session_s:
            self._next_cue += 1
        return self.tick()

    def _reference(self) -> float:
        return self._paused_at if self._paused_at is not None else self.clock()

    def _close_current(self, status: LogStatus, at_s: float) -> list[Event]:
        block = self._current_block
        if block is None or block in self._block_closed:
            return []
        self._block_closed.add(block)
        info = self.timeline.blocks[block]
        if status is LogStatus.COMPLETED:
            actual: Prescription | None = info.dose
        else:
            actual = _done_so_far(self.timeline, block, at_s)
        return [BlockEnded(block, status, info.dose, actual)]


def _done_so_far(timeline: Timeline, block: int, at_s: float) -> Prescription | None:
    """The sets of ``block`` finished by ``at_s`` (None when no set was finished)."""
    set_ends: dict[int, int] = {}
    for cue in timeline.cues:
        if cue.block == block and cue.kind in WORK_KINDS and cue.set is not None:
            set_ends[cue.set] = cue.start_s + cue.duration_s
    finished = max((s for s, end in set_ends.items() if end <= at_s), default=0)
    if finished == 0:
        return None
    return timeline.blocks[block].dose.model_copy(update={"sets": finished})
