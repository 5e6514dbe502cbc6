"""Rows to records and back: how ``SqlRepository`` turns table rows into ``domain.records``
values (and records into row values)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from midback.domain.prescription import Prescription
from midback.domain.records import (
    CheckIn,
    CourseRecord,
    Effort,
    ExerciseLog,
    LogStatus,
    NewLog,
    ProgressionStep,
    ScreenRecord,
    SessionRecord,
    SessionStatus,
)
from midback.storage.tables import (
    CheckInRow,
    CourseRow,
    ExerciseLogRow,
    ProgressionRow,
    ScreenRow,
    SessionRow,
)


def session_values(record: SessionRecord) -> dict[str, Any]:
    values = record.model_dump(exclude={"id"})
    values["status"] = record.status.value
    return values


def session_record(row: SessionRow | sa.Row[Any], *, plan: bool = True) -> SessionRecord:
    # Every row was validated on its way in (``start_session``, ``finish_session``, imports) and
    # the table's constraints hold it: read back without validating the plan's JSON again,
    # which was most of the time of a history page.
    return SessionRecord.model_construct(
        id=row.id,
        person_id=row.person_id,
        plan=row.plan if plan else {},
        program_id=row.program_id,
        started_at=row.started_at,
        ended_at=row.ended_at,
        status=SessionStatus(row.status),
        pain_before=row.pain_before,
        pain_after=row.pain_after,
        effort=row.effort,
        note=row.note,
    )


def log_values(log: NewLog) -> dict[str, Any]:
    return {
        "position": log.position,
        "exercise_id": log.exercise_id,
        "variant": log.variant,
        "target": log.target.model_dump(mode="json"),
        "actual": None if log.actual is None else log.actual.model_dump(mode="json"),
        "status": log.status.value,
        "pain": log.pain,
        "logged_at": log.logged_at,
        "idempotency_key": log.idempotency_key,
        "effort": None if log.effort is None else log.effort.value,
    }


def log_record(row: ExerciseLogRow | sa.Row[Any]) -> ExerciseLog:
    return ExerciseLog(
        id=row.id,
        session_id=row.session_id,
        position=row.position,
        exercise_id=row.exercise_id,
        variant=row.variant,
        target=Prescription.model_validate(row.target),
        actual=None if row.actual is None else Prescription.model_validate(row.actual),
        status=LogStatus(row.status),
        pain=row.pain,
        logged_at=row.logged_at,
        idempotency_key=row.idempotency_key,
        effort=None if row.effort is None else Effort(row.effort),
    )


def checkin_record(row: CheckInRow | sa.Row[Any]) -> CheckIn:
    return CheckIn(
        id=row.id,
        person_id=row.person_id,
        day=row.day,
        morning_pain=row.morning_pain,
        stiffness=row.stiffness,
        at=row.at,
        idempotency_key=row.idempotency_key,
    )


def course_record(row: CourseRow | sa.Row[Any]) -> CourseRecord:
    return CourseRecord(
        id=row.id,
        person_id=row.person_id,
        started_at=row.started_at,
        updated_at=row.updated_at,
        active=row.active,
        state=row.state,
    )


def screen_record(row: ScreenRow | sa.Row[Any]) -> ScreenRecord:
    return ScreenRecord(
        id=row.id,
        person_id=row.person_id,
        at=row.at,
        answers=row.answers,
        verdict=row.verdict,
        result=row.result,
    )


def step_record(row: ProgressionRow) -> ProgressionStep:
    return ProgressionStep(
        person_id=row.person_id,
        exercise_id=row.exercise_id,
        step=row.step,
        reason=row.reason,
        updated_at=row.updated_at,
    )
