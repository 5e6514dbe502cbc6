"""The clinician's workspace (server mode): the triage list, each person's weekly target,
programmes a clinician builds, the scope each person grants, and invites.

Every use case that names a patient checks that the clinician is linked to them (NotFound
otherwise, exactly like a person who does not exist). What a clinician sees of a person is
what the person granted (``scope_for``): a summary or the full record, and only from the
link on unless they included earlier data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from midback.domain.accounts import AccountError, Scope
from midback.domain.measures import (
    Answered,
    Outcomes,
    Psfs,
    Timepoint,
    check_answer,
    outcomes,
)
from midback.domain.plans import Plan, PlanRequest
from midback.domain.programme import (
    Programme,
    ProgrammeDraft,
    ProgrammeError,
    check_draft,
    to_plan,
)
from midback.domain.triage import MAX_WEEKLY_TARGET, MIN_WEEKLY_TARGET, SortKey, TriagePage, page_of
from midback.domain.vocab import Place
from midback.errors import MidbackError, NotFound

if TYPE_CHECKING:
    import sqlalchemy as sa

    from midback.domain.catalogue import Catalogue
    from midback.domain.clinical import Alert
    from midback.domain.history import History
    from midback.domain.safety import ScreenResult
    from midback.storage.accounts import SqlAccounts
    from midback.storage.repository import Repository
    from midback.storage.workspace import SqlWorkspace


class ProgrammeRefused(AccountError):
    """A programme that cannot start now (a blocking screen, no current screen, a running
    course): 409, saying what to do first."""


class TargetError(MidbackError):
    """A weekly target outside its range (422)."""


# -- the store ------------------------------------------------------------------------------


def workspace_for(repo: object, accounts: object | None = None) -> SqlWorkspace:
    """The workspace store on ``repo``'s database (or the accounts', for a fake repository)."""
    engine = getattr(repo, "engine", None) or getattr(accounts, "_engine", None)
    if engine is None:
        raise MidbackError("the clinician's workspace needs a database")
    return _sql_workspace(engine)


@lru_cache(maxsize=8)
def _sql_workspace(engine: sa.Engine) -> SqlWorkspace:
    from midback.storage.workspace import SqlWorkspace

    return SqlWorkspace(engine)


# -- consent --------------------------------------------------------------------------------


def scope_for(accounts: SqlAccounts, clinician_id: int, person_id: int) -> Scope:
    """What the person lets this clinician see (NotFound when they are not linked): show the
    full record only when ``scope.full``, and only records with ``scope.shows(at)``."""
    scope = accounts.scope(clinician_id, person_id)
    if scope is None:
        raise NotFound("person", person_id)
    return scope


def scoped_history(
    repo: Repository, person_id: int, scope: Scope, *, today: date, weekly_target: int | None
) -> History:
    """The person's weekly pain and adherence from the records ``scope`` shows (a read)."""
    from midback.domain.history import (
        DEFAULT_WEEKLY_TARGET,
        PainReading,
        SessionDay,
        history,
        local_day,
    )
    from midback.domain.records import SessionStatus

    sessions = [s for s in repo.list_sessions(person_id, plans=False) if scope.shows(s.started_at)]
    checkins = [c for c in repo.checkins(person_id) if scope.shows(c.at)]
    readings = [PainReading(c.day, c.morning_pain, True) for c in checkins]
    readings += [
        PainReading(local_day(s.started_at), s.pain_before, False)
        for s in sessions
        if s.pain_before is not None
    ]
    days = [SessionDay(local_day(s.started_at), s.status is SessionStatus.COMPLETED)
            for s in sessions]  # fmt: skip
    target = weekly_target or DEFAULT_WEEKLY_TARGET
    return history(readings, days, today=today, weekly_target=target)


# -- triage ---------------------------------------------------------------------------------


