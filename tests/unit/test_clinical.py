"""Who lifts a blocking screen, and the alert rules, as pure functions (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from midback.domain.clinical import (
    PAIN_RISE_POINTS,
    Ack,
    AlertKind,
    Clearance,
    Facts,
    alerts,
    decide,
    open_only,
    pain_rise,
)
from midback.domain.records import CheckIn, ScreenRecord, SessionRecord, SessionStatus
from midback.domain.safety import Verdict

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)


def clearance(*, expires: datetime | None = None, revoked: datetime | None = None) -> Clearance:
    return Clearance(
        id=1,
        person_id=2,
        clinician_id=3,
        screen_id=4,
        at=NOW - timedelta(days=1),
        expires_at=expires,
        revoked_at=revoked,
    )


@pytest.mark.parametrize("verdict", [Verdict.URGENT, Verdict.DOCTOR])
def test_a_clearance_in_force_lifts_urgent_and_doctor(verdict: Verdict) -> None:
    made = decide(verdict, clearances=[clearance()], linked=True, self_tick=False, now=NOW)
    assert made.lifted and made.clearance == clearance()


def test_nothing_lifts_an_emergency() -> None:
    for linked in (True, False):
        made = decide(
            Verdict.EMERGENCY, clearances=[clearance()], linked=linked, self_tick=True, now=NOW
        )
        assert not made.lifted


def test_an_expired_or_withdrawn_clearance_lifts_nothing() -> None:
    for old in (clearance(expires=NOW), clearance(revoked=NOW - timedelta(seconds=1))):
        assert not decide(
            Verdict.DOCTOR, clearances=[old], linked=True, self_tick=False, now=NOW
        ).lifted
    later = clearance(expires=NOW + timedelta(seconds=1))
    assert decide(Verdict.DOCTOR, clearances=[later], linked=True, self_tick=False, now=NOW).lifted


def test_the_persons_tick_counts_only_without_a_clinician() -> None:
    linked = decide(Verdict.DOCTOR, clearances=[], linked=True, self_tick=True, now=NOW)
    alone = decide(Verdict.DOCTOR, clearances=[], linked=False, self_tick=True, now=NOW)
    assert (linked.lifted, linked.self_cleared) == (False, True)
    assert (alone.lifted, alone.self_cleared) == (True, True)
    assert not decide(Verdict.DOCTOR, clearances=[], linked=False, self_tick=False, now=NOW).lifted


def facts(**changes: object) -> Facts:
    base: dict[str, object] = {
        "person_id": 2,
        "latest_screen": None,
        "screens": [],
        "sessions": [],
        "logs": [],
        "checkins": [],
        "self_clearances": [],
    }
    return Facts(**{**base, **changes})  # type: ignore[arg-type]


def checkin(day: date, pain: int, number: int) -> CheckIn:
    at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
    return CheckIn(id=number, person_id=2, day=day, morning_pain=pain, at=at)


def test_pain_rise_needs_two_readings_in_each_week() -> None:
    today = NOW.date()
    few = [checkin(today - timedelta(days=10), 1, 1), checkin(today, 9, 2)]
    assert pain_rise(facts(checkins=few), today=today) is None
    enough = [
        *few,
        checkin(today - timedelta(days=9), 1, 3),
        checkin(today - timedelta(days=1), 9, 4),
    ]
    rise = pain_rise(facts(checkins=enough), today=today)
    assert rise is not None and rise.change == 8 >= PAIN_RISE_POINTS


def test_session_pain_before_counts_as_a_reading() -> None:
    sessions = [
        SessionRecord(
            id=n,
            person_id=2,
            plan={},
            started_at=NOW - timedelta(days=days),
            status=SessionStatus.COMPLETED,
            pain_before=pain,
        )
        for n, (days, pain) in enumerate(((12, 2), (9, 2), (3, 4), (1, 4)), 1)
    ]
    found = alerts(facts(sessions=sessions), now=NOW)
    assert [a.kind for a in found] == [AlertKind.PAIN_RISE]


def test_an_acknowledged_alert_is_kept_but_not_open() -> None:
    screen = ScreenRecord(
        id=7,
        person_id=2,
        at=NOW,
        answers={},
        verdict="emergency",
        result={"reasons": [{"id": "chest_pain", "message": "Chest pain."}]},
    )
    ack = Ack(person_id=2, clinician_id=3, key="screen:7", at=NOW)
    found = alerts(facts(latest_screen=screen), now=NOW, acks={"screen:7": ack})
    assert [(a.key, a.urgent, a.detail, a.acknowledged) for a in found] == [
        ("screen:7", True, "Chest pain.", ack)
    ]
    assert open_only(found) == []
    ok = screen.model_copy(update={"verdict": "ok"})
    assert alerts(facts(latest_screen=ok), now=NOW) == []
