"""Clinical safety use cases for a clinician's linked patients (server mode): alerts and their
acknowledgement, clearance of a screen by the clinician, the person's own clearance, clinical
notes, and the patient's record as the clinician's page and exports show it.

Every use case that names a patient checks first that the clinician is linked to them
(``NotFound`` otherwise, exactly like a patient who does not exist). Alerts are derived from
the records on each read (``domain.clinical.alerts``); reads never write.

The safety gate (``services.planning.screened_request``) asks ``lifts`` whether a blocking
verdict is lifted, and ``record_self_clearance`` keeps the person's own tick; see
``domain.clinical`` for who may lift what.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

from midback.domain.accounts import Scope
from midback.domain.clinical import (
    ALERT_WINDOW_DAYS,
    PAIN_RISE_DAYS,
    Ack,
    Alert,
    Clearance,
    ClinicalNote,
    Decision,
    SelfClearance,
    alerts,
    decide,
    open_only,
    self_assessed_lifted,
)
from midback.domain.records import CheckIn, ExerciseLog, ScreenRecord, SessionRecord
from midback.domain.safety import ScreenResult, Verdict
from midback.errors import MidbackError, NotFound
from midback.storage.clinical import ClinicalStore as ClinicalStore

if TYPE_CHECKING:
    import sqlalchemy as sa

    from midback.domain.catalogue import Catalogue
    from midback.domain.history import History
    from midback.services.courses import CourseView
    from midback.storage.repository import Repository

NOTE_MAX: Final = 4000
"""The longest clinical note, in characters."""
CLEARANCE_MAX_DAYS: Final = 365
"""A clearance may be given for at most this many days."""


class ClearanceRefused(MidbackError):
    """A clearance that cannot be given (an emergency screen, one that blocks nothing, an
    expiry in the past): 422, naming why."""


class NoteRefused(MidbackError):
    """A clinical note that is empty or too long: 422, naming why."""


# -- the store ------------------------------------------------------------------------------


def store_for(repo: Repository | object, accounts: object | None = None) -> ClinicalStore | None:
    """The clinical store on ``repo``'s database (or the accounts', for a fake repository in
    tests); None when neither has one (a fake without a database: nothing is recorded)."""
    engine = getattr(repo, "engine", None) or getattr(accounts, "_engine", None)
    if engine is None:
        return None
    return _sql_store(engine)


@lru_cache(maxsize=8)
def _sql_store(engine: sa.Engine) -> ClinicalStore:
    from midback.storage.clinical import SqlClinical

    return SqlClinical(engine)


def require_linked(store: ClinicalStore, clinician_id: int, person_id: int) -> None:
    """NotFound unless the person is linked to the clinician."""
    if not store.is_linked(clinician_id, person_id):
        raise NotFound("person", person_id)


# -- the gate -------------------------------------------------------------------------------


def decision(
    repo: Repository,
    person_id: int,
    verdict: Verdict,
    *,
    screen_at: datetime | None,
    self_tick: bool,
    now: datetime,
) -> Decision:
    """Whether the person's screen (the stored one taken at ``screen_at``; None: answers given
    inline, never stored) is lifted: by a clinician's clearance of it in force at ``now``, or by
    the person's own tick when no clinician is linked. A read: nothing is written."""
    if verdict not in (Verdict.URGENT, Verdict.DOCTOR):
        return Decision(lifted=False)
    store = store_for(repo)
    if store is None:  # no database (a fake in tests): the tick counts as it always did
        return decide(verdict, clearances=[], linked=False, self_tick=self_tick, now=now)
    clearances: list[Clearance] = []
    if screen_at is not None:
        screen = store.screen_at(person_id, screen_at)
        if screen is not None:
            clearances = store.clearances(person_id, screen_id=screen.id)
    linked = store.has_clinician(person_id)
    return decide(verdict, clearances=clearances, linked=linked, self_tick=self_tick, now=now)


def lifts(
    repo: Repository,
    person_id: int,
    verdict: Verdict,
    *,
    screen_at: datetime | None,
    self_tick: bool,
    now: datetime,
) -> bool:
    """``decision(...).lifted``: what the gate passes to ``check_allowed(cleared=...)``."""
    return decision(
        repo, person_id, verdict, screen_at=screen_at, self_tick=self_tick, now=now
    ).lifted


