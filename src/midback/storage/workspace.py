"""The clinician's workspace in the database: the triage list (aggregated in SQL), weekly
targets, programmes with their history, and outcome measures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from midback.domain.history import DEFAULT_WEEKLY_TARGET
from midback.domain.programme import (
    Programme,
    ProgrammeAction,
    ProgrammeDraft,
    ProgrammeEvent,
    ProgrammeItem,
)
from midback.domain.triage import WINDOW_DAYS, TriageRow
from midback.errors import NotFound
from midback.storage.engine import id_fits, retrying, writer_lock
from midback.storage.tables import CheckInRow, LinkRow, PersonRow, SessionRow
from midback.storage.workspace_tables import (
    OutcomeRow,
    ProgrammeEventRow,
    ProgrammeRow,
    WeeklyTargetRow,
)


class SqlWorkspace:
    """Workspace rows on an engine; each method one transaction, retried like the others."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._writer = writer_lock(engine)

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[Session]:
        writer = self._writer if write else nullcontext()
        with writer, Session(self._engine, expire_on_commit=False) as session, session.begin():
            yield session

    def fits(self, person_id: int) -> bool:
        """Whether ``person_id`` can be an id of this database (else: no such person)."""
        return id_fits(self._engine.dialect, person_id)

    # -- triage --------------------------------------------------------------------------
    @retrying()
    def triage(self, clinician_id: int, now: datetime, *, query: str = "") -> list[TriageRow]:
        """Every person linked to the clinician whose name or email holds ``query``, with
        their last activity, sessions completed in the last ``WINDOW_DAYS``, weekly target
        and mean pain in the last two windows; each person's data only from the scope's
        ``since`` on. Three aggregate queries, whatever the number of people."""
        recent, earlier = now - timedelta(days=WINDOW_DAYS), now - timedelta(days=2 * WINDOW_DAYS)
        visible = sa.or_(LinkRow.since.is_(None), SessionRow.started_at >= LinkRow.since)
        with self._transaction() as db:
            people = sa.select(
                LinkRow.person_id, LinkRow.created_at, PersonRow.email, PersonRow.display_name,
                WeeklyTargetRow.sessions, LinkRow.since,
            ).join(PersonRow, PersonRow.id == LinkRow.person_id).outerjoin(
                WeeklyTargetRow, WeeklyTargetRow.person_id == LinkRow.person_id
            ).where(LinkRow.clinician_id == clinician_id)  # fmt: skip
            text = query.strip().lower()
            if text:
                people = people.where(sa.or_(
                    sa.func.lower(PersonRow.email).contains(text, autoescape=True),
                    sa.func.lower(PersonRow.display_name).contains(text, autoescape=True),
                ))  # fmt: skip
            found = db.execute(people).all()
            sessions = {
                pid: (last, done)
                for pid, last, done in db.execute(
                    sa.select(
                        SessionRow.person_id,
                        sa.func.max(SessionRow.started_at),
                        sa.func.count().filter(
                            SessionRow.status == "completed", SessionRow.started_at >= recent
                        ),
                    )
                    .join(LinkRow, LinkRow.person_id == SessionRow.person_id)
                    .where(LinkRow.clinician_id == clinician_id, visible)
                    .group_by(SessionRow.person_id)
                )
            }
            pains = self._pains(db, clinician_id, recent, earlier)
        rows = []
        for pid, linked_at, email, name, target, since in found:
            last, done = sessions.get(pid, (None, 0))
            last_checkin, recent_pain, earlier_pain = pains.get(pid, (None, None, None))
            moments = [t for t in (last, last_checkin) if t is not None]
            rows.append(
                TriageRow(
                    person_id=pid, email=email, display_name=name, linked_at=linked_at,
                    last_active=_aware(max(moments)) if moments else None, sessions=done,
                    weekly_target=target or DEFAULT_WEEKLY_TARGET,
                    target_is_default=target is None,
                    pain_recent=_round(recent_pain), pain_earlier=_round(earlier_pain),
                    since=since,
                )
            )  # fmt: skip
        return rows

    def _pains(
        self, db: Session, clinician_id: int, recent: datetime, earlier: datetime
    ) -> dict[int, tuple[datetime | None, float | None, float | None]]:
        """Per person: the last check-in, and mean pain (check-ins' morning pain and pain
        before sessions) in the recent window and the one before."""
        readings = sa.union_all(
            sa.select(CheckInRow.person_id.label("pid"), CheckInRow.at.label("at"),
                      CheckInRow.morning_pain.label("pain"), sa.literal(1).label("checkin")),
            sa.select(SessionRow.person_id, SessionRow.started_at, SessionRow.pain_before,
                      sa.literal(0)).where(SessionRow.pain_before.is_not(None)),
        ).subquery()  # fmt: skip
        at = readings.c.at
        query = (
            sa.select(
                readings.c.pid,
                sa.func.max(at).filter(readings.c.checkin == 1),
                sa.func.avg(sa.case((at >= recent, readings.c.pain))),
                sa.func.avg(sa.case((sa.and_(at >= earlier, at < recent), readings.c.pain))),
            )
            .join(LinkRow, LinkRow.person_id == readings.c.pid)
            .where(
                LinkRow.clinician_id == clinician_id,
                sa.or_(LinkRow.since.is_(None), at >= LinkRow.since),
            )
            .group_by(readings.c.pid)
        )
        return {pid: (_aware(last), _float(a), _float(b)) for pid, last, a, b in db.execute(query)}

    # -- weekly targets ------------------------------------------------------------------
    @retrying()
    def set_target(self, person_id: int, sessions: int | None, *, by: int, at: datetime) -> None:
        """Set the person's weekly target (None: back to the default)."""
        with self._transaction(write=True) as db:
            row = db.get(WeeklyTargetRow, person_id, with_for_update=True)
            if sessions is None:
                if row is not None:
                    db.delete(row)
                return
            if row is None:
                db.add(WeeklyTargetRow(person_id=person_id, sessions=sessions, set_by=by,
                                       set_at=at))  # fmt: skip
            else:
                row.sessions, row.set_by, row.set_at = sessions, by, at

    @retrying()
    def target(self, person_id: int) -> int | None:
        """The person's own weekly target (None: the default)."""
        with self._transaction() as db:
            row = db.get(WeeklyTargetRow, person_id)
            return None if row is None else row.sessions

    # -- programmes ----------------------------------------------------------------------
    @retrying()
    def start_programme(
        self, person_id: int, clinician_id: int, draft: ProgrammeDraft, at: datetime
    ) -> Programme:
        """A new active programme; the person's previous one (if any) ends in the same
        transaction, so one stays active."""
        with self._transaction(write=True) as db:
            db.get(PersonRow, person_id, with_for_update=True)  # one start at a time per person
            for old in db.scalars(
                sa.select(ProgrammeRow).where(
                    ProgrammeRow.person_id == person_id, ProgrammeRow.active
                )
            ):
                _end(db, old, clinician_id, at)
            row = ProgrammeRow(
                person_id=person_id, clinician_id=clinician_id, title=draft.title,
                days_per_week=draft.days_per_week, items=_items(draft), started_at=at,
                updated_at=at, ended_at=None, active=True, version=1,
            )  # fmt: skip
            db.add(row)
            db.flush()
            _event(db, row, clinician_id, ProgrammeAction.STARTED, at)
            return _programme(db, row)

    @retrying()
    def edit_programme(
        self, programme_id: int, clinician_id: int, draft: ProgrammeDraft, at: datetime
    ) -> Programme:
        """Change an active programme (NotFound when there is none of that id, or it ended)."""
        with self._transaction(write=True) as db:
            row = self._active_row(db, programme_id)
            row.title, row.days_per_week, row.items = (
                draft.title,
                draft.days_per_week,
                _items(draft),
            )
            row.updated_at, row.version = at, row.version + 1
            _event(db, row, clinician_id, ProgrammeAction.EDITED, at)
            return _programme(db, row)

    @retrying()
    def end_programme(self, programme_id: int, clinician_id: int, at: datetime) -> Programme:
        """End an active programme (NotFound when there is none of that id, or it ended)."""
        with self._transaction(write=True) as db:
            row = self._active_row(db, programme_id)
            _end(db, row, clinician_id, at)
            return _programme(db, row)

    def _active_row(self, db: Session, programme_id: int) -> ProgrammeRow:
        row = db.get(ProgrammeRow, programme_id, with_for_update=True) if self.fits(
            programme_id
        ) else None  # fmt: skip
        if row is None or not row.active:
            raise NotFound("active programme", programme_id)
        return row

    @retrying()
    def programme(self, programme_id: int) -> Programme:
        """One programme with its history (NotFound when there is none)."""
        with self._transaction() as db:
            row = db.get(ProgrammeRow, programme_id) if self.fits(programme_id) else None
            if row is None:
                raise NotFound("programme", programme_id)
            return _programme(db, row)

    @retrying()
    def active_programme(self, person_id: int) -> Programme | None:
        """The person's active programme, if any."""
        with self._transaction() as db:
            row = db.scalars(
                sa.select(ProgrammeRow).where(
                    ProgrammeRow.person_id == person_id, ProgrammeRow.active
                )
            ).first()
            return None if row is None else _programme(db, row)

    @retrying()
    def programmes(self, person_id: int) -> list[Programme]:
        """Every programme of the person, newest first, each with its history."""
        with self._transaction() as db:
            rows = db.scalars(
                sa.select(ProgrammeRow)
                .where(ProgrammeRow.person_id == person_id)
                .order_by(ProgrammeRow.started_at.desc(), ProgrammeRow.id.desc())
            ).all()
            return [_programme(db, row) for row in rows]

    # -- outcome measures ----------------------------------------------------------------
    @retrying()
    def add_outcome(
        self, person_id: int, kind: str, timepoint: str, data: dict[str, Any], at: datetime
    ) -> int:
        """Store one answered outcome measure; returns its id."""
        with self._transaction(write=True) as db:
            row = OutcomeRow(person_id=person_id, kind=kind, timepoint=timepoint, data=data,
                             at=at)  # fmt: skip
            db.add(row)
            db.flush()
            return row.id

    @retrying()
    def outcomes(self, person_id: int) -> list[tuple[datetime, str, str, dict[str, Any]]]:
        """The person's outcome measures, oldest first: (at, kind, timepoint, data)."""
        with self._transaction() as db:
            rows = db.scalars(
                sa.select(OutcomeRow)
                .where(OutcomeRow.person_id == person_id)
                .order_by(OutcomeRow.at, OutcomeRow.id)
            )
            return [(r.at, r.kind, r.timepoint, dict(r.data)) for r in rows]


