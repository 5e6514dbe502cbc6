"""The terminal session loop: keys, bell, voice and a live screen around a ``Player``.

Everything that touches the outside world is passed in (keys, sleep, the screen, what happens
on each event), so tests drive the loop with a fake clock and scripted keys.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Protocol

from midback.domain.player import CueStarted, Event, Player, SessionEnded
from midback.domain.timeline import CueKind

FRAME_S = 0.1
"""Longest wait between two screen updates (the countdown shows whole seconds)."""


class Keys(Protocol):
    """A source of key presses."""

    def read(self, timeout: float) -> str | None:
        """The next key pressed within ``timeout`` seconds, or None."""


class NoKeys:
    """No keyboard: waits with ``sleep``."""

    def __init__(self, sleep: Callable[[float], None]) -> None:
        self._sleep = sleep

    def read(self, timeout: float) -> str | None:
        if timeout > 0:
            self._sleep(timeout)
        return None


class TerminalKeys:
    """Single key presses from a terminal in cbreak mode (no Enter needed)."""

    def __init__(self, fd: int | None = None) -> None:
        self._fd = sys.stdin.fileno() if fd is None else fd

    def read(self, timeout: float) -> str | None:
        ready, _, _ = select.select([self._fd], [], [], max(0.0, timeout))
        if not ready:
            return None
        data = os.read(self._fd, 8).decode(errors="ignore")
        return data[:1] if data else None

    @contextlib.contextmanager
    def raw(self) -> Iterator[TerminalKeys]:
        """Put the terminal in cbreak mode for the duration, and restore it after."""
        import termios
        import tty

        saved = termios.tcgetattr(self._fd)
        try:
            tty.setcbreak(self._fd)
            yield self
        finally:
            termios.tcsetattr(self._fd, termios.TCSADRAIN, saved)


class Voice:
    """Speaks cues with espeak-ng, one at a time, without blocking the loop."""

    def __init__(self, executable: str) -> None:
        self._executable = executable
        self._speaking: subprocess.Popen[bytes] | None = None

    @classmethod
    def find(cls) -> Voice | None:
        """espeak-ng (or espeak) where it is installed, else None."""
        for name in ("espeak-ng", "espeak"):
            path = shutil.which(name)
            if path:
                return cls(path)
        return None

    def say(self, text: str) -> None:
        if not text:
            return
        if self._speaking is not None and self._speaking.poll() is None:
            self._speaking.terminate()
        self._speaking = subprocess.Popen(
            [self._executable, "-s", "150", text],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def close(self) -> None:
        if self._speaking is not None and self._speaking.poll() is None:
            self._speaking.wait(timeout=5)


def run_session(
    player: Player,
    *,
    keys: Keys,
    on_event: Callable[[Event], None],
    render: Callable[[str | None], None],
    on_key: Callable[[str, Player], list[Event] | None],
) -> bool:
    """Run ``player`` to its end; returns True when the person quit.

    ``on_key`` turns a key into player events (None: not a key it knows); ``render`` redraws
    with an optional message. The wait before each check is the time to the next cue's
    deadline, at most ``FRAME_S``, so cues start on time and the countdown stays fresh.
    """
    quit_ = False

    def handle(events: list[Event]) -> None:
        nonlocal quit_
        # Cues first, so the bell and voice are on time; a finished exercise is logged after.
        for event in sorted(events, key=lambda e: not isinstance(e, CueStarted)):
            on_event(event)
            if isinstance(event, SessionEnded):
                quit_ = event.quit

    handle(player.start())
    render(None)
    while not player.finished:
        deadline = player.next_deadline()
        wait = FRAME_S if deadline is None else min(FRAME_S, max(0.0, deadline - player.clock()))
        key = keys.read(wait)
        if key is not None:
            events = on_key(key, player)
            if events:
                handle(events)
        handle(player.tick())
        render(None)
    return quit_


def default_keys(key: str, player: Player) -> list[Event] | None:
    """Space pauses or resumes, n skips, b goes back; p and q need the face's own handling."""
    if key == " ":
        return player.toggle_pause()
    if key == "n":
        return player.skip()
    if key == "b":
        return player.back()
    return None


def is_intro(event: Event, player: Player) -> bool:
    """Whether ``event`` starts an exercise (the bell rings then)."""
    return isinstance(event, CueStarted) and player.timeline.cues[event.index].kind is CueKind.INTRO