def record_self_clearance(
    repo: Repository, person_id: int, verdict: Verdict, *, screen_at: datetime | None,
    now: datetime,
) -> SelfClearance | None:  # fmt: skip
    """Keep the person's own tick on a blocking stored screen (once per screen; a repeat
    changes nothing): it shows in their record and, where a clinician is linked, raises an
    alert. None when there is nothing to record (no stored screen, not blocking, no store)."""
    if screen_at is None or verdict not in (Verdict.EMERGENCY, Verdict.URGENT, Verdict.DOCTOR):
        return None
    store = store_for(repo)
    if store is None:
        return None
    screen = store.screen_at(person_id, screen_at)
    if screen is None:
        return None
    linked = store.has_clinician(person_id)
    return store.record_self_clearance(person_id, screen.id, at=now, linked=linked)


def check_allowed_for(
    repo: Repository,
    person_id: int,
    result: ScreenResult,
    *,
    screen_at: datetime | None,
    self_tick: bool,
    now: datetime,
    record: bool = True,
) -> bool:
    """The gate's check, with clearance: ScreenBlocked unless self-guided exercise is allowed.

    Replaces ``check_allowed(result, cleared=request.cleared)``: an emergency always refuses;
    urgent and doctor refuse unless a linked clinician's clearance of this stored screen is in
    force, or the person ticked "cleared" and no clinician is linked. A tick on a blocking
    stored screen is recorded (once per screen), lifting or not; where it lifted nothing the
    refusal says why (``record``: only when the person acts on it, a session starting; a page
    that only shows a plan writes nothing). Returns whether the verdict was lifted (the
    request's ``cleared``).
    """
    from midback.domain.clinical import SELF_CLEARED_LINKED
    from midback.domain.safety import check_allowed
    from midback.errors import ScreenBlocked

    if not result.blocking:
        return False
    if self_tick and record:
        record_self_clearance(repo, person_id, result.verdict, screen_at=screen_at, now=now)
    made = decision(repo, person_id, result.verdict, screen_at=screen_at, self_tick=self_tick,
                    now=now)  # fmt: skip
    try:
        check_allowed(result, cleared=made.lifted)
    except ScreenBlocked as blocked:
        if self_tick and result.verdict is not Verdict.EMERGENCY:
            reasons = [*blocked.reasons, ("clinician_clears", SELF_CLEARED_LINKED)]
            raise ScreenBlocked(blocked.verdict, reasons) from None
        raise
    return made.lifted


# -- alerts ---------------------------------------------------------------------------------


def patient_alerts(
    store: ClinicalStore,
    clinician_id: int,
    person_id: int,
    *,
    now: datetime,
    names: dict[str, str] | None = None,
    scope: Scope | None = None,
) -> list[Alert]:
    """Every alert of a linked patient, acknowledged ones included, as ``scope`` shows them
    (``within``; None: all). NotFound: not linked."""
    require_linked(store, clinician_id, person_id)
    found = _alerts(store, clinician_id, [person_id], now=now, names=names)[person_id]
    return within(found, scope)


def within(found: list[Alert], scope: Scope | None) -> list[Alert]:
    """The alerts ``scope`` lets the clinician see: none about what came before
    ``scope.since``; in a summary scope, a quoted note is left out (the person's own words
    are part of the full record)."""
    if scope is None:
        return found
    shown = [a for a in found if scope.shows(a.at)]
    return shown if scope.full else [_summary(a) for a in shown]


def open_alerts(
    store: ClinicalStore,
    clinician_id: int,
    person_ids: Sequence[int],
    *,
    now: datetime,
    names: dict[str, str] | None = None,
    scopes: dict[int, Scope] | None = None,
) -> dict[int, list[Alert]]:
    """The open (unacknowledged) alerts of each of these people, urgent first, then newest,
    each as its scope in ``scopes`` shows them (``within``; a person without one: all).

    ``person_ids`` are the clinician's patients (``accounts.patients``); anyone not linked to
    the clinician is left out, so a wrong id shows nothing. A few queries for all of them.
    """
    mine = store.patient_ids(clinician_id)
    linked = [p for p in dict.fromkeys(person_ids) if p in mine]
    found = _alerts(store, clinician_id, linked, now=now, names=names)
    scopes = scopes or {}
    return {person: open_only(within(found[person], scopes.get(person))) for person in linked}


def _alerts(
    store: ClinicalStore,
    clinician_id: int,
    person_ids: Sequence[int],
    *,
    now: datetime,
    names: dict[str, str] | None,
) -> dict[int, list[Alert]]:
    facts = store.facts(person_ids, since=now - timedelta(days=ALERT_WINDOW_DAYS),
                        recent=now - timedelta(days=PAIN_RISE_DAYS + 1))  # fmt: skip
    acks = store.acks(clinician_id, person_ids)
    return {
        person: alerts(
            facts[person],
            now=now,
            acks={key: ack for (p, key), ack in acks.items() if p == person},
            names=names,
        )
        for person in person_ids
    }


