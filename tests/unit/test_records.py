"""Records hold what midback remembers; they check their own values and keep time in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from midback.domain.prescription import Prescription
from midback.domain.records import (
    CheckIn,
    ExerciseLog,
    LogStatus,
    NewLog,
    ProgressionStep,
    SessionRecord,
    SessionStatus,
)

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def a_session(**changes: object) -> SessionRecord:
    values: dict[str, object] = {
        "id": 1,
        "person_id": 1,
        "plan": {"blocks": [{"exercise_id": "cat-cow"}]},
        "started_at": T0,
    }
    return SessionRecord.model_validate(values | changes)


def a_log(**changes: object) -> NewLog:
    values: dict[str, object] = {
        "position": 0,
        "exercise_id": "cat-cow",
        "target": Prescription(reps=10),
        "status": "completed",
        "logged_at": T0,
    }
    return NewLog.model_validate(values | changes)


def test_a_new_session_is_running_with_nothing_reported_yet() -> None:
    session = a_session()
    assert session.status is SessionStatus.RUNNING
    assert session.ended_at is None
    assert session.pain_before is None


def test_times_in_another_zone_are_converted_to_utc() -> None:
    paris = timezone(timedelta(hours=1))
    session = a_session(started_at=datetime(2025, 3, 1, 9, 0, tzinfo=paris))
    assert session.started_at == T0
    assert session.started_at.tzinfo is UTC


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        a_session(started_at=datetime(2025, 3, 1, 8, 0))


@pytest.mark.parametrize("pain", [-1, 11])
def test_pain_outside_0_to_10_is_refused(pain: int) -> None:
    with pytest.raises(ValidationError):
        a_session(pain_before=pain)
    with pytest.raises(ValidationError):
        a_log(pain=pain)


def test_an_unknown_log_status_is_refused() -> None:
    with pytest.raises(ValidationError, match="completed"):
        a_log(status="dnoe")


def test_statuses_read_from_their_text() -> None:
    assert a_log(status="stopped_for_pain").status is LogStatus.STOPPED_FOR_PAIN
    assert a_session(status="interrupted").status is SessionStatus.INTERRUPTED


def test_a_stored_log_is_a_new_log_with_an_id_and_a_session() -> None:
    new = a_log(actual={"reps": 8})
    stored = ExerciseLog(id=7, session_id=3, **dict(new))
    assert stored.actual == Prescription(reps=8)
    assert (stored.id, stored.session_id, stored.target) == (7, 3, new.target)


def test_a_log_position_cannot_be_negative() -> None:
    with pytest.raises(ValidationError):
        a_log(position=-1)


def test_records_are_frozen_and_refuse_unknown_fields() -> None:
    session = a_session()
    with pytest.raises(ValidationError):
        session.status = SessionStatus.QUIT  # type: ignore[misc]
    with pytest.raises(ValidationError, match="extra"):
        a_session(colour="blue")


def test_a_checkin_needs_a_morning_pain_score() -> None:
    checkin = CheckIn(id=1, person_id=1, day=T0.date(), morning_pain=3, at=T0)
    assert checkin.stiffness is None
    with pytest.raises(ValidationError):
        CheckIn.model_validate({"id": 1, "person_id": 1, "day": "2025-03-01", "at": T0})


def test_a_progression_step_needs_an_exercise() -> None:
    with pytest.raises(ValidationError):
        ProgressionStep(person_id=1, exercise_id="", step=1, reason="easy", updated_at=T0)