def triage(
    repo: Repository,
    accounts: SqlAccounts,
    cat: Catalogue,
    clinician_id: int,
    *,
    now: datetime,
    query: str = "",
    sort: SortKey = SortKey.ALERTS,
    descending: bool | None = None,
    page: int = 1,
) -> TriagePage:
    """One page of the clinician's linked people, searched by name or email and sorted; the
    numbers are aggregated in SQL for everyone at once, the alerts counted by
    ``services.clinical.open_alerts`` for everyone at once."""
    return dashboard(repo, accounts, cat, clinician_id, now=now, query=query, sort=sort,
                     descending=descending, page=page).page  # fmt: skip


@dataclass(frozen=True)
class Dashboard:
    """The clinician's workspace page: the triage page, and every open alert of the people
    searched for (urgent first, then newest), with each person's name."""

    page: TriagePage
    alerts: list[Alert]
    names: dict[int, str]


def dashboard(
    repo: Repository,
    accounts: SqlAccounts,
    cat: Catalogue,
    clinician_id: int,
    *,
    now: datetime,
    query: str = "",
    sort: SortKey = SortKey.ALERTS,
    descending: bool | None = None,
    page: int = 1,
) -> Dashboard:
    """``triage`` with the open alerts themselves (each within what its person shares)."""
    rows = workspace_for(repo, accounts).triage(clinician_id, now, query=query[:100])
    since = {r.person_id: r.since for r in rows}
    found = open_alerts_of(repo, accounts, cat, clinician_id, since, now)
    rows = [r.model_copy(update={"alerts": len(found.get(r.person_id, []))}) for r in rows]
    alerts = sorted((a for each in found.values() for a in each),
                    key=lambda a: (not a.urgent, -a.at.timestamp()))  # fmt: skip
    return Dashboard(
        page=page_of(rows, sort=sort, descending=descending, page=page, query=query),
        alerts=alerts,
        names={r.person_id: r.name for r in rows},
    )


def open_alerts_of(
    repo: Repository,
    accounts: SqlAccounts,
    cat: Catalogue,
    clinician_id: int,
    since: dict[int, datetime | None],
    now: datetime,
) -> dict[int, list[Alert]]:
    """Open alerts per person (``services.clinical.open_alerts``), keeping only those about
    what each person shares (``since``: the scope's start, None for everything)."""
    from midback.services import clinical

    store = clinical.store_for(repo, accounts)
    if store is None or not since:
        return {}
    found = clinical.open_alerts(store, clinician_id, list(since), now=now,
                                 names=clinical.names_of(cat))  # fmt: skip
    return {
        person: [a for a in alerts if Scope(since=since.get(person)).shows(a.at)]
        for person, alerts in found.items()
    }


def set_weekly_target(
    repo: Repository,
    accounts: SqlAccounts,
    clinician_id: int,
    person_id: int,
    sessions: int | None,
    *,
    now: datetime,
) -> None:
    """Set a linked person's own weekly target (None: back to the default)."""
    scope_for(accounts, clinician_id, person_id)
    if sessions is not None and not MIN_WEEKLY_TARGET <= sessions <= MAX_WEEKLY_TARGET:
        raise TargetError(
            f"weekly_target: {sessions} is outside {MIN_WEEKLY_TARGET}-{MAX_WEEKLY_TARGET}"
        )
    workspace_for(repo, accounts).set_target(person_id, sessions, by=clinician_id, at=now)


def weekly_target(repo: Repository, accounts: SqlAccounts, person_id: int) -> int | None:
    """The person's own weekly target (None: the default)."""
    return workspace_for(repo, accounts).target(person_id)


# -- programmes -----------------------------------------------------------------------------


