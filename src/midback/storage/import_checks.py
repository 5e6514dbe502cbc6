"""What an import must not clash with in the store (beside ``storage.exchange``, which checks
the file itself): a session or screen at a time already stored, a check-in for a day already
checked in, progression for an exercise that already has some."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from midback.domain.records import (
    CheckIn,
    ProgressionStep,
    ScreenRecord,
)
from midback.errors import ImportFileError
from midback.storage.repository import SessionWithLogs
from midback.storage.tables import (
    CheckInRow,
    ProgressionRow,
    ScreenRow,
    SessionRow,
)


def refuse_clashes(
    db: Session,
    person_id: int,
    sessions: Sequence[SessionWithLogs],
    checkins: Sequence[CheckIn],
    screens: Sequence[ScreenRecord],
    progression: Sequence[ProgressionStep],
) -> None:
    """Raise ImportFileError naming the first record that clashes with a stored one."""
    for i, (session, _) in enumerate(sessions):
        same_start = sa.select(SessionRow.id).where(
            SessionRow.person_id == person_id, SessionRow.started_at == session.started_at
        )
        if db.scalars(same_start).first() is not None:
            at = session.started_at.isoformat()
            raise ImportFileError(
                f"sessions[{i}].started_at", f"a session started at {at} already exists"
            )
    for i, checkin in enumerate(checkins):
        same_day = sa.select(CheckInRow.id).where(
            CheckInRow.person_id == person_id, CheckInRow.day == checkin.day
        )
        if db.scalars(same_day).first() is not None:
            raise ImportFileError(f"checkins[{i}].day", f"already checked in on {checkin.day}")
    for i, screen in enumerate(screens):
        same_time = sa.select(ScreenRow.id).where(
            ScreenRow.person_id == person_id, ScreenRow.at == screen.at
        )
        if db.scalars(same_time).first() is not None:
            at = screen.at.isoformat()
            raise ImportFileError(f"screens[{i}].at", f"a screen at {at} already exists")
    for i, step in enumerate(progression):
        if db.get(ProgressionRow, (person_id, step.exercise_id)) is not None:
            raise ImportFileError(
                f"progression[{i}].exercise_id", f"{step.exercise_id!r} already has progression"
            )
