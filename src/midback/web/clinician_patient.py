"""A clinician's page per linked patient, and its JSON API: the record (sessions, check-ins,
screens, course, charts), alerts and their acknowledgement, clearance of a screen, clinical
notes, and exports of the record as CSV, PDF and FHIR R4B JSON.

Every route answers 404 for a patient not linked to the signed-in clinician (exactly like one
that does not exist) and 403 for someone who is not a clinician (``ClinicianId``). The routes
parse, call one use case of ``services.clinical``, and render.
"""

from __future__ import annotations

import csv
import io
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Form, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from midback.domain.accounts import Scope
from midback.domain.catalogue import Catalogue
from midback.domain.clinical import Ack, Alert, Clearance, ClinicalNote
from midback.errors import MidbackError, NotFound
from midback.services import clinical
from midback.services.clinical import ClinicalStore, PatientRecord
from midback.services.store import Repository
from midback.web.deps import Accounts, Cat, ClinicianId, Now, Repo
from midback.web.pain_chart import pain_chart
from midback.web.render import render
from midback.web.routing import SegmentRouter
from midback.web.security import check_csrf

router = SegmentRouter()
Csrf = Annotated[None, Depends(check_csrf)]
API = "/api/v1/clinician/patients/{person_id}"
PAGE = "/clinician/patients/{person_id}"
SESSIONS_SHOWN = 60
"""The page lists this many of the latest sessions (the exports carry them all)."""
_PDF_SLOTS = threading.BoundedSemaphore(2)


def _store(request: Request) -> ClinicalStore:
    """The clinical store on the app's database (made once per app)."""
    store: ClinicalStore | None = getattr(request.app.state, "clinical", None)
    if store is None:
        store = clinical.store_for(request.app.state.repo, request.app.state.accounts)
        if store is None:  # pragma: no cover - the app always has a database for accounts
            raise RuntimeError("no database for the clinical store")
        request.app.state.clinical = store
    return store


Store = Annotated[ClinicalStore, Depends(_store)]


class AckBody(BaseModel):
    """Which alert to acknowledge."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=120)


class ClearBody(BaseModel):
    """A clearance of one screen: for ``days`` (none: while the screen counts), with a note."""

    model_config = ConfigDict(extra="forbid")

    screen_id: int = Field(ge=1, le=2**31 - 1)
    days: int | None = Field(default=None, ge=1, le=clinical.CLEARANCE_MAX_DAYS)
    note: str | None = Field(default=None, max_length=clinical.NOTE_MAX)


class NoteBody(BaseModel):
    """A clinical note (never shown to the patient)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=clinical.NOTE_MAX)


# -- JSON API -------------------------------------------------------------------------------


@router.get("/api/v1/clinician/alerts", tags=["clinicians"])
def all_open_alerts(
    clinician: ClinicianId, accounts: Accounts, store: Store, cat: Cat, now: Now
) -> list[dict[str, Any]]:
    """The open alerts of every linked patient, urgent first (what needs attention)."""
    ids = [p.person_id for p in accounts.patients(clinician)]
    scopes = {p: s for p in ids if (s := accounts.scope(clinician, p)) is not None}
    found = clinical.open_alerts(store, clinician, ids, now=now, names=clinical.names_of(cat),
                                 scopes=scopes)  # fmt: skip
    return [a.model_dump(mode="json") for person in ids for a in found.get(person, [])]


@router.get(f"{API}/record", tags=["clinicians"])
def record_json(
    person_id: int, clinician: ClinicianId, accounts: Accounts, repo: Repo, store: Store,
    cat: Cat, now: Now,
) -> dict[str, Any]:  # fmt: skip
    """A linked patient's whole record: sessions with each exercise, check-ins, screens with
    their clearances, history, course, the clinician's notes and every alert."""
    record = _scoped_record(repo, store, cat, accounts, clinician, person_id, now)
    return record.to_json()


@router.get(f"{API}/alerts", tags=["clinicians"])
def alerts_json(
    person_id: int, clinician: ClinicianId, accounts: Accounts, store: Store, cat: Cat, now: Now
) -> list[Alert]:
    """A linked patient's alerts as they share them, acknowledged ones with who and when."""
    return clinical.patient_alerts(store, clinician, person_id, now=now,
                                   names=clinical.names_of(cat),
                                   scope=_scope(accounts, clinician, person_id))  # fmt: skip