def _items(draft: ProgrammeDraft) -> dict[str, Any]:
    return {"items": [item.model_dump(mode="json") for item in draft.items]}


def _snapshot(row: ProgrammeRow) -> dict[str, Any]:
    return {"title": row.title, "days_per_week": row.days_per_week, **row.items}


def _event(
    db: Session, row: ProgrammeRow, by: int | None, action: ProgrammeAction, at: datetime
) -> None:
    db.add(ProgrammeEventRow(programme_id=row.id, at=at, by_id=by, action=action.value,
                             snapshot=_snapshot(row)))  # fmt: skip


def _end(db: Session, row: ProgrammeRow, by: int | None, at: datetime) -> None:
    row.active, row.ended_at, row.updated_at = False, at, at
    _event(db, row, by, ProgrammeAction.ENDED, at)


def _programme(db: Session, row: ProgrammeRow) -> Programme:
    db.flush()
    events = db.scalars(
        sa.select(ProgrammeEventRow)
        .where(ProgrammeEventRow.programme_id == row.id)
        .order_by(ProgrammeEventRow.at, ProgrammeEventRow.id)
    )
    return Programme(
        id=row.id, person_id=row.person_id, clinician_id=row.clinician_id, title=row.title,
        days_per_week=row.days_per_week,
        items=[ProgrammeItem.model_validate(i) for i in row.items["items"]],
        started_at=row.started_at, updated_at=row.updated_at, ended_at=row.ended_at,
        active=row.active, version=row.version,
        events=[
            ProgrammeEvent(at=e.at, by_id=e.by_id, action=ProgrammeAction(e.action),
                           snapshot=ProgrammeDraft.model_validate(e.snapshot))
            for e in events
        ],
    )  # fmt: skip


def _aware(value: datetime | None) -> datetime | None:
    """Aggregates come back raw (naive on SQLite): in UTC, aware."""
    from datetime import UTC

    if value is None:
        return None
    if isinstance(value, str):  # SQLite's max() over a union gives text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
