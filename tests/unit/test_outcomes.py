"""services.outcomes: each exercise's history with the check-ins around each session."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from midback.domain.prescription import Prescription
from midback.domain.records import CheckIn, ExerciseLog, LogStatus, SessionRecord, SessionStatus
from midback.services.progress import outcomes

DOSE = Prescription(reps=10, tempo_s=3)


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def session(sid: int, when: datetime) -> SessionRecord:
    return SessionRecord(id=sid, person_id=1, plan={}, started_at=when,
                         status=SessionStatus.COMPLETED, pain_after=3)  # fmt: skip


def log(lid: int, sid: int, when: datetime) -> ExerciseLog:
    return ExerciseLog(id=lid, session_id=sid, position=0, exercise_id="cat-cow", target=DOSE,
                       actual=DOSE, status=LogStatus.COMPLETED, logged_at=when)  # fmt: skip


def checkin(cid: int, day: int, pain: int, hour: int = 7) -> CheckIn:
    return CheckIn(id=cid, person_id=1, day=date(2026, 11, day), morning_pain=pain,
                   at=at(day, hour))  # fmt: skip


def test_each_session_sees_the_check_in_before_it_and_the_next_morning() -> None:
    sessions = [session(1, at(10, 18)), session(2, at(12, 18))]
    logs = [log(1, 1, at(10, 18) + timedelta(minutes=5)), log(2, 2, at(12, 18))]
    checkins = [checkin(1, 9, 6), checkin(2, 10, 5), checkin(3, 11, 4), checkin(4, 13, 7)]
    found = outcomes(sessions, logs, checkins)["cat-cow"]
    assert [(o.morning_before, o.morning_after) for o in found] == [(5, 4), (4, 7)]


def test_a_check_in_later_the_same_day_does_not_count_as_before() -> None:
    sessions = [session(1, at(10, 8))]
    logs = [log(1, 1, at(10, 8))]
    checkins = [checkin(1, 9, 6), checkin(2, 10, 2, hour=20)]
    found = outcomes(sessions, logs, checkins)["cat-cow"]
    assert (found[0].morning_before, found[0].morning_after) == (6, None)


def test_a_decade_of_daily_sessions_pairs_each_with_its_mornings() -> None:
    start = datetime(2016, 1, 1, 18, tzinfo=UTC)
    sessions = [session(i, start + timedelta(days=i)) for i in range(3650)]
    logs = [log(i, i, start + timedelta(days=i)) for i in range(3650)]
    checkins = [
        CheckIn(id=i, person_id=1, day=(start + timedelta(days=i)).date(), morning_pain=i % 10,
                at=start + timedelta(days=i) - timedelta(hours=10))
        for i in range(3650)
    ]  # fmt: skip
    found = outcomes(sessions, logs, checkins)["cat-cow"]
    assert len(found) == 3650
    assert found[5].morning_before == 5 and found[5].morning_after == 6