@router.post(f"{API}/alerts/ack", tags=["clinicians"])
def ack_json(person_id: int, body: AckBody, clinician: ClinicianId, store: Store, now: Now) -> Ack:
    """Acknowledge one alert (404 when no such alert stands)."""
    return clinical.acknowledge(store, clinician, person_id, body.key, now=now)


@router.get(f"{API}/clearances", tags=["clinicians"])
def clearances_json(person_id: int, clinician: ClinicianId, store: Store) -> list[Clearance]:
    """Every clearance of the patient's screens, oldest first."""
    clinical.require_linked(store, clinician, person_id)
    return store.clearances(person_id)


@router.post(f"{API}/clearances", tags=["clinicians"], status_code=status.HTTP_201_CREATED)
def clear_json(
    person_id: int, body: ClearBody, clinician: ClinicianId, store: Store, now: Now
) -> Clearance:
    """Clear one urgent or doctor screen to exercise (422 for an emergency screen)."""
    return clinical.clear_screen(store, clinician, person_id, body.screen_id, now=now,
                                 days=body.days, note=body.note)  # fmt: skip


@router.post(f"{API}/clearances/{{clearance_id}}/revoke", tags=["clinicians"])
def revoke_json(
    person_id: int, clearance_id: int, clinician: ClinicianId, store: Store, now: Now
) -> Clearance:
    """Withdraw one's own clearance: the screen refuses plans again."""
    return clinical.revoke_clearance(store, clinician, person_id, clearance_id, now=now)


@router.get(f"{API}/notes", tags=["clinicians"])
def notes_json(person_id: int, clinician: ClinicianId, store: Store) -> list[ClinicalNote]:
    """The clinician's own notes about the patient, oldest first."""
    clinical.require_linked(store, clinician, person_id)
    return store.notes(person_id, clinician)


@router.post(f"{API}/notes", tags=["clinicians"], status_code=status.HTTP_201_CREATED)
def note_json(
    person_id: int, body: NoteBody, clinician: ClinicianId, store: Store, now: Now
) -> ClinicalNote:
    """Keep a clinical note (never shown to the patient)."""
    return clinical.add_note(store, clinician, person_id, body.text, now=now)


@router.get(f"{API}/export.fhir.json", tags=["clinicians"])
def export_fhir(
    person_id: int, clinician: ClinicianId, accounts: Accounts, repo: Repo, store: Store,
    cat: Cat, now: Now,
) -> Response:  # fmt: skip
    """The record as a FHIR R4B Bundle: Patient, pain Observations (LOINC 72514-3), CarePlans."""
    from midback.services.fhir import record_bundle
    from midback.services.workspace import programmes_of

    record = _scoped_record(repo, store, cat, accounts, clinician, person_id, now)
    who = _who(accounts, clinician, person_id)
    programmes = programmes_of(repo, accounts, clinician, person_id)
    bundle = record_bundle(record, cat, name=who.name, email=who.email,
                           assignments=accounts.assignments(person_id),
                           programmes=programmes)  # fmt: skip
    return JSONResponse(bundle, media_type="application/fhir+json",
                        headers=_attachment(f"patient-{person_id}.fhir.json"))  # fmt: skip


@router.get(f"{API}/export.csv", tags=["clinicians"])
def export_csv(
    person_id: int, clinician: ClinicianId, accounts: Accounts, repo: Repo, store: Store,
    cat: Cat, now: Now,
) -> Response:  # fmt: skip
    """The record as CSV: one row per session, exercise, check-in, screen, clearance, note."""
    record = _scoped_record(repo, store, cat, accounts, clinician, person_id, now)
    return Response(record_csv(record, clinical.names_of(cat)), media_type="text/csv",
                    headers=_attachment(f"patient-{person_id}.csv"))  # fmt: skip


@router.get(f"{API}/export.pdf", tags=["clinicians"])
async def export_pdf(
    request: Request, person_id: int, clinician: ClinicianId, accounts: Accounts, repo: Repo,
    store: Store, cat: Cat, now: Now,
) -> Response:  # fmt: skip
    """The record as a PDF to print or file (the clinician's notes marked as theirs)."""
    record = await run_in_threadpool(
        _scoped_record, repo, store, cat, accounts, clinician, person_id, now
    )
    who = _who(accounts, clinician, person_id)
    templates = request.app.state.templates
    html = templates.get_template("clinician_record_print.html").render(
        record=record, who=who, names=clinical.names_of(cat), now=now
    )
    data = await run_in_threadpool(_pdf, html)
    return Response(data, media_type="application/pdf",
                    headers=_attachment(f"patient-{person_id}.pdf"))  # fmt: skip


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    from midback.web.pdfs import WAIT_S, PdfBusy

    if not _PDF_SLOTS.acquire(timeout=WAIT_S):
        raise PdfBusy()
    try:
        data: bytes = HTML(string=html).write_pdf()
        return data
    finally:
        _PDF_SLOTS.release()