def patient_limits(
    repo: Repository, person_id: int, *, now: datetime
) -> tuple[ScreenResult, PlanRequest, bool]:
    """The person's current screen, the limits it sets, and whether its verdict is lifted for
    self-guided exercise (ok or caution, or urgent or doctor cleared by a clinician; never an
    emergency). ScreenRequired when there is no screen or it is over 30 days old."""
    from midback.domain.safety import Verdict
    from midback.services.clinical import lifts
    from midback.services.screening import apply_screen, current_screen, stored_screen

    result = current_screen(repo, person_id, now=now)
    stored = stored_screen(repo, person_id)
    lifted = not result.blocking or (
        result.verdict is not Verdict.EMERGENCY
        and lifts(
            repo,
            person_id,
            result.verdict,
            screen_at=stored.at if stored else None,
            self_tick=False,
            now=now,
        )
    )
    base = PlanRequest(minutes=1, place=Place.HOME, cleared=lifted and result.blocking)
    return result, apply_screen(base, result), lifted


def check_programme(
    repo: Repository, cat: Catalogue, person_id: int, draft: ProgrammeDraft, *, now: datetime
) -> None:
    """Refuse a programme the person may not do now: ProgrammeRefused when their screen is
    missing, out of date, or blocks self-guided exercise without a clinician's clearance;
    ProgrammeLimited naming the rule for an exercise their limits rule out; ProgrammeError for
    a dose outside the catalogue's range."""
    from midback.errors import ScreenRequired

    try:
        result, limits, lifted = patient_limits(repo, person_id, now=now)
    except ScreenRequired as error:
        raise ProgrammeRefused(f"screen: {error.reasons[0][1]}") from None
    if not lifted:
        raise ProgrammeRefused(
            f"screen: this person's latest safety screen says {result.verdict.value}: "
            "self-guided exercise is refused until a clinician clears that screen"
            + (" (an emergency is never cleared)" if result.verdict.value == "emergency" else "")
        )
    check_draft(cat, draft, limits)


def start_programme(
    repo: Repository,
    accounts: SqlAccounts,
    cat: Catalogue,
    clinician_id: int,
    person_id: int,
    draft: ProgrammeDraft,
    *,
    now: datetime,
) -> Programme:
    """Start a programme for a linked person; their previous programme ends. Refused while
    they follow a course (one active programme or course per person: end the course first)."""
    from midback.services.courses import active

    scope_for(accounts, clinician_id, person_id)
    if active(repo, person_id) is not None:
        raise ProgrammeRefused(
            "course: this person is following a course; stop the course first, then start "
            "the programme (one programme or course at a time)"
        )
    check_programme(repo, cat, person_id, draft, now=now)
    return workspace_for(repo, accounts).start_programme(person_id, clinician_id, draft, now)


def edit_programme(
    repo: Repository,
    accounts: SqlAccounts,
    cat: Catalogue,
    clinician_id: int,
    programme_id: int,
    draft: ProgrammeDraft,
    *,
    now: datetime,
) -> Programme:
    """Change a linked person's active programme, checked like a new one."""
    store = workspace_for(repo, accounts)
    current = _clinicians_programme(store, accounts, clinician_id, programme_id)
    check_programme(repo, cat, current.person_id, draft, now=now)
    return store.edit_programme(programme_id, clinician_id, draft, now)


def end_programme(
    repo: Repository, accounts: SqlAccounts, clinician_id: int, programme_id: int, *, now: datetime
) -> Programme:
    """End a linked person's active programme."""
    store = workspace_for(repo, accounts)
    _clinicians_programme(store, accounts, clinician_id, programme_id)
    return store.end_programme(programme_id, clinician_id, now)


def programmes_of(
    repo: Repository, accounts: SqlAccounts, clinician_id: int, person_id: int
) -> list[Programme]:
    """A linked person's programmes, newest first, each with its history."""
    scope_for(accounts, clinician_id, person_id)
    return workspace_for(repo, accounts).programmes(person_id)


def _clinicians_programme(
    store: SqlWorkspace, accounts: SqlAccounts, clinician_id: int, programme_id: int
) -> Programme:
    programme = store.programme(programme_id)
    if accounts.scope(clinician_id, programme.person_id) is None:
        raise NotFound("programme", programme_id)
    return programme


