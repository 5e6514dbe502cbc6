"""Clinical safety on SQLite and PostgreSQL: each alert rule with the record it points at,
acknowledgement, a clinician's clearance of one screen (expiry, withdrawal, condition limits),
the person's own tick, clinical notes, and isolation between clinicians."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from midback.domain.accounts import Role
from midback.domain.answers import Answers
from midback.domain.catalogue import Catalogue
from midback.domain.clinical import Alert, AlertKind
from midback.domain.prescription import Prescription
from midback.domain.records import LogStatus, NewLog, SessionStatus
from midback.domain.safety import ScreenResult, Verdict, check_allowed, screen
from midback.errors import NotFound, ScreenBlocked
from midback.services import clinical
from midback.storage import SqlRepository, make_engine, upgrade
from midback.storage.accounts import SqlAccounts
from midback.storage.clinical import SqlClinical
from tests.integration.helpers import screen_answers

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)


@dataclass
class World:
    repo: SqlRepository
    accounts: SqlAccounts
    store: SqlClinical
    clinician: int
    patient: int
    other_clinician: int
    other_patient: int

    def take_screen(self, person: int, *, at: datetime = NOW, **answers: Any) -> int:
        data = screen_answers(**answers)
        result = screen(Answers.model_validate(data))
        record = self.repo.save_screen(person, data, result.verdict.value, result.to_json(), at)
        return record.id

    def session(
        self,
        *,
        at: datetime = NOW - timedelta(days=1),
        status: SessionStatus = SessionStatus.COMPLETED,
        logs: tuple[tuple[LogStatus, int | None], ...] = (),
        pain_before: int | None = None,
        pain_after: int | None = None,
        note: str | None = None,
    ) -> tuple[int, list[int]]:
        started = self.repo.start_session(
            self.patient, plan={}, program_id=None, started_at=at, pain_before=pain_before
        )
        ids = []
        for position, (log_status, pain) in enumerate(logs):
            log = self.repo.log_exercise(
                self.patient,
                started.id,
                NewLog(
                    position=position,
                    exercise_id="cat-cow",
                    target=Prescription(reps=8),
                    status=log_status,
                    pain=pain,
                    logged_at=at + timedelta(minutes=position + 1),
                ),
            )
            ids.append(log.id)
        self.repo.finish_session(
            self.patient,
            started.id,
            status=status,
            ended_at=at + timedelta(minutes=10),
            pain_after=pain_after,
            note=note,
        )
        return started.id, ids

    def alerts(self, *, now: datetime = NOW) -> list[Alert]:
        return clinical.patient_alerts(self.store, self.clinician, self.patient, now=now)

    def open(self, *, now: datetime = NOW) -> list[Alert]:
        found = clinical.open_alerts(self.store, self.clinician, [self.patient], now=now)
        return found[self.patient]


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    engine = make_engine(database_url)
    upgrade(engine)
    repo = SqlRepository(engine)
    accounts = SqlAccounts(engine)
    ids = {}
    for name, role in (
        ("carol", Role.CLINICIAN),
        ("alice", Role.PERSON),
        ("dave", Role.CLINICIAN),
        ("bob", Role.PERSON),
    ):
        ids[name] = accounts.create(f"{name}@example.org", "x", role=role, at=NOW).id
    for clinician, person in (("carol", "alice"), ("dave", "bob")):
        code = accounts.new_invite(ids[clinician], NOW, valid_for=timedelta(days=1)).code
        accounts.accept_invite(ids[person], code, NOW)
    store = clinical.store_for(repo)
    assert isinstance(store, SqlClinical)
    yield World(repo, accounts, store, ids["carol"], ids["alice"], ids["dave"], ids["bob"])
    engine.dispose()


# -- alert rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "verdict", "urgent"),
    [
        ({"red_flags": ["chest_pain"]}, "emergency", True),
        ({"red_flags": ["cancer_history"]}, "urgent", True),
        ({"red_flags": ["night_pain"]}, "doctor", False),
    ],
)
def test_a_blocking_latest_screen_raises_an_alert_pointing_at_it(
    world: World, answers: dict[str, Any], verdict: str, urgent: bool
) -> None:
    screen_id = world.take_screen(world.patient, **answers)
    found = [a for a in world.alerts() if a.kind is AlertKind.SCREEN]
    assert [(a.key, a.evidence, a.urgent) for a in found] == [
        (f"screen:{screen_id}", f"#screen-{screen_id}", urgent)
    ]
    assert world.store.screen(world.patient, screen_id).verdict == verdict
    world.take_screen(world.patient, at=NOW + timedelta(hours=1))  # all clear now
    assert not [a for a in world.alerts(now=NOW + timedelta(hours=2)) if a.kind is AlertKind.SCREEN]


def test_an_urgent_screen_is_an_urgent_alert_listed_first(world: World) -> None:
    world.session(logs=((LogStatus.STOPPED_FOR_PAIN, 4),))
    screen_id = world.take_screen(world.patient, red_flags=["cancer_history"])
    first = world.open()[0]
    assert (first.key, first.urgent) == (f"screen:{screen_id}", True)


def test_a_self_tick_where_a_clinician_is_linked_is_recorded_and_raises_an_alert(
    world: World,
) -> None:
    screen_id = world.take_screen(world.patient, red_flags=["night_pain"])
    mark = clinical.record_self_clearance(
        world.repo, world.patient, Verdict.DOCTOR, screen_at=NOW, now=NOW
    )
    assert mark is not None and mark.linked and mark.screen_id == screen_id
    later = NOW + timedelta(minutes=5)
    again = clinical.record_self_clearance(
        world.repo, world.patient, Verdict.DOCTOR, screen_at=NOW, now=later
    )
    assert again == mark  # once per screen
    found = [a for a in world.alerts() if a.kind is AlertKind.SELF_CLEARED]
    assert [(a.key, a.evidence) for a in found] == [
        (f"self_cleared:{mark.id}", f"#screen-{screen_id}")
    ]
    assert "lifted nothing" in found[0].detail


def test_answering_examined_by_a_clinician_that_avoided_a_doctor_verdict_raises_an_alert(
    world: World,
) -> None:
    unexamined: dict[str, Any] = {"pain_duration_days": 60, "improving": False}
    assert screen(Answers.model_validate(screen_answers(**unexamined))).verdict is Verdict.DOCTOR
    screen_id = world.take_screen(world.patient, assessed_by_clinician=True, **unexamined)
    found = [a for a in world.alerts() if a.kind is AlertKind.SELF_CLEARED]
    assert [(a.key, a.evidence) for a in found] == [
        (f"self_assessed:{screen_id}", f"#screen-{screen_id}")
    ]
    world.take_screen(world.other_patient, assessed_by_clinician=True)  # changed nothing
    other = clinical.patient_alerts(
        world.store, world.other_clinician, world.other_patient, now=NOW
    )
    assert other == []


def test_pressing_it_hurts_raises_an_alert_pointing_at_the_session(world: World) -> None:
    session_id, logs = world.session(
        logs=((LogStatus.COMPLETED, 2), (LogStatus.STOPPED_FOR_PAIN, 7))
    )
    found = [a for a in world.alerts() if a.kind is AlertKind.HURT]
    assert [(a.key, a.evidence) for a in found] == [(f"hurt:{logs[1]}", f"#session-{session_id}")]
    assert "pain 7/10" in found[0].detail


def test_quitting_with_pain_6_or_more_raises_an_alert_and_5_does_not(world: World) -> None:
    hurt, _ = world.session(status=SessionStatus.QUIT, logs=((LogStatus.COMPLETED, 8),))
    world.session(status=SessionStatus.QUIT, logs=((LogStatus.COMPLETED, 5),), pain_after=5)
    after, _ = world.session(status=SessionStatus.QUIT, pain_after=6)
    world.session(status=SessionStatus.COMPLETED, pain_after=9)  # not quit
    found = [a for a in world.alerts() if a.kind is AlertKind.QUIT_PAIN]
    assert sorted((a.key, a.evidence) for a in found) == sorted(
        [(f"quit_pain:{hurt}", f"#session-{hurt}"), (f"quit_pain:{after}", f"#session-{after}")]
    )


def test_a_note_on_a_quit_or_hurt_session_raises_an_alert_quoting_it(world: World) -> None:
    quit, _ = world.session(status=SessionStatus.QUIT, note="pain shooting down the arm")
    hurt, _ = world.session(logs=((LogStatus.STOPPED_FOR_PAIN, None),), note="sharp twinge")
    world.session(note="felt great")  # completed, nothing hurt: no alert
    found = {a.key: a for a in world.alerts() if a.kind is AlertKind.NOTE}
    assert set(found) == {f"note:{quit}", f"note:{hurt}"}
    assert found[f"note:{quit}"].evidence == f"#session-{quit}"
    assert "pain shooting down the arm" in found[f"note:{quit}"].detail


def test_pain_rising_2_points_over_two_weeks_raises_an_alert(world: World) -> None:
    today = NOW.date()
    for days_ago, pain in ((12, 2), (10, 3), (8, 2), (5, 4), (3, 5), (1, 5)):
        day = today - timedelta(days=days_ago)
        world.repo.add_checkin(world.patient, day, pain, 3, NOW - timedelta(days=days_ago))
    found = [a for a in world.alerts() if a.kind is AlertKind.PAIN_RISE]
    assert [a.evidence for a in found] == ["#pain"]
    assert "2.3" in found[0].title  # 4.67 - 2.33


def test_a_rise_under_2_points_raises_nothing(world: World) -> None:
    today = NOW.date()
    for days_ago, pain in ((12, 3), (9, 3), (4, 4), (2, 4)):
        world.repo.add_checkin(
            world.patient,
            today - timedelta(days=days_ago),
            pain,
            None,
            NOW - timedelta(days=days_ago),
        )
    assert [a for a in world.alerts() if a.kind is AlertKind.PAIN_RISE] == []


def test_events_older_than_the_window_raise_nothing(world: World) -> None:
    world.session(
        at=NOW - timedelta(days=120),
        logs=((LogStatus.STOPPED_FOR_PAIN, 9),),
        status=SessionStatus.QUIT,
        note="old",
    )
    assert world.alerts() == []


def test_alerts_of_many_patients_come_from_one_read_each_their_own(world: World) -> None:
    world.take_screen(world.patient, red_flags=["chest_pain"])
    world.take_screen(world.other_patient, red_flags=["chest_pain"])
    found = clinical.open_alerts(
        world.store, world.clinician, [world.patient, world.other_patient], now=NOW
    )
    assert list(found) == [world.patient]  # Bob is Dave's, not Carol's
    assert [a.person_id for a in found[world.patient]] == [world.patient]


# -- acknowledgement -------------------------------------------------------------------------


def test_an_acknowledged_alert_leaves_the_open_list_and_keeps_who_and_when(world: World) -> None:
    screen_id = world.take_screen(world.patient, red_flags=["chest_pain"])
    key = f"screen:{screen_id}"
    ack = clinical.acknowledge(world.store, world.clinician, world.patient, key, now=NOW)
    assert (ack.clinician_id, ack.at, ack.key) == (world.clinician, NOW, key)
    later = clinical.acknowledge(
        world.store, world.clinician, world.patient, key, now=NOW + timedelta(hours=1)
    )
    assert later.at == NOW  # the first acknowledgement stands
    assert world.open() == []
    assert [a.acknowledged for a in world.alerts()] == [ack]
    with pytest.raises(NotFound):
        clinical.acknowledge(world.store, world.clinician, world.patient, "screen:999999", now=NOW)
    with pytest.raises(NotFound):
        clinical.acknowledge(world.store, world.other_clinician, world.patient, key, now=NOW)


# -- clearance -------------------------------------------------------------------------------


def _lifts(
    world: World,
    verdict: Verdict,
    *,
    at: datetime = NOW,
    now: datetime = NOW,
    tick: bool = False,
    person: int | None = None,
) -> bool:
    return clinical.lifts(
        world.repo, person or world.patient, verdict, screen_at=at, self_tick=tick, now=now
    )


def test_a_clinicians_clearance_lifts_only_that_screen(world: World) -> None:
    screen_id = world.take_screen(world.patient, red_flags=["night_pain"])
    assert not _lifts(world, Verdict.DOCTOR)
    cleared = clinical.clear_screen(
        world.store,
        world.clinician,
        world.patient,
        screen_id,
        now=NOW,
        note="examined, fine to start",
    )
    assert (cleared.clinician_id, cleared.screen_id) == (world.clinician, screen_id)
    assert cleared.at == NOW
    assert _lifts(world, Verdict.DOCTOR, now=NOW + timedelta(minutes=1))
    assert [a for a in world.open(now=NOW) if a.kind is AlertKind.SCREEN] == []  # acknowledged
    later = NOW + timedelta(days=1)
    world.take_screen(world.patient, at=later, red_flags=["night_pain"])
    assert not _lifts(world, Verdict.DOCTOR, at=later, now=later)  # a new screen: cleared anew


def test_a_clearance_expires_and_can_be_withdrawn(world: World) -> None:
    screen_id = world.take_screen(world.patient, red_flags=["night_pain"])
    first = clinical.clear_screen(
        world.store, world.clinician, world.patient, screen_id, now=NOW, days=2
    )
    assert first.expires_at == NOW + timedelta(days=2)
    assert _lifts(world, Verdict.DOCTOR, now=NOW + timedelta(days=1))
    assert not _lifts(world, Verdict.DOCTOR, now=NOW + timedelta(days=2, seconds=1))
    second = clinical.clear_screen(world.store, world.clinician, world.patient, screen_id, now=NOW)
    assert _lifts(world, Verdict.DOCTOR, now=NOW + timedelta(days=3))
    clinical.revoke_clearance(
        world.store, world.clinician, world.patient, second.id, now=NOW + timedelta(days=3)
    )
    assert not _lifts(world, Verdict.DOCTOR, now=NOW + timedelta(days=3, seconds=1))
    with pytest.raises(NotFound):  # only one's own clearance of one's own patient
        clinical.revoke_clearance(
            world.store, world.other_clinician, world.patient, first.id, now=NOW
        )


def test_nobody_clears_an_emergency_or_a_screen_that_blocks_nothing(world: World) -> None:
    emergency = world.take_screen(world.patient, red_flags=["chest_pain"])
    with pytest.raises(clinical.ClearanceRefused, match="emergency"):
        clinical.clear_screen(world.store, world.clinician, world.patient, emergency, now=NOW)
    assert not _lifts(world, Verdict.EMERGENCY, tick=True)
    fine = world.take_screen(world.patient, at=NOW + timedelta(hours=1))
    with pytest.raises(clinical.ClearanceRefused, match="blocks nothing"):
        clinical.clear_screen(world.store, world.clinician, world.patient, fine, now=NOW)
    with pytest.raises(NotFound):  # Bob's screen through Carol's patient
        other = world.take_screen(world.other_patient, red_flags=["night_pain"])
        clinical.clear_screen(world.store, world.clinician, world.patient, other, now=NOW)
    with pytest.raises(NotFound):  # Bob is not Carol's patient
        clinical.clear_screen(world.store, world.clinician, world.other_patient, other, now=NOW)


def test_the_persons_own_tick_lifts_only_where_no_clinician_is_linked(world: World) -> None:
    world.take_screen(world.patient, red_flags=["night_pain"])
    assert not _lifts(world, Verdict.DOCTOR, tick=True)  # Alice has Carol
    alone = world.accounts.create("erin@example.org", "x", role=Role.PERSON, at=NOW).id
    screen_id = world.take_screen(alone, red_flags=["night_pain"])
    assert _lifts(world, Verdict.DOCTOR, tick=True, person=alone)
    mark = clinical.record_self_clearance(world.repo, alone, Verdict.DOCTOR, screen_at=NOW, now=NOW)
    assert mark is not None and not mark.linked
    assert world.store.self_clearances(alone) == [mark]
    assert world.store.screen(alone, screen_id).id == mark.screen_id


def test_a_cleared_screens_conditions_still_limit_the_plan(world: World, cat: object) -> None:
    from midback.domain.candidates import allows
    from midback.domain.catalogue import Catalogue
    from midback.domain.planner import plan
    from midback.domain.plans import PlanRequest
    from midback.domain.vocab import Condition, Place
    from midback.services.screening import apply_screen

    assert isinstance(cat, Catalogue)
    answers = screen_answers(red_flags=["night_pain"], conditions=["osteoporosis"])
    result = screen(Answers.model_validate(answers))
    screen_id = world.take_screen(
        world.patient, red_flags=["night_pain"], conditions=["osteoporosis"]
    )
    with pytest.raises(ScreenBlocked):
        check_allowed(result, cleared=_lifts(world, result.verdict))
    clinical.clear_screen(world.store, world.clinician, world.patient, screen_id, now=NOW)
    check_allowed(result, cleared=_lifts(world, result.verdict))  # lifted: no refusal
    limits = apply_screen(PlanRequest(minutes=20, place=Place.HOME, cleared=True), result)
    assert Condition.OSTEOPOROSIS in limits.conditions
    made = plan(cat, limits)
    assert made.blocks
    assert all(allows(cat.exercise(b.exercise_id), b.variant, limits) for b in made.blocks)
    assert "crunch" not in {b.exercise_id for b in made.blocks}


# -- notes and isolation ---------------------------------------------------------------------


def test_clinical_notes_are_kept_per_clinician_and_refused_empty(world: World) -> None:
    note = clinical.add_note(
        world.store, world.clinician, world.patient, "  Query myeloma. ", now=NOW
    )
    assert note.text == "Query myeloma."
    assert world.store.notes(world.patient, world.clinician) == [note]
    assert world.store.notes(world.patient, world.other_clinician) == []
    with pytest.raises(clinical.NoteRefused, match="empty"):
        clinical.add_note(world.store, world.clinician, world.patient, "   ", now=NOW)
    with pytest.raises(NotFound):
        clinical.add_note(world.store, world.other_clinician, world.patient, "x", now=NOW)


def test_another_clinicians_patient_is_not_found_everywhere(world: World, cat: Catalogue) -> None:
    screen_id = world.take_screen(world.patient, red_flags=["night_pain"])
    calls: list[Callable[[], object]] = [
        lambda: clinical.patient_alerts(world.store, world.other_clinician, world.patient, now=NOW),
        lambda: clinical.clear_screen(
            world.store, world.other_clinician, world.patient, screen_id, now=NOW
        ),
        lambda: clinical.add_note(world.store, world.other_clinician, world.patient, "x", now=NOW),
        lambda: clinical.patient_record(
            world.repo, world.store, cat, world.other_clinician, world.patient, now=NOW
        ),
        lambda: clinical.require_linked(world.store, world.other_clinician, 2**40),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    assert world.store.clearances(world.patient) == []
    assert world.store.notes(world.patient, world.other_clinician) == []


# -- the gate's check ------------------------------------------------------------------------


def _result(**answers: object) -> ScreenResult:
    return screen(Answers.model_validate(screen_answers(**answers)))


def test_the_gates_check_refuses_a_linked_persons_own_tick_records_it_and_says_why(
    world: World,
) -> None:
    result = _result(red_flags=["night_pain"])
    world.take_screen(world.patient, red_flags=["night_pain"])
    with pytest.raises(ScreenBlocked) as refused:
        clinical.check_allowed_for(
            world.repo, world.patient, result, screen_at=NOW, self_tick=True, now=NOW
        )
    assert refused.value.reasons[-1][0] == "clinician_clears"
    assert [m.linked for m in world.store.self_clearances(world.patient)] == [True]
    assert [a.kind for a in world.open()] == [AlertKind.SCREEN, AlertKind.SELF_CLEARED]


def test_the_gates_check_lets_a_cleared_screen_through_without_a_tick(world: World) -> None:
    result = _result(red_flags=["night_pain"])
    screen_id = world.take_screen(world.patient, red_flags=["night_pain"])
    clinical.clear_screen(world.store, world.clinician, world.patient, screen_id, now=NOW)
    assert (
        clinical.check_allowed_for(
            world.repo, world.patient, result, screen_at=NOW, self_tick=False, now=NOW
        )
        is True
    )
    inline = clinical.check_allowed_for  # answers given inline: no stored screen to clear
    with pytest.raises(ScreenBlocked):
        inline(world.repo, world.patient, result, screen_at=None, self_tick=True, now=NOW)
    emergency = _result(red_flags=["chest_pain"])
    with pytest.raises(ScreenBlocked) as refused:
        inline(world.repo, world.patient, emergency, screen_at=None, self_tick=True, now=NOW)
    assert "clinician_clears" not in [rid for rid, _ in refused.value.reasons]
    assert (
        clinical.check_allowed_for(
            world.repo, world.patient, _result(), screen_at=NOW, self_tick=True, now=NOW
        )
        is False
    )  # ok: nothing to lift


def test_the_gates_check_lets_an_unlinked_persons_tick_through_and_records_it(
    world: World,
) -> None:
    alone = world.accounts.create("erin@example.org", "x", role=Role.PERSON, at=NOW).id
    world.take_screen(alone, red_flags=["night_pain"])
    result = _result(red_flags=["night_pain"])
    assert (
        clinical.check_allowed_for(
            world.repo, alone, result, screen_at=NOW, self_tick=True, now=NOW
        )
        is True
    )
    assert [m.linked for m in world.store.self_clearances(alone)] == [False]


def test_a_clearance_that_expires_during_the_day_stops_the_next_plan(
    world: World, cat: Catalogue
) -> None:
    from midback.domain.plans import PlanRequest
    from midback.domain.vocab import Place
    from midback.services.planning import make_plan_for

    day_before = NOW - timedelta(days=1)
    screen_id = world.take_screen(world.patient, at=day_before, red_flags=["night_pain"])
    clinical.clear_screen(
        world.store, world.clinician, world.patient, screen_id, now=day_before, days=1
    )
    request = PlanRequest(minutes=10, place=Place.HOME)
    hour = timedelta(hours=1)
    made = make_plan_for(world.repo, cat, world.patient, request, now=NOW - hour)
    assert make_plan_for(world.repo, cat, world.patient, request, now=NOW - hour) is made
    with pytest.raises(ScreenBlocked):  # the same day and facts, the clearance over since 09:00
        make_plan_for(world.repo, cat, world.patient, request, now=NOW + hour)