def acknowledge(
    store: ClinicalStore,
    clinician_id: int,
    person_id: int,
    key: str,
    *,
    now: datetime,
    scope: Scope | None = None,
) -> Ack:
    """Acknowledge one of the patient's alerts (who, when); acknowledging again keeps the
    first. NotFound: the patient is not linked, or no such alert stands now within ``scope``."""
    current = patient_alerts(store, clinician_id, person_id, now=now, scope=scope)
    if key not in {a.key for a in current}:
        raise NotFound("alert", key)
    return store.acknowledge(person_id, clinician_id, key, at=now)


def names_of(cat: Catalogue) -> dict[str, str]:
    """Exercise names by id, for the words of alerts."""
    return {exercise_id: e.name for exercise_id, e in cat.exercises.items()}


# -- clearance ------------------------------------------------------------------------------


def clear_screen(
    store: ClinicalStore,
    clinician_id: int,
    person_id: int,
    screen_id: int,
    *,
    now: datetime,
    days: int | None = None,
    note: str | None = None,
) -> Clearance:
    """The clinician clears a linked patient's screen to exercise: its urgent or doctor verdict
    no longer refuses plans (for ``days``, or as long as the screen counts). Its conditions
    still limit every plan. The screen's alert is acknowledged with it.

    ClearanceRefused for an emergency screen (nobody lifts that: the person needs emergency
    care, then a new screen), a screen that blocks nothing, or ``days`` out of range.
    """
    require_linked(store, clinician_id, person_id)
    screen = store.screen(person_id, screen_id)
    if screen.verdict == Verdict.EMERGENCY.value:
        raise ClearanceRefused(
            "screen: an emergency screen cannot be cleared, by anyone: the person needs "
            "emergency care now; once they have been seen, they take the screen again"
        )
    if screen.verdict not in (Verdict.URGENT.value, Verdict.DOCTOR.value):
        raise ClearanceRefused(f"screen: its verdict ({screen.verdict}) blocks nothing to clear")
    if days is not None and not 1 <= days <= CLEARANCE_MAX_DAYS:
        raise ClearanceRefused(f"days: from 1 to {CLEARANCE_MAX_DAYS} (or none: no expiry)")
    expires = now + timedelta(days=days) if days is not None else None
    text = (note or "").strip() or None
    if text is not None and len(text) > NOTE_MAX:
        raise ClearanceRefused(f"note: at most {NOTE_MAX} characters")
    clearance = store.add_clearance(person_id, clinician_id, screen_id, at=now,
                                    expires_at=expires, note=text)  # fmt: skip
    store.acknowledge(person_id, clinician_id, f"screen:{screen_id}", at=now)
    return clearance


def revoke_clearance(
    store: ClinicalStore, clinician_id: int, person_id: int, clearance_id: int, *, now: datetime
) -> Clearance:
    """Withdraw the clinician's own clearance: the screen refuses plans again at once."""
    require_linked(store, clinician_id, person_id)
    return store.revoke_clearance(person_id, clinician_id, clearance_id, at=now)


# -- clinical notes -------------------------------------------------------------------------


def add_note(
    store: ClinicalStore, clinician_id: int, person_id: int, text: str, *, now: datetime
) -> ClinicalNote:
    """Keep a clinician's note about a linked patient (never shown to the patient)."""
    require_linked(store, clinician_id, person_id)
    clean = text.strip()
    if not clean:
        raise NoteRefused("text: write the note first (it is empty)")
    if len(clean) > NOTE_MAX:
        raise NoteRefused(f"text: at most {NOTE_MAX} characters (this one has {len(clean)})")
    return store.add_note(person_id, clinician_id, clean, at=now)


# -- the record -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionEntry:
    """A session with its exercises as logged."""

    session: SessionRecord
    logs: list[ExerciseLog]


@dataclass(frozen=True)
class ScreenEntry:
    """A screen with what was done about it: clinicians' clearances and the person's tick."""

    screen: ScreenRecord
    clearances: list[Clearance]
    self_clearance: SelfClearance | None
    cleared_now: Clearance | None
    """The clearance in force now, if any."""
    self_assessed: str | None
    """The blocking verdict the person's "a clinician has examined me" answer avoided."""