def my_programme(repo: Repository, accounts: SqlAccounts, person_id: int) -> Programme | None:
    """The person's own active programme, if any."""
    return workspace_for(repo, accounts).active_programme(person_id)


def programme_plan(
    repo: Repository,
    accounts: SqlAccounts,
    cat: Catalogue,
    person_id: int,
    programme_id: int,
    *,
    now: datetime,
) -> Plan:
    """The session plan of the person's own active programme ``programme_id`` (NotFound for
    anyone else's, or one that ended), checked against their screen as every session is:
    ScreenRequired or ScreenBlocked from the gate, ProgrammeLimited when a later screen rules
    an exercise out."""
    from midback.domain.safety import check_allowed

    programme = workspace_for(repo, accounts).active_programme(person_id)
    if programme is None or programme.id != programme_id:
        raise NotFound("programme", programme_id)
    result, limits, lifted = patient_limits(repo, person_id, now=now)
    check_allowed(result, cleared=lifted)
    return to_plan(cat, programme.draft, limits)


# -- outcome measures -----------------------------------------------------------------------


def my_outcomes(repo: Repository, accounts: SqlAccounts, person_id: int, *, now: datetime
                ) -> Outcomes:  # fmt: skip
    """The person's PSFS and GROC answers and the timepoint due now."""
    return _outcomes(workspace_for(repo, accounts), person_id, now, Scope())


def answer_outcomes(
    repo: Repository,
    accounts: SqlAccounts,
    person_id: int,
    timepoint: Timepoint,
    psfs: Psfs,
    groc: int | None,
    *,
    now: datetime,
) -> Outcomes:
    """Keep the person's answers for the timepoint due (MeasureError when it is not due, or
    the answer does not fit it); returns their measures afterwards."""
    store = workspace_for(repo, accounts)
    current = _outcomes(store, person_id, now, Scope())
    check_answer(current, timepoint, psfs, groc)
    store.add_outcome(person_id, "psfs", timepoint.value, psfs.model_dump(mode="json"), now)
    if groc is not None:
        store.add_outcome(person_id, "groc", timepoint.value, {"score": groc}, now)
    return _outcomes(store, person_id, now, Scope())


def patient_outcomes(
    repo: Repository, accounts: SqlAccounts, clinician_id: int, person_id: int, *, now: datetime
) -> Outcomes:
    """A linked person's measures as the clinician may see them (from the scope's ``since``
    on), for the partial ``_outcomes.html`` on the patient's page."""
    scope = scope_for(accounts, clinician_id, person_id)
    return _outcomes(workspace_for(repo, accounts), person_id, now, scope)


def _outcomes(store: SqlWorkspace, person_id: int, now: datetime, scope: Scope) -> Outcomes:
    found: dict[str, dict[str, object]] = {}
    for at, kind, point, data in store.outcomes(person_id):
        if not scope.shows(at):
            continue
        entry = found.setdefault(point, {"timepoint": point, "at": at})
        entry["psfs" if kind == "psfs" else "groc"] = data if kind == "psfs" else data["score"]
    answered = [Answered.model_validate(e) for e in found.values()]
    return outcomes(answered, now)


def names(cat: Catalogue) -> Callable[[str], str]:
    """The catalogue name of an exercise id (the id itself when unknown)."""
    return lambda exercise_id: (
        cat.exercises[exercise_id].name if exercise_id in cat.exercises else exercise_id
    )


__all__ = [
    "Dashboard",
    "ProgrammeError",
    "ProgrammeRefused",
    "TargetError",
    "answer_outcomes",
    "check_programme",
    "dashboard",
    "edit_programme",
    "end_programme",
    "my_outcomes",
    "my_programme",
    "names",
    "open_alerts_of",
    "patient_limits",
    "patient_outcomes",
    "programme_plan",
    "programmes_of",
    "scope_for",
    "scoped_history",
    "set_weekly_target",
    "start_programme",
    "triage",
    "weekly_target",
    "workspace_for",
]
