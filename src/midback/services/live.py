"""The terminal's running session: each finished exercise is stored at once through
``services.sessions`` (the same use cases the browser's routes call), then the session is
finished and progression follows."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from midback.domain.plans import Plan

if TYPE_CHECKING:
    from midback.domain.catalogue import Catalogue
    from midback.domain.player import BlockEnded
    from midback.domain.records import ExerciseLog, SessionRecord
    from midback.domain.timeline import Timeline
    from midback.storage.repository import Repository


class LiveSession:
    """A session being played in the terminal: each finished exercise is stored at once, then
    the session is finished (``services.sessions`` does the storing, for both faces)."""

    def __init__(
        self,
        repo: Repository,
        cat: Catalogue,
        person_id: int,
        record: SessionRecord,
        timeline: Timeline,
    ) -> None:
        self.repo = repo
        self.cat = cat
        self.person_id = person_id
        self.record = record
        self.timeline = timeline
        self._attempts: dict[int, int] = {}
        self.logs: list[ExerciseLog] = []

    @classmethod
    def begin(
        cls,
        repo: Repository,
        cat: Catalogue,
        person_id: int,
        plan: Plan,
        timeline: Timeline,
        *,
        pain_before: int | None,
        at: datetime,
    ) -> LiveSession:
        """Start a session (the person's other running sessions become ``interrupted``)."""
        from midback.services import sessions

        record = sessions.begin(repo, person_id, plan, pain_before=pain_before, at=at,
                                stale_after=None)  # fmt: skip
        return cls(repo, cat, person_id, record, timeline)

    def record_block(
        self, ended: BlockEnded, *, at: datetime, pain: int | None = None
    ) -> ExerciseLog:
        """Store how one exercise ended (committed at once; a retry is stored once)."""
        from midback.services import sessions

        attempt = self._attempts.get(ended.block, 0) + 1
        self._attempts[ended.block] = attempt
        log = sessions.log(
            self.repo,
            self.person_id,
            self.record.id,
            position=ended.block,
            status=ended.status,
            actual=ended.actual,
            pain=pain,
            at=at,
            idempotency_key=sessions.log_key(self.record.id, ended.block, attempt),
        )
        self.logs.append(log)
        return log

    def finish(
        self,
        *,
        quit: bool,
        at: datetime,
        pain_after: int | None,
        effort: int | None,
        note: str | None,
    ) -> SessionRecord:
        """End the session as completed or quit, with pain, effort and a note; the progression
        table follows."""
        from midback.domain.records import SessionStatus
        from midback.services import sessions

        self.record = sessions.finish(
            self.repo,
            self.cat,
            self.person_id,
            self.record.id,
            status=SessionStatus.QUIT if quit else SessionStatus.COMPLETED,
            pain_after=pain_after,
            effort=effort,
            note=note,
            at=at,
        )
        return self.record