@dataclass(frozen=True)
class PatientRecord:
    """A linked patient's record as their clinician sees it (newest first throughout)."""

    person_id: int
    now: datetime
    sessions: list[SessionEntry]
    checkins: list[CheckIn]
    screens: list[ScreenEntry]
    history: History
    course: CourseView | None
    notes: list[ClinicalNote]
    alerts: list[Alert]

    @property
    def open_alerts(self) -> list[Alert]:
        return open_only(self.alerts)

    def to_json(self) -> dict[str, Any]:
        """The record as JSON (``GET /api/v1/clinician/patients/{id}/record``)."""
        return {
            "person_id": self.person_id,
            "sessions": [
                {
                    **e.session.model_dump(mode="json", exclude={"plan"}),
                    "logs": [log.model_dump(mode="json") for log in e.logs],
                }
                for e in self.sessions
            ],
            "checkins": [c.model_dump(mode="json") for c in self.checkins],
            "screens": [
                {
                    **e.screen.model_dump(mode="json"),
                    "clearances": [c.model_dump(mode="json") for c in e.clearances],
                    "self_clearance": (
                        e.self_clearance.model_dump(mode="json") if e.self_clearance else None
                    ),
                    "cleared_now": e.cleared_now is not None,
                    "self_assessed": e.self_assessed,
                }
                for e in self.screens
            ],
            "history": self.history.model_dump(mode="json"),
            "course": self.course.to_json() if self.course else None,
            "clinical_notes": [n.model_dump(mode="json") for n in self.notes],
            "alerts": [a.model_dump(mode="json") for a in self.alerts],
        }


def patient_record(
    repo: Repository,
    store: ClinicalStore,
    cat: Catalogue,
    clinician_id: int,
    person_id: int,
    *,
    now: datetime,
    scope: Scope | None = None,
    course: Callable[[], CourseView | None] | None = None,
) -> PatientRecord:
    """A linked patient's record as ``scope`` lets the clinician see it (NotFound: not
    linked). A read: nothing is written. None: the whole record.

    ``scope.since`` hides every record made before it, alerts included. A summary scope (not
    ``full``) keeps the pain and adherence trend, the course, the alerts (a quoted note left
    out) and the latest screen, which the clinician needs to clear it; sessions, check-ins and
    older screens are left out. ``course`` reads the current course (default:
    ``services.courses``).
    """
    require_linked(store, clinician_id, person_id)
    scope = scope or Scope(full=True)
    sessions = [s for s in repo.list_sessions(person_id, plans=False)
                if scope.shows(s.started_at)]  # fmt: skip
    by_session: dict[int, list[ExerciseLog]] = {}
    for log in repo.logs_for_person(person_id, since=scope.since):
        by_session.setdefault(log.session_id, []).append(log)
    marks = {m.screen_id: m for m in store.self_clearances(person_id)}
    cleared: dict[int, list[Clearance]] = {}
    for clearance in store.clearances(person_id):
        cleared.setdefault(clearance.screen_id, []).append(clearance)
    screens = [
        ScreenEntry(
            screen=s,
            clearances=cleared.get(s.id, []),
            self_clearance=marks.get(s.id),
            cleared_now=next((c for c in reversed(cleared.get(s.id, [])) if c.in_force(now)), None),
            self_assessed=self_assessed_lifted(s),
        )
        for s in reversed(repo.screens(person_id))
        if scope.shows(s.at)
    ]
    checkins = [c for c in reversed(repo.checkins(person_id)) if scope.shows(c.at)]
    found = patient_alerts(store, clinician_id, person_id, now=now, names=names_of(cat),
                           scope=scope)  # fmt: skip
    if not scope.full:
        sessions, checkins, screens = [], [], screens[:1]
    return PatientRecord(
        person_id=person_id,
        now=now,
        sessions=[SessionEntry(s, by_session.get(s.id, [])) for s in sessions],
        checkins=checkins,
        screens=screens,
        history=_history(repo, person_id, scope, now=now),
        course=(course or (lambda: _course(repo, cat, person_id, now)))(),
        notes=list(reversed(store.notes(person_id, clinician_id))),
        alerts=found,
    )


def _summary(alert: Alert) -> Alert:
    """``alert`` as a summary scope shows it: the person's own words left out."""
    from midback.domain.clinical import AlertKind

    if alert.kind is not AlertKind.NOTE:
        return alert
    return alert.model_copy(update={"detail": "The note is part of the full record, which the "
                                              "patient has not shared with you."})  # fmt: skip


def _history(repo: Repository, person_id: int, scope: Scope, *, now: datetime) -> History:
    from midback.services.clock import today_for

    if scope.since is None:
        from midback.services.records import person_history

        return person_history(repo, person_id, now=now)
    from midback.services.workspace import scoped_history

    return scoped_history(repo, person_id, scope, today=today_for(repo, person_id, now),
                          weekly_target=None)  # fmt: skip


def _course(repo: Repository, cat: Catalogue, person_id: int, now: datetime) -> CourseView | None:
    from midback.services import courses

    try:
        return courses.course_view(repo, cat, person_id, now=now)
    except courses.NoCourse:
        return None
