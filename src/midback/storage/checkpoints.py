"""Progress checkpoints in SQL: read, save, and drop when a write reaches into their days.

A checkpoint (``ProgressCheckpoint``) holds a replay of every session up to a day ``until``.
Anything that changes an outcome of those days must drop it, in the same transaction as the
change: a log of a session on or before ``until``, finishing such a session (its pain after), a
check-in of ``until + 1`` or earlier (the morning after a session, or before one), an import.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import Session

from midback.domain.records import ProgressCheckpoint
from midback.storage.tables import ProgressCheckpointRow, table_of


def checkpoint(row: sa.Row[Any]) -> ProgressCheckpoint:
    """The checkpoint a row of ``LOAD`` holds."""
    return ProgressCheckpoint(
        person_id=row.person_id,
        until=row.until,
        version=row.version,
        states=row.states,
        saved_at=row.saved_at,
    )


def save(db: Session, checkpoint: ProgressCheckpoint) -> None:
    """Create or replace the person's checkpoint."""
    row = db.get(ProgressCheckpointRow, checkpoint.person_id)
    if row is None:
        db.add(ProgressCheckpointRow(**checkpoint.model_dump()))
        return
    row.until, row.version = checkpoint.until, checkpoint.version
    row.states, row.saved_at = checkpoint.states, checkpoint.saved_at


def forget_session_day(
    db: Session, person_id: int, started_at: datetime, *, timezone: str | None
) -> None:
    """A session that started at ``started_at`` changed (a log, its end): its day is the
    person's own (``timezone``, the name stored with them, which the caller read as it raised
    their revision; else this machine's), as the replay counts it."""
    try:
        zone = ZoneInfo(timezone) if timezone else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    forget(db, person_id, started_at.astimezone(zone).date())


def forget_checkin_day(db: Session, person_id: int, day: date) -> bool:
    """The check-in of ``day`` changed: it is the next morning of ``day - 1``'s sessions.
    Whether a checkpoint was dropped."""
    return forget(db, person_id, day - timedelta(days=1))


_CHECKPOINTS = table_of(ProgressCheckpointRow)
LOAD = sa.select(_CHECKPOINTS).where(_CHECKPOINTS.c.person_id == sa.bindparam("who"))
"""The person's checkpoint (``checkpoint`` reads its row), built once: every plan after a
write reads it."""
_FORGET_ANY = sa.delete(_CHECKPOINTS).where(_CHECKPOINTS.c.person_id == sa.bindparam("who"))
_FORGET_FROM = _FORGET_ANY.where(_CHECKPOINTS.c.until >= sa.bindparam("day"))
"""Built once: every write of a person's records runs one (a log write at a time)."""


def forget(db: Session, person_id: int, day: date | None = None) -> bool:
    """Drop the person's checkpoint if it covers ``day`` (any checkpoint when None); whether
    one was dropped."""
    if day is None:
        done = db.execute(_FORGET_ANY, {"who": person_id})
    else:
        done = db.execute(_FORGET_FROM, {"who": person_id, "day": day})
    return bool(done.rowcount)  # type: ignore[attr-defined]  # a CursorResult
