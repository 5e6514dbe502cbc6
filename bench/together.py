"""Two benchmarks run side by side (``python -m bench``'s ``SIDE_BY_SIDE``) without disturbing
each other's timing: the heavy one (timer-web: a server and Chromium) sets up and tears down
while the light one (timer-cli) is not playing.

The heavy one calls ``set_up()`` once its session runs and ``before_teardown()`` before
stopping; the light one calls ``wait_for_set_up()`` before playing and ``played()`` after. Run
alone (no events given to this process), every call returns at once.
"""

from __future__ import annotations

from typing import Protocol

WAIT_S = 300.0
"""The longest one waits for the other (a broken partner must not hang the run)."""


class _Event(Protocol):
    def set(self) -> None: ...
    def wait(self, timeout: float | None = None) -> bool: ...


_events: tuple[_Event, _Event] | None = None


def join(started: _Event, finished: _Event) -> None:
    """Take part in a side-by-side run (the pool's initializer, in each process)."""
    global _events
    _events = (started, finished)


def set_up() -> None:
    """The heavy benchmark's setup is over (its timed part runs)."""
    if _events is not None:
        _events[0].set()


def wait_for_set_up() -> None:
    """Wait until the heavy benchmark's setup is over."""
    if _events is not None:
        _events[0].wait(WAIT_S)


def played() -> None:
    """The light benchmark's timed part is over."""
    if _events is not None:
        _events[1].set()


def before_teardown() -> None:
    """Wait until the light benchmark's timed part is over."""
    if _events is not None:
        _events[1].wait(WAIT_S)
