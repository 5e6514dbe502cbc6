"""Session use cases shared by the terminal player and the browser: begin, log each finished
exercise, finish (and keep the progression table), with one idempotency-key format.

Each is one transaction (``Repository.unit``); a retried call with the same key is stored
once. Finishing stores each exercise's step on its ladder (the progression table that the
export carries) in the same transaction, whichever face played the session.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from midback.domain.plans import Block, Plan
from midback.domain.records import Effort, LogStatus, NewLog, SessionStatus
from midback.errors import PlanError

if TYPE_CHECKING:
    from midback.domain.catalogue import Catalogue
    from midback.domain.prescription import Prescription
    from midback.domain.records import ExerciseLog, SessionRecord
    from midback.storage.repository import Repository

STALE_AFTER = timedelta(hours=6)
"""A ``running`` session with no activity for this long counts as ``interrupted``."""


def log_key(session_id: int, position: int, attempt: int) -> str:
    """The idempotency key of one attempt at one exercise of a session: ``s12-b3-a1`` (the
    browser player builds the same)."""
    return f"s{session_id}-b{position}-a{attempt}"


def begin(
    repo: Repository,
    person_id: int,
    plan: Plan,
    *,
    pain_before: int | None,
    at: datetime,
    idempotency_key: str | None = None,
    stale_after: timedelta | None = STALE_AFTER,
) -> SessionRecord:
    """Store a new running session of ``plan``; the person's running sessions idle for
    ``stale_after`` (every one, with None: the terminal plays one at a time, so a new one means
    the last one's process died) become ``interrupted`` first. A retry with the same key
    returns the first session."""
    idle_before = None if stale_after is None else at - stale_after

    def work() -> SessionRecord:
        repo.mark_interrupted(person_id, idle_before=idle_before)
        return repo.start_session(
            person_id,
            plan=plan.to_json(),
            program_id=plan.program_id,
            started_at=at,
            pain_before=pain_before,
            idempotency_key=idempotency_key,
        )

    return repo.unit(work)


def status_as_of(record: SessionRecord, now: datetime) -> SessionStatus:
    """How a session reads at ``now``: a running one idle for six hours or more reads as
    ``interrupted`` (a read never stores it; the next session start does)."""
    last = record.ended_at or record.started_at
    if record.status is SessionStatus.RUNNING and now - last >= STALE_AFTER:
        return SessionStatus.INTERRUPTED
    return record.status


def recent(repo: Repository, person_id: int, *, now: datetime, limit: int) -> list[SessionRecord]:
    """The person's latest sessions, newest first, without their plans, each with the status
    it reads as at ``now`` (``status_as_of``)."""
    return [
        record.model_copy(update={"status": status_as_of(record, now)})
        for record in repo.list_sessions(person_id, limit=limit, plans=False)
    ]


def log(
    repo: Repository,
    person_id: int,
    session_id: int,
    *,
    position: int,
    status: LogStatus,
    actual: Prescription | None,
    pain: int | None,
    at: datetime,
    idempotency_key: str,
    effort: Effort | None = None,
) -> ExerciseLog:
    """Store how one exercise of a session ended. A completed exercise with no ``actual`` was
    done as planned (its target). PlanError for a position the session does not have."""
    record = repo.get_session(person_id, session_id)
    blocks = record.plan.get("blocks")
    if not isinstance(blocks, list):
        blocks = []
    if not 0 <= position < len(blocks):
        raise PlanError(f"position: this session has {len(blocks)} exercises")
    # The plan was checked whole when the session began: only the exercise logged is read.
    block = Block.model_validate(blocks[position])
    if actual is None and status is LogStatus.COMPLETED:
        actual = block.dose
    return repo.log_exercise(
        person_id,
        session_id,
        NewLog(
            position=position,
            exercise_id=block.exercise_id,
            variant=block.variant,
            target=block.dose,
            actual=actual,
            status=status,
            pain=pain,
            logged_at=at,
            idempotency_key=idempotency_key,
            effort=effort,
        ),
    )


def finish(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    session_id: int,
    *,
    status: SessionStatus,
    pain_after: int | None,
    effort: int | None,
    note: str | None,
    at: datetime,
) -> SessionRecord:
    """End a session (completed or quit) with pain, effort and a note, and store each
    exercise's step on its ladder: one transaction (both or neither)."""
    from midback.services.progress import refresh

    def work() -> SessionRecord:
        record = repo.finish_session(
            person_id,
            session_id,
            status=status,
            ended_at=at,
            pain_after=pain_after,
            effort=effort,
            note=note,
        )
        refresh(repo, cat, person_id, now=at)
        return record

    return repo.unit(work)
