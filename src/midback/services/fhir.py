"""A patient's record as FHIR JSON (a ``collection`` Bundle), built and validated with the
``fhir.resources`` models of FHIR R4B (4.3, the R4 family: R4 readers take these resources as
they are).

What goes in: the ``Patient``; one ``Observation`` per 0-10 pain report (morning check-ins,
before and after each session, during an exercise), coded with LOINC 72514-3 "Pain severity -
0-10 verbal numeric rating [Score] - Reported" and an integer value; the current course, the
assigned programs and the clinicians' programmes (active or ended, each exercise with its dose
and note), each as a ``CarePlan`` whose activities are its exercises. Clinical notes are
the clinician's and stay out; so do the screens' answers.

Ids are stable: the same record gives the same Bundle (``urn:uuid`` names derived from the
person and the record's own ids).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:
    from midback.domain.catalogue import Catalogue
    from midback.domain.programme import Programme, ProgrammeItem
    from midback.services.clinical import PatientRecord

LOINC: Final = "http://loinc.org"
PAIN_CODE: Final = "72514-3"
PAIN_DISPLAY: Final = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
IDENTIFIER_SYSTEM: Final = "urn:midback:person"
_NAMESPACE: Final = uuid.UUID("5b0f7a52-4a44-4c8e-9d5f-6d6964626163")


class AssignedProgram(Protocol):
    """A program a clinician assigned (what the CarePlan needs of it)."""

    @property
    def program_id(self) -> str: ...
    @property
    def note(self) -> str | None: ...
    @property
    def assigned_at(self) -> datetime: ...


def record_bundle(
    record: PatientRecord,
    cat: Catalogue,
    *,
    name: str | None,
    email: str | None,
    assignments: Sequence[AssignedProgram] = (),
    programmes: Sequence[Programme] = (),
) -> dict[str, Any]:
    """The record as a FHIR R4B ``Bundle`` (JSON), validated by ``fhir.resources``: a
    ``pydantic.ValidationError`` here would be a bug in this module, never bad input."""
    from fhir.resources.R4B.bundle import Bundle

    person = record.person_id
    patient_url = _urn(person, "patient")
    entries: list[dict[str, Any]] = [
        {"fullUrl": patient_url, "resource": _patient(person, name, email)}
    ]
    for key, at, value, method in _pain_reports(record, cat):
        entries.append(
            {"fullUrl": _urn(person, key), "resource": _pain(patient_url, at, value, method)}
        )
    if record.course is not None:
        course = record.course.course
        entries.append({"fullUrl": _urn(person, f"course-{record.course.id}"), "resource": {
            "resourceType": "CarePlan",
            "status": "active",
            "intent": "plan",
            "title": f"midback course: {course.weeks} weeks, {course.phase.value} phase",
            "subject": {"reference": patient_url},
            "period": {"start": course.started_on.isoformat()},
            "activity": [_activity(cat, c.exercise_id) for c in course.core],
        }})  # fmt: skip
    for number, assigned in enumerate(assignments):
        program = cat.programs.get(assigned.program_id)
        title = program.name if program is not None else assigned.program_id
        plan: dict[str, Any] = {
            "resourceType": "CarePlan",
            "status": "active",
            "intent": "plan",
            "title": f"Assigned program: {title}",
            "subject": {"reference": patient_url},
            "created": _instant(assigned.assigned_at),
        }
        if program is not None:
            plan["activity"] = [_activity(cat, e.exercise_id) for e in program.entries]
        if assigned.note:
            plan["note"] = [{"text": assigned.note}]
        entries.append({"fullUrl": _urn(person, f"assignment-{number}"), "resource": plan})
    for programme in programmes:
        entries.append({"fullUrl": _urn(person, f"programme-{programme.id}"),
                        "resource": _programme(cat, patient_url, programme)})  # fmt: skip
    bundle = Bundle.model_validate({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _instant(record.now),
        "entry": entries,
    })  # fmt: skip
    document: dict[str, Any] = json.loads(bundle.model_dump_json(exclude_none=True))
    return document


def _urn(person_id: int, key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{person_id}/{key}')}"


def _instant(at: datetime) -> str:
    return at.isoformat()


def _patient(person_id: int, name: str | None, email: str | None) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": f"midback-{person_id}",
        "identifier": [{"system": IDENTIFIER_SYSTEM, "value": str(person_id)}],
    }
    if name:
        patient["name"] = [{"text": name}]
    if email:
        patient["telecom"] = [{"system": "email", "value": email}]
    return patient


def _pain(patient_url: str, at: datetime, value: int, method: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": CATEGORY, "code": "survey", "display": "Survey"}]}],
        "code": {
            "coding": [{"system": LOINC, "code": PAIN_CODE, "display": PAIN_DISPLAY}],
            "text": "Pain, 0 (none) to 10 (worst imaginable)",
        },
        "subject": {"reference": patient_url},
        "effectiveDateTime": _instant(at),
        "valueInteger": value,
        "method": {"text": method},
    }


def _pain_reports(record: PatientRecord, cat: Catalogue) -> list[tuple[str, datetime, int, str]]:
    """Every 0-10 pain the person reported: (stable key, when, value, how), oldest first."""
    reports: list[tuple[str, datetime, int, str]] = []
    for checkin in record.checkins:
        reports.append((f"checkin-{checkin.id}", checkin.at, checkin.morning_pain,
                        "Morning check-in"))  # fmt: skip
    for entry in record.sessions:
        session = entry.session
        if session.pain_before is not None:
            reports.append((f"session-{session.id}-before", session.started_at,
                            session.pain_before, "Before an exercise session"))  # fmt: skip
        for log in entry.logs:
            if log.pain is not None:
                name = _name(cat, log.exercise_id)
                how = "Pressed \u201cit hurts\u201d during" if log.status.value == (
                    "stopped_for_pain") else "During"  # fmt: skip
                reports.append((f"log-{log.id}", log.logged_at, log.pain, f"{how} {name}"))
        if session.pain_after is not None:
            reports.append((f"session-{session.id}-after", session.ended_at or session.started_at,
                            session.pain_after, "After an exercise session"))  # fmt: skip
    reports.sort(key=lambda report: report[1])
    return reports


def _name(cat: Catalogue, exercise_id: str) -> str:
    exercise = cat.exercises.get(exercise_id)
    return exercise.name if exercise is not None else exercise_id


def _programme(cat: Catalogue, patient_url: str, programme: Programme) -> dict[str, Any]:
    """A clinician's programme as a CarePlan: each exercise with its dose and note."""
    period = {"start": _instant(programme.started_at)}
    if programme.ended_at is not None:
        period["end"] = _instant(programme.ended_at)
    return {
        "resourceType": "CarePlan",
        "status": "active" if programme.active else "completed",
        "intent": "plan",
        "title": programme.title,
        "description": f"{programme.days_per_week} days a week",
        "subject": {"reference": patient_url},
        "period": period,
        "activity": [
            {"detail": {"status": "in-progress" if programme.active else "completed",
                        "code": {"text": _name(cat, item.exercise_id)},
                        "description": _dose(item)}}
            for item in programme.items
        ],
    }  # fmt: skip


def _dose(item: ProgrammeItem) -> str:
    parts = [f"{item.sets} set(s)"]
    if item.reps is not None:
        parts.append(f"{item.reps} reps")
    if item.hold_s is not None:
        parts.append(f"hold {item.hold_s} s")
    if item.breaths is not None:
        parts.append(f"{item.breaths} breaths")
    text = ", ".join(parts)
    return f"{text}. {item.note}" if item.note else text


def _activity(cat: Catalogue, exercise_id: str) -> dict[str, Any]:
    return {"detail": {"status": "in-progress", "code": {"text": _name(cat, exercise_id)}}}
