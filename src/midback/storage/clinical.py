"""Clinical safety in the database: clearances, self-clearances, acknowledged alerts, clinical
notes, and what the alert rules read of many people at once (server mode).

Like ``SqlRepository`` each method is one transaction. A person's rows are reached only with
their ``person_id``; whether a clinician may reach that person is checked by the caller
(``services.clinical``) with ``is_linked`` before anything is read or written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from midback.domain.clinical import (
    QUIT_PAIN_FROM,
    Ack,
    Clearance,
    ClinicalNote,
    Facts,
    SelfClearance,
)
from midback.domain.records import ScreenRecord
from midback.errors import NotFound
from midback.storage.clinical_tables import (
    AlertAckRow,
    ClearanceRow,
    ClinicalNoteRow,
    SelfClearanceRow,
)
from midback.storage.engine import id_fits, retrying, writer_lock
from midback.storage.rows import checkin_record as _checkin
from midback.storage.rows import log_record as _log
from midback.storage.rows import screen_record as _screen
from midback.storage.rows import session_record as _session
from midback.storage.tables import (
    CheckInRow,
    ExerciseLogRow,
    LinkRow,
    ScreenRow,
    SessionRow,
)


class ClinicalStore(Protocol):
    """Clinical safety as the use cases see it; ``SqlClinical`` is the real one."""

    def is_linked(self, clinician_id: int, person_id: int) -> bool:
        """Whether the person is linked to the clinician."""
        ...

    def has_clinician(self, person_id: int) -> bool:
        """Whether any clinician is linked to the person."""
        ...

    def patient_ids(self, clinician_id: int) -> set[int]:
        """Everyone linked to the clinician (one query)."""
        ...

    def screen(self, person_id: int, screen_id: int) -> ScreenRecord:
        """One of the person's screens (NotFound otherwise)."""
        ...

    def screen_at(self, person_id: int, at: datetime) -> ScreenRecord | None:
        """The person's screen taken at ``at``, if any."""
        ...

    def add_clearance(
        self, person_id: int, clinician_id: int, screen_id: int, *, at: datetime,
        expires_at: datetime | None, note: str | None,
    ) -> Clearance:  # fmt: skip
        """Store a clearance of one of the person's screens (NotFound: not their screen)."""
        ...

    def revoke_clearance(
        self, person_id: int, clinician_id: int, clearance_id: int, *, at: datetime
    ) -> Clearance:
        """Withdraw the clinician's clearance (NotFound: not theirs or not the person's)."""
        ...

    def clearances(self, person_id: int, *, screen_id: int | None = None) -> list[Clearance]:
        """The person's clearances (of one screen when given), oldest first."""
        ...

    def record_self_clearance(
        self, person_id: int, screen_id: int, *, at: datetime, linked: bool
    ) -> SelfClearance:
        """Record the person's own tick on a screen; once per screen (a repeat returns it)."""
        ...

    def self_clearances(self, person_id: int) -> list[SelfClearance]:
        """The person's own ticks, oldest first."""
        ...

    def acknowledge(self, person_id: int, clinician_id: int, key: str, *, at: datetime) -> Ack:
        """Store that the clinician acknowledged an alert; a repeat returns the first."""
        ...

    def acks(self, clinician_id: int, person_ids: Sequence[int]) -> dict[tuple[int, str], Ack]:
        """The clinician's acknowledgements for these people, by (person, key)."""
        ...

    def add_note(self, person_id: int, clinician_id: int, text: str, *, at: datetime
                 ) -> ClinicalNote:  # fmt: skip
        """Store a clinical note."""
        ...

    def notes(self, person_id: int, clinician_id: int) -> list[ClinicalNote]:
        """The notes this clinician wrote about the person, oldest first."""
        ...

    def facts(
        self, person_ids: Sequence[int], *, since: datetime, recent: datetime
    ) -> dict[int, Facts]:
        """What the alert rules read of each person since ``since``, in a few queries for all
        of them: only what a rule can use (quit or noted sessions, logs that hurt or reached
        ``QUIT_PAIN_FROM``; pain readings only from ``recent`` on, for the pain rise)."""
        ...