def _scoped_record(
    repo: Repository,
    store: ClinicalStore,
    cat: Catalogue,
    accounts: Accounts,
    clinician: int,
    person_id: int,
    now: datetime,
) -> PatientRecord:
    """The patient's record as far as their consent lets this clinician see it (the JSON, the
    CSV, the PDF and the FHIR export all read it so)."""
    return clinical.patient_record(
        repo,
        store,
        cat,
        clinician,
        person_id,
        now=now,
        scope=_scope(accounts, clinician, person_id),
    )


def _scope(accounts: Accounts, clinician: int, person_id: int) -> Scope:
    """What the patient lets this clinician see (NotFound when not linked)."""
    scope = accounts.scope(clinician, person_id)
    if scope is None:
        raise NotFound("person", person_id)
    return scope


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@dataclass(frozen=True)
class Who:
    """How the patient is named on the page and in exports."""

    name: str | None
    email: str | None

    @property
    def label(self) -> str:
        return self.name or self.email or "Patient"


def _who(accounts: Accounts, clinician: int, person_id: int) -> Who:
    for patient in accounts.patients(clinician):
        if patient.person_id == person_id:
            name = getattr(patient, "display_name", None)
            return Who(name if isinstance(name, str) and name else None, patient.email)
    return Who(None, None)


# -- CSV ------------------------------------------------------------------------------------

CSV_COLUMNS = ("type", "when", "session", "exercise", "status", "pain", "pain_before",
               "pain_after", "effort", "stiffness", "verdict", "by", "until", "note")  # fmt: skip


def record_csv(record: PatientRecord, names: dict[str, str]) -> bytes:
    """The record as CSV (UTF-8 with a BOM, for spreadsheets); text that a spreadsheet would
    run as a formula is quoted with a leading apostrophe."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="raise")
    writer.writeheader()
    rows: list[dict[str, Any]] = []
    for entry in reversed(record.sessions):
        s = entry.session
        rows.append({"type": "session", "when": _iso(s.started_at), "session": s.id,
                     "status": s.status.value, "pain_before": s.pain_before,
                     "pain_after": s.pain_after, "effort": s.effort, "note": s.note})  # fmt: skip
        for log in entry.logs:
            rows.append({"type": "exercise", "when": _iso(log.logged_at), "session": s.id,
                         "exercise": names.get(log.exercise_id, log.exercise_id),
                         "status": log.status.value, "pain": log.pain})  # fmt: skip
    for checkin in reversed(record.checkins):
        rows.append({"type": "checkin", "when": _iso(checkin.at), "pain": checkin.morning_pain,
                     "stiffness": checkin.stiffness})  # fmt: skip
    for screen in reversed(record.screens):
        rows.append({"type": "screen", "when": _iso(screen.screen.at),
                     "verdict": screen.screen.verdict})  # fmt: skip
        for c in screen.clearances:
            rows.append({"type": "clearance", "when": _iso(c.at), "verdict": screen.screen.verdict,
                         "by": f"clinician {c.clinician_id}",
                         "until": _iso(c.revoked_at or c.expires_at), "note": c.note})  # fmt: skip
        if screen.self_clearance is not None:
            mark = screen.self_clearance
            rows.append({"type": "self_clearance", "when": _iso(mark.at),
                         "verdict": screen.screen.verdict, "by": "the patient",
                         "note": "did not lift the verdict (a clinician is linked)"
                         if mark.linked else "self-cleared"})  # fmt: skip
    for note in reversed(record.notes):
        rows.append({"type": "clinical_note (not shown to the patient)", "when": _iso(note.at),
                     "by": f"clinician {note.clinician_id}", "note": note.text})  # fmt: skip
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in CSV_COLUMNS})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# -- the page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdherenceBar:
    """One week's sessions against the target, laid out for the SVG."""

    label: str
    completed: int
    target: int
    x: float
    y: float
    height: float
    target_y: float


