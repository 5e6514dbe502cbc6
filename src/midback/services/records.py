"""Records use cases: the morning check-in and the history summary (weekly pain, the
meaningful-improvement mark, adherence, streak), each on the person's own calendar day.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from midback.services.clock import zone_for, zone_named

if TYPE_CHECKING:
    from midback.domain.catalogue import Catalogue
    from midback.domain.history import History
    from midback.domain.records import CheckIn, SessionOutline, SessionRecord
    from midback.services.courses import DosePoint
    from midback.services.session_marks import Done
    from midback.storage.repository import Repository


def checkin(
    repo: Repository,
    person_id: int,
    *,
    pain: int,
    stiffness: int | None,
    at: datetime,
    idempotency_key: str | None = None,
) -> CheckIn:
    """Record this morning's pain (and stiffness); a second check-in today replaces the first,
    and a retry with the same ``idempotency_key`` changes nothing."""
    day = at.astimezone(zone_for(repo, person_id)).date()
    return repo.add_checkin(person_id, day, pain, stiffness, at, idempotency_key=idempotency_key)


def person_history(
    repo: Repository,
    person_id: int,
    *,
    now: datetime | None = None,
    today: date | None = None,
    weekly_target: int | None = None,
) -> History:
    """Weekly pain, the meaningful-improvement mark, adherence and streak, on the person's own
    days (``today``: a day already worked out by the caller). A read: nothing is written; the
    summary is kept in the store's caches until the person's next write."""
    zone = zone_for(repo, person_id)
    if today is None:
        if now is None:
            raise TypeError("person_history needs now (or today)")
        today = now.astimezone(zone).date()
    day = today
    what = ("history", day, weekly_target)
    return repo.caches.people.get(
        repo,
        person_id,
        what,
        lambda: read_history(repo, person_id, day, weekly_target, zone=zone),
        today=day,
    )


@dataclass(frozen=True)
class HistoryView:
    """Everything the history shows, in both faces: the summary, the latest sessions (without
    their plans; each with the status it reads as now), what was done in each, and the active
    course's core doses."""

    history: History
    sessions: list[SessionRecord]
    marks: dict[int, Done]
    doses: dict[str, list[DosePoint]]
    zone: tzinfo | None = None
    """The person's time zone, which the days were counted in and the sessions' times are shown
    in; None: this machine's."""


@dataclass(frozen=True)
class _ViewBase:
    """What a history view reads apart from check-ins (kept while the person's base revision
    stays the same: a check-in reads only the morning pains again)."""

    sessions: list[SessionRecord]
    marks: dict[int, Done]
    doses: dict[str, list[DosePoint]]
    outlines: list[SessionOutline]


def history_view(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    *,
    now: datetime,
    limit: int,
    weekly_target: int | None = None,
) -> HistoryView:
    """The person's history as both faces show it. A read, kept in the store's caches until the
    person's next write (or the next day): a view again reads the person's zone and revision,
    not their sessions and logs. Only the sessions' status is worked out at ``now`` each time (a
    running session idle for six hours reads as interrupted); while none changes, the view is
    the same object each time."""
    from midback.services.courses import core_doses
    from midback.services.session_marks import what_was_done
    from midback.services.sessions import status_as_of

    def read_base() -> _ViewBase:
        sessions = repo.list_sessions(person_id, limit=limit)  # with plans: their length
        return _ViewBase(
            sessions=[s.model_copy(update={"plan": {}}) for s in sessions],  # kept light
            marks=what_was_done(repo, person_id, sessions),
            doses=core_doses(repo, cat, person_id),
            outlines=repo.session_outlines(person_id),
        )

    def read(base: _ViewBase) -> HistoryView:
        mornings = repo.morning_pains(person_id)
        return HistoryView(
            history=summarise(base.outlines, mornings, today, weekly_target, zone=zone),
            sessions=base.sessions,
            marks=base.marks,
            doses=base.doses,
            zone=zone,
        )

    people = repo.caches.people
    with repo.reading():
        state = repo.person_state(person_id)
        zone = zone_named(state.zone)
        today = now.astimezone(zone).date()
        what = ("history-view", limit, weekly_target)
        base = people.get(repo, person_id, (*what, "base"), read_base, today=today, same=cat,
                          revision=state.base)  # fmt: skip
        kept = people.get(repo, person_id, what, lambda: read(base), today=today, same=cat,
                          revision=state.revision)  # fmt: skip
    statuses = [status_as_of(s, now) for s in kept.sessions]
    if all(status is s.status for status, s in zip(statuses, kept.sessions, strict=True)):
        return kept  # the same object while nothing changed: a page may keep what it made of it
    sessions = [
        s.model_copy(update={"status": status})
        for s, status in zip(kept.sessions, statuses, strict=True)
    ]
    return HistoryView(kept.history, sessions, kept.marks, kept.doses, kept.zone)


def read_history(
    repo: Repository,
    person_id: int,
    today: date,
    weekly_target: int | None = None,
    *,
    zone: tzinfo | None = None,
) -> History:
    """``person_history`` read from the store every time (no cache)."""
    outlines = repo.session_outlines(person_id)
    return summarise(outlines, repo.morning_pains(person_id), today, weekly_target, zone=zone)


def summarise(
    sessions: list[SessionOutline],
    mornings: list[tuple[date, int]],
    today: date,
    weekly_target: int | None = None,
    *,
    zone: tzinfo | None = None,
) -> History:
    """The history summary of the person's session outlines and morning pains (pure)."""
    from midback.domain.history import (
        DEFAULT_WEEKLY_TARGET,
        PainReading,
        SessionDay,
        history,
        local_day,
    )
    from midback.domain.records import SessionStatus

    readings = [PainReading(day, pain, True) for day, pain in mornings]
    readings += [
        PainReading(local_day(s.started_at, zone), s.pain_before, False)
        for s in sessions
        if s.pain_before is not None
    ]
    days = [
        SessionDay(local_day(s.started_at, zone), s.status is SessionStatus.COMPLETED)
        for s in sessions
    ]
    target = weekly_target or DEFAULT_WEEKLY_TARGET
    return history(readings, days, today=today, weekly_target=target)


def export_json(repo: Repository, person_id: int) -> dict[str, Any]:
    """Everything the person recorded, as one versioned JSON-ready document (lossless)."""
    from midback.storage import exchange

    return exchange.export_json(repo, person_id)


def export_csv(repo: Repository, person_id: int, path: Path) -> int:
    """The person's exercise logs with their sessions as CSV at ``path``; how many rows."""
    from midback.storage import exchange

    return exchange.export_csv(repo, person_id, path)


def export_csv_bytes(repo: Repository, person_id: int) -> bytes:
    """``export_csv`` in memory (for a download)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "midback.csv"
        export_csv(repo, person_id, path)
        return path.read_bytes()


def import_json(
    repo: Repository, person_id: int, data: Mapping[str, Any], *, now: datetime
) -> dict[str, int]:
    """Store an export's records for the person, all or nothing (ImportFileError names the
    first bad record); how many of each kind."""
    from midback.storage import exchange

    return exchange.import_json(repo, person_id, data, now=now)


def checkins(repo: Repository, person_id: int) -> list[CheckIn]:
    """The person's check-ins, oldest first."""
    return repo.checkins(person_id)


def todays_checkins(repo: Repository, person_id: int, *, now: datetime) -> list[CheckIn]:
    """The person's check-ins of their today (at most one: a second replaces the first)."""
    return repo.checkins(person_id, since=now.astimezone(zone_for(repo, person_id)).date())