class SqlClinical:
    """``ClinicalStore`` on the app's database (the same engine as the repository)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._writer = writer_lock(engine)

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[Session]:
        writer = self._writer if write else nullcontext()
        with writer, Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def _fits(self, *ids: int) -> bool:
        return all(id_fits(self.engine.dialect, value) for value in ids)

    # -- links ---------------------------------------------------------------------------
    @retrying()
    def is_linked(self, clinician_id: int, person_id: int) -> bool:
        if not self._fits(clinician_id, person_id):
            return False
        with self._transaction() as db:
            return db.get(LinkRow, (person_id, clinician_id)) is not None

    @retrying()
    def patient_ids(self, clinician_id: int) -> set[int]:
        if not self._fits(clinician_id):
            return set()
        with self._transaction() as db:
            found = db.scalars(sa.select(LinkRow.person_id).where(
                LinkRow.clinician_id == clinician_id))  # fmt: skip
            return set(found)

    @retrying()
    def has_clinician(self, person_id: int) -> bool:
        with self._transaction() as db:
            found = db.scalar(sa.select(LinkRow.clinician_id).where(LinkRow.person_id == person_id)
                              .limit(1))  # fmt: skip
            return found is not None

    # -- screens -------------------------------------------------------------------------
    @retrying()
    def screen(self, person_id: int, screen_id: int) -> ScreenRecord:
        with self._transaction() as db:
            row = db.get(ScreenRow, screen_id) if self._fits(screen_id) else None
            if row is None or row.person_id != person_id:
                raise NotFound("screen", screen_id)
            return _screen(row)

    @retrying()
    def screen_at(self, person_id: int, at: datetime) -> ScreenRecord | None:
        with self._transaction() as db:
            row = db.scalars(
                sa.select(ScreenRow)
                .where(ScreenRow.person_id == person_id, ScreenRow.at == at)
                .order_by(ScreenRow.id.desc())
                .limit(1)
            ).first()
            return _screen(row) if row is not None else None

    # -- clearances ----------------------------------------------------------------------
    @retrying()
    def add_clearance(
        self, person_id: int, clinician_id: int, screen_id: int, *, at: datetime,
        expires_at: datetime | None, note: str | None,
    ) -> Clearance:  # fmt: skip
        with self._transaction(write=True) as db:
            screen = db.get(ScreenRow, screen_id) if self._fits(screen_id) else None
            if screen is None or screen.person_id != person_id:
                raise NotFound("screen", screen_id)
            row = ClearanceRow(
                person_id=person_id, clinician_id=clinician_id, screen_id=screen_id, at=at,
                expires_at=expires_at, note=note,
            )  # fmt: skip
            db.add(row)
            db.flush()
            return _clearance(row)

    @retrying()
    def revoke_clearance(
        self, person_id: int, clinician_id: int, clearance_id: int, *, at: datetime
    ) -> Clearance:
        with self._transaction(write=True) as db:
            row = db.get(ClearanceRow, clearance_id) if self._fits(clearance_id) else None
            if row is None or (row.person_id, row.clinician_id) != (person_id, clinician_id):
                raise NotFound("clearance", clearance_id)
            if row.revoked_at is None:
                row.revoked_at = at
            return _clearance(row)

    @retrying()
    def clearances(self, person_id: int, *, screen_id: int | None = None) -> list[Clearance]:
        query = sa.select(ClearanceRow).where(ClearanceRow.person_id == person_id)
        if screen_id is not None:
            query = query.where(ClearanceRow.screen_id == screen_id)
        with self._transaction() as db:
            rows = db.scalars(query.order_by(ClearanceRow.at, ClearanceRow.id)).all()
            return [_clearance(row) for row in rows]

    @retrying(on_clash=True)
    def record_self_clearance(
        self, person_id: int, screen_id: int, *, at: datetime, linked: bool
    ) -> SelfClearance:
        with self._transaction(write=True) as db:
            found = db.scalars(sa.select(SelfClearanceRow).where(
                SelfClearanceRow.person_id == person_id, SelfClearanceRow.screen_id == screen_id
            )).first()  # fmt: skip
            if found is not None:
                return _self_clearance(found)
            screen = db.get(ScreenRow, screen_id) if self._fits(screen_id) else None
            if screen is None or screen.person_id != person_id:
                raise NotFound("screen", screen_id)
            row = SelfClearanceRow(person_id=person_id, screen_id=screen_id, at=at, linked=linked)
            db.add(row)
            db.flush()
            return _self_clearance(row)

    @retrying()
    def self_clearances(self, person_id: int) -> list[SelfClearance]:
        with self._transaction() as db:
            rows = db.scalars(
                sa.select(SelfClearanceRow)
                .where(SelfClearanceRow.person_id == person_id)
                .order_by(SelfClearanceRow.at, SelfClearanceRow.id)
            ).all()
            return [_self_clearance(row) for row in rows]

    # -- acknowledgements ----------------------------------------------------------------
    @retrying(on_clash=True)
    def acknowledge(self, person_id: int, clinician_id: int, key: str, *, at: datetime) -> Ack:
        try:
            with self._transaction(write=True) as db:
                found = _ack_row(db, person_id, clinician_id, key)
                if found is not None:
                    return _ack(found)
                row = AlertAckRow(person_id=person_id, clinician_id=clinician_id,
                                  alert_key=key, at=at)  # fmt: skip
                db.add(row)
                db.flush()
                return _ack(row)
        except IntegrityError:  # acknowledged at the same moment elsewhere: keep the first
            with self._transaction() as db:
                found = _ack_row(db, person_id, clinician_id, key)
                if found is None:
                    raise
                return _ack(found)

    @retrying()
    def acks(self, clinician_id: int, person_ids: Sequence[int]) -> dict[tuple[int, str], Ack]:
        if not person_ids:
            return {}
        with self._transaction() as db:
            rows = db.scalars(sa.select(AlertAckRow).where(
                AlertAckRow.clinician_id == clinician_id,
                AlertAckRow.person_id.in_(list(person_ids)),
            )).all()  # fmt: skip
            return {(row.person_id, row.alert_key): _ack(row) for row in rows}

    # -- notes ---------------------------------------------------------------------------
    @retrying()
    def add_note(self, person_id: int, clinician_id: int, text: str, *, at: datetime
                 ) -> ClinicalNote:  # fmt: skip
        with self._transaction(write=True) as db:
            row = ClinicalNoteRow(person_id=person_id, clinician_id=clinician_id, at=at, text=text)
            db.add(row)
            db.flush()
            return _note(row)

    @retrying()
    def notes(self, person_id: int, clinician_id: int) -> list[ClinicalNote]:
        with self._transaction() as db:
            rows = db.scalars(
                sa.select(ClinicalNoteRow)
                .where(ClinicalNoteRow.person_id == person_id,
                       ClinicalNoteRow.clinician_id == clinician_id)
                .order_by(ClinicalNoteRow.at, ClinicalNoteRow.id)
            ).all()  # fmt: skip
            return [_note(row) for row in rows]

    # -- what alerts read ----------------------------------------------------------------
    @retrying()
    def facts(
        self, person_ids: Sequence[int], *, since: datetime, recent: datetime
    ) -> dict[int, Facts]:
        ids = sorted(set(person_ids))
        if not ids:
            return {}
        with self._transaction() as db:
            latest = (
                sa.select(ScreenRow.person_id, sa.func.max(ScreenRow.id).label("id"))
                .where(ScreenRow.person_id.in_(ids))
                .group_by(ScreenRow.person_id)
                .subquery()
            )
            latest_rows = db.scalars(sa.select(ScreenRow).join(latest, ScreenRow.id == latest.c.id))
            latest_by = {row.person_id: _screen(row) for row in latest_rows}
            screens = db.scalars(
                sa.select(ScreenRow)
                .where(ScreenRow.person_id.in_(ids), ScreenRow.at >= since)
                .order_by(ScreenRow.id)
            )
            sessions = db.scalars(
                sa.select(SessionRow)
                .where(
                    SessionRow.person_id.in_(ids),
                    SessionRow.started_at >= since,
                    sa.or_(
                        SessionRow.status == "quit",
                        SessionRow.note.is_not(None),
                        sa.and_(SessionRow.started_at >= recent,
                                SessionRow.pain_before.is_not(None)),
                    ),
                )
                .order_by(SessionRow.started_at, SessionRow.id)
            )  # fmt: skip
            logs = db.scalars(
                sa.select(ExerciseLogRow)
                .where(
                    ExerciseLogRow.person_id.in_(ids),
                    ExerciseLogRow.logged_at >= since,
                    sa.or_(ExerciseLogRow.status == "stopped_for_pain",
                           ExerciseLogRow.pain >= QUIT_PAIN_FROM),
                )
                .order_by(ExerciseLogRow.logged_at, ExerciseLogRow.id)
            )  # fmt: skip
            checkins = db.scalars(
                sa.select(CheckInRow)
                .where(CheckInRow.person_id.in_(ids), CheckInRow.at >= max(since, recent))
                .order_by(CheckInRow.day)
            )
            marks = db.scalars(
                sa.select(SelfClearanceRow)
                .where(SelfClearanceRow.person_id.in_(ids), SelfClearanceRow.at >= since)
                .order_by(SelfClearanceRow.at)
            )
            found = {pid: Facts(pid, latest_by.get(pid), [], [], [], [], []) for pid in ids}
            for screen in screens:
                found[screen.person_id].screens.append(_screen(screen))
            for session in sessions:
                found[session.person_id].sessions.append(_session(session, plan=False))
            for log in logs:
                found[log.person_id].logs.append(_log(log))
            for checkin in checkins:
                found[checkin.person_id].checkins.append(_checkin(checkin))
            for mark in marks:
                found[mark.person_id].self_clearances.append(_self_clearance(mark))
            return found


def _ack_row(db: Session, person_id: int, clinician_id: int, key: str) -> AlertAckRow | None:
    return db.scalars(sa.select(AlertAckRow).where(
        AlertAckRow.person_id == person_id, AlertAckRow.clinician_id == clinician_id,
        AlertAckRow.alert_key == key,
    )).first()  # fmt: skip


def _clearance(row: ClearanceRow) -> Clearance:
    return Clearance(id=row.id, person_id=row.person_id, clinician_id=row.clinician_id,
                     screen_id=row.screen_id, at=row.at, expires_at=row.expires_at,
                     note=row.note, revoked_at=row.revoked_at)  # fmt: skip


def _self_clearance(row: SelfClearanceRow) -> SelfClearance:
    return SelfClearance(id=row.id, person_id=row.person_id, screen_id=row.screen_id, at=row.at,
                         linked=row.linked)  # fmt: skip


def _ack(row: AlertAckRow) -> Ack:
    return Ack(person_id=row.person_id, clinician_id=row.clinician_id, key=row.alert_key,
               at=row.at)  # fmt: skip


def _note(row: ClinicalNoteRow) -> ClinicalNote:
    return ClinicalNote(id=row.id, person_id=row.person_id, clinician_id=row.clinician_id,
                        at=row.at, text=row.text)  # fmt: skip
