"""What was done in each session, in words for the history: "3 of 5 exercises, stopped: it hurt".

A session's plan says how many exercises it had; its logs say how each ended. An exercise run
again (the player's Back) counts by its last log. Reads only: nothing is marked or stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from midback.domain.records import LogStatus

if TYPE_CHECKING:
    from midback.domain.records import LogOutcome, SessionRecord
    from midback.storage.repository import Repository


@dataclass(frozen=True)
class Done:
    """How a session's exercises ended."""

    exercises: int
    """How many the plan had."""
    completed: int
    skipped: int
    stopped_for_pain: int

    @property
    def words(self) -> str:
        """``3 of 5 exercises``, then ``, 1 skipped`` and ``, stopped: it hurt`` when so."""
        text = f"{self.completed} of {self.exercises} exercise{'' if self.exercises == 1 else 's'}"
        if self.skipped:
            text += f", {self.skipped} skipped"
        if self.stopped_for_pain:
            text += ", stopped: it hurt"
        return text


def tally(exercises: int, logs: Iterable[LogOutcome]) -> Done:
    """``Done`` of a plan of ``exercises`` from its logs (oldest first; the last per position
    counts)."""
    last: dict[int, LogStatus] = {}
    for log in logs:
        last[log.position] = log.status
    statuses = list(last.values())
    return Done(
        exercises=exercises,
        completed=statuses.count(LogStatus.COMPLETED),
        skipped=statuses.count(LogStatus.SKIPPED),
        stopped_for_pain=statuses.count(LogStatus.STOPPED_FOR_PAIN),
    )


def what_was_done(
    repo: Repository, person_id: int, sessions: Sequence[SessionRecord]
) -> dict[int, Done]:
    """Session id -> ``Done`` for ``sessions`` (records listed with or without their plans): the
    logs of all of them in one read, from the earliest one's start."""
    if not sessions:
        return {}
    logs: dict[int, list[LogOutcome]] = {s.id: [] for s in sessions}
    for log in repo.log_outcomes(person_id, since=min(s.started_at for s in sessions)):
        if log.session_id in logs:
            logs[log.session_id].append(log)
    done: dict[int, Done] = {}
    for session in sessions:
        plan = session.plan or repo.get_session(person_id, session.id).plan
        blocks = plan.get("blocks")
        exercises = len(blocks) if isinstance(blocks, list) else 0
        done[session.id] = tally(exercises, logs[session.id])
    return done