def adherence_bars(record: PatientRecord, *, weeks: int = 12) -> list[AdherenceBar]:
    """The latest ``weeks`` weeks' completed sessions as bars (chart 360 x 160, 0 at y=140)."""
    shown = record.history.weeks[-weeks:]
    top = max([1, *(w.completed for w in shown), *(w.target for w in shown)])
    width = 300 / max(1, len(shown))
    return [
        AdherenceBar(
            label=w.start.strftime("%d %b"),
            completed=w.completed,
            target=w.target,
            x=40 + i * width + 4,
            y=140 - 120 * w.completed / top,
            height=120 * w.completed / top,
            target_y=140 - 120 * w.target / top,
        )
        for i, w in enumerate(shown)
    ]


@router.get(PAGE, response_class=HTMLResponse, include_in_schema=False)
def patient_page(
    request: Request, person_id: int, clinician: ClinicianId, accounts: Accounts, repo: Repo,
    store: Store, cat: Cat, now: Now, message: str | None = None,
) -> Response:  # fmt: skip
    """The patient's page: what needs attention, then the whole record."""
    scope = _scope(accounts, clinician, person_id)
    record = clinical.patient_record(repo, store, cat, clinician, person_id, now=now, scope=scope)
    return render(
        request, "clinician_patient.html", record=record, who=_who(accounts, clinician, person_id),
        names=clinical.names_of(cat), chart=pain_chart(record.history),
        adherence=adherence_bars(record), assignments=accounts.assignments(person_id),
        sessions=record.sessions[:SESSIONS_SHOWN], alerts=record.open_alerts,
        acknowledged=[a for a in record.alerts if a.acknowledged], now=now,
        message=message, cat=cat, clinician_id=clinician, scope=scope, is_clinician=True,
    )  # fmt: skip


def _back(person_id: int, message: str) -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse(f"/clinician/patients/{person_id}?message={quote(message)}",
                            status_code=303)  # fmt: skip


def _refused(request: Request, error: MidbackError) -> HTMLResponse:
    return render(request, "error.html", status_code=422, status=422, message=str(error))


@router.post(f"{PAGE}/alerts/ack", include_in_schema=False)
def ack_form(
    person_id: int, _: Csrf, clinician: ClinicianId, accounts: Accounts, store: Store, now: Now,
    key: Annotated[str, Form(min_length=1, max_length=120)],
) -> Response:  # fmt: skip
    """Acknowledge an alert from the page, then back to it."""
    scope = _scope(accounts, clinician, person_id)
    clinical.acknowledge(store, clinician, person_id, key, now=now, scope=scope)
    return _back(person_id, "Alert acknowledged.")


@router.post(f"{PAGE}/clearances", include_in_schema=False)
def clear_form(
    request: Request, person_id: int, _: Csrf, clinician: ClinicianId, store: Store, now: Now,
    screen_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    days: Annotated[str, Form(max_length=4)] = "",
    note: Annotated[str, Form(max_length=clinical.NOTE_MAX)] = "",
) -> Response:  # fmt: skip
    """Clear a screen from the page (days empty: while the screen counts)."""
    clinical.require_linked(store, clinician, person_id)
    if days.strip() and not days.strip().isdigit():
        error = clinical.ClearanceRefused(f"days: a whole number of days, not {days!r}")
        return _refused(request, error)
    try:
        clinical.clear_screen(store, clinician, person_id, screen_id, now=now,
                              days=int(days) if days.strip() else None, note=note)  # fmt: skip
    except clinical.ClearanceRefused as error:
        return _refused(request, error)
    return _back(person_id, "Screen cleared: the patient may exercise within its limits.")


@router.post(f"{PAGE}/clearances/{{clearance_id}}/revoke", include_in_schema=False)
def revoke_form(
    person_id: int, clearance_id: int, _: Csrf, clinician: ClinicianId, store: Store, now: Now
) -> Response:
    """Withdraw a clearance from the page."""
    clinical.revoke_clearance(store, clinician, person_id, clearance_id, now=now)
    return _back(person_id, "Clearance withdrawn: the screen refuses plans again.")


@router.post(f"{PAGE}/notes", include_in_schema=False)
def note_form(
    request: Request, person_id: int, _: Csrf, clinician: ClinicianId, store: Store, now: Now,
    text: Annotated[str, Form(max_length=clinical.NOTE_MAX)] = "",
) -> Response:  # fmt: skip
    """Keep a clinical note from the page."""
    try:
        clinical.add_note(store, clinician, person_id, text, now=now)
    except clinical.NoteRefused as error:
        return _refused(request, error)
    return _back(person_id, "Note kept (not shown to the patient).")
