"""The repository keeps sessions, logs, check-ins, screens and progression, one person at a time.

Every behaviour test runs on SQLite (a file in tmp_path), on PostgreSQL (a fresh database on the
test session's throwaway server, ``tests.pg``) and on the in-memory fake, so the fake stays true to
the real thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from midback.domain.prescription import Prescription
from midback.domain.records import (
    LogStatus,
    NewLog,
    ProgressCheckpoint,
    ProgressionStep,
    SessionStatus,
)
from midback.errors import NotFound
from midback.settings import Settings
from midback.storage import LOCAL_PERSON_ID, Repository, SqlRepository, make_engine, upgrade
from tests.pg import BACKENDS, migrated_database

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
ME = LOCAL_PERSON_ID
PLAN = {"blocks": [{"exercise_id": "cat-cow"}, {"exercise_id": "bird-dog"}]}


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def a_log(
    position: int = 0,
    exercise_id: str = "cat-cow",
    *,
    at: float = 1,
    key: str | None = None,
    status: LogStatus = LogStatus.COMPLETED,
    pain: int | None = None,
) -> NewLog:
    return NewLog(
        position=position,
        exercise_id=exercise_id,
        target=Prescription(sets=2, reps=10, rest_s=30),
        actual=Prescription(sets=2, reps=8, rest_s=30),
        status=status,
        pain=pain,
        logged_at=minutes(at),
        idempotency_key=key,
    )


def a_step(
    person_id: int, exercise_id: str, step: int, reason: str, at: datetime
) -> ProgressionStep:
    return ProgressionStep(
        person_id=person_id, exercise_id=exercise_id, step=step, reason=reason, updated_at=at
    )


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'midback.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    engine = make_engine(migrated_database(request, request.param))
    yield engine
    engine.dispose()


@pytest.fixture
def other(repo: Repository) -> int:
    """A second person in the same store."""
    return repo.add_person(email="other@example.org", created_at=T0)


# sessions and logs


def test_a_started_session_is_running_and_reads_back(repo: Repository) -> None:
    started = repo.start_session(
        ME, plan=PLAN, program_id="three-for-relief", started_at=T0, pain_before=4
    )
    assert started.status is SessionStatus.RUNNING
    assert repo.get_session(ME, started.id) == started
    assert started.plan == PLAN
    assert (started.program_id, started.pain_before) == ("three-for-relief", 4)


def test_logged_exercises_come_back_in_order_with_both_doses(repo: Repository) -> None:
    session = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    first = repo.log_exercise(ME, session.id, a_log(0, "cat-cow", at=2))
    second = repo.log_exercise(ME, session.id, a_log(1, "bird-dog", at=5, pain=3))
    logs = repo.session_logs(ME, session.id)
    assert logs == [first, second]
    assert logs[1].target == Prescription(sets=2, reps=10, rest_s=30)
    assert logs[1].actual == Prescription(sets=2, reps=8, rest_s=30)
    assert (logs[1].session_id, logs[1].pain) == (session.id, 3)


def test_finishing_a_session_records_how_it_went(repo: Repository) -> None:
    session = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0, pain_before=5)
    finished = repo.finish_session(
        ME,
        session.id,
        status=SessionStatus.COMPLETED,
        ended_at=minutes(12),
        pain_after=3,
        effort=6,
        note="felt looser",
    )
    assert repo.get_session(ME, session.id) == finished
    assert finished.status is SessionStatus.COMPLETED
    assert (finished.pain_before, finished.pain_after, finished.effort) == (5, 3, 6)
    assert (finished.ended_at, finished.note) == (minutes(12), "felt looser")


def test_a_session_cannot_be_finished_as_running(repo: Repository) -> None:
    session = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    with pytest.raises(ValueError, match="running"):
        repo.finish_session(ME, session.id, status=SessionStatus.RUNNING, ended_at=minutes(1))


def test_sessions_are_listed_newest_first(repo: Repository) -> None:
    ids = [
        repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0 + timedelta(days=d)).id
        for d in (0, 2, 1)
    ]
    assert [s.id for s in repo.list_sessions(ME)] == [ids[1], ids[2], ids[0]]
    assert [s.id for s in repo.list_sessions(ME, limit=1)] == [ids[1]]
    since = T0 + timedelta(days=1)
    assert [s.id for s in repo.list_sessions(ME, since=since)] == [ids[1], ids[2]]


def test_sessions_can_be_listed_without_their_plans(repo: Repository) -> None:
    started = repo.start_session(ME, plan=PLAN, program_id="desk", started_at=T0, pain_before=4)
    repo.finish_session(ME, started.id, status=SessionStatus.QUIT, ended_at=minutes(9),
                        pain_after=2, effort=5, note="stiff")  # fmt: skip
    [whole] = repo.list_sessions(ME)
    [bare] = repo.list_sessions(ME, plans=False)
    assert whole.plan == PLAN and bare.plan == {}
    assert bare == whole.model_copy(update={"plan": {}})


def test_times_come_back_aware_and_in_utc(repo: Repository) -> None:
    new_york = timezone(timedelta(hours=-5))
    session = repo.start_session(
        ME, plan=PLAN, program_id=None, started_at=datetime(2025, 3, 1, 3, 0, tzinfo=new_york)
    )
    stored = repo.get_session(ME, session.id)
    assert stored.started_at == T0
    assert stored.started_at.tzinfo is UTC


def test_a_log_repeated_with_its_key_is_stored_once(repo: Repository) -> None:
    session = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    first = repo.log_exercise(ME, session.id, a_log(0, key="s1-0"))
    again = repo.log_exercise(ME, session.id, a_log(0, at=3, pain=9, key="s1-0"))
    assert again == first
    assert repo.session_logs(ME, session.id) == [first]


def test_logs_without_a_key_are_all_stored(repo: Repository) -> None:
    session = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    repo.log_exercise(ME, session.id, a_log(0))
    repo.log_exercise(ME, session.id, a_log(0))
    assert len(repo.session_logs(ME, session.id)) == 2


def test_the_same_key_in_another_session_is_a_new_log(repo: Repository) -> None:
    one = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    two = repo.start_session(ME, plan=PLAN, program_id=None, started_at=minutes(30))
    first = repo.log_exercise(ME, one.id, a_log(key="k"))
    second = repo.log_exercise(ME, two.id, a_log(key="k"))
    assert first.id != second.id


def test_logs_for_a_person_span_sessions_in_logged_order(repo: Repository) -> None:
    one = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    two = repo.start_session(ME, plan=PLAN, program_id=None, started_at=minutes(60))
    repo.log_exercise(ME, two.id, a_log(0, "bird-dog", at=61))
    repo.log_exercise(ME, one.id, a_log(0, "cat-cow", at=1))
    assert [log.exercise_id for log in repo.logs_for_person(ME)] == ["cat-cow", "bird-dog"]
    assert [log.exercise_id for log in repo.logs_for_person(ME, since=minutes(30))] == ["bird-dog"]


def test_the_summary_reads_are_the_full_records_narrowed(repo: Repository, other: int) -> None:
    """``session_outlines``, ``morning_pains`` and ``log_outcomes`` read only what a history
    summary uses; they say what the full records say, for this person only."""
    late = repo.start_session(ME, plan=PLAN, program_id=None, started_at=minutes(90))
    early = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0, pain_before=4)
    repo.start_session(other, plan=PLAN, program_id=None, started_at=minutes(10), pain_before=9)
    repo.log_exercise(ME, late.id, a_log(0, "cat-cow", at=91))
    repo.log_exercise(ME, early.id, a_log(1, "bird-dog", at=5, status=LogStatus.SKIPPED))
    repo.log_exercise(ME, early.id, a_log(0, "cat-cow", at=3, status=LogStatus.STOPPED_FOR_PAIN))
    repo.finish_session(ME, early.id, status=SessionStatus.COMPLETED, ended_at=minutes(20))
    repo.add_checkin(ME, date(2025, 3, 2), 2, None, T0 + timedelta(days=1))
    repo.add_checkin(ME, date(2025, 3, 1), 6, 5, T0)
    repo.add_checkin(other, date(2025, 3, 1), 8, None, T0)

    sessions = list(reversed(repo.list_sessions(ME, plans=False)))
    assert repo.session_outlines(ME) == [(s.started_at, s.status, s.pain_before) for s in sessions]
    assert [s.status for s in repo.session_outlines(ME)] == [
        SessionStatus.COMPLETED,
        SessionStatus.RUNNING,
    ]
    assert repo.morning_pains(ME) == [(c.day, c.morning_pain) for c in repo.checkins(ME)]
    assert repo.morning_pains(ME) == [(date(2025, 3, 1), 6), (date(2025, 3, 2), 2)]
    for since in (T0, minutes(4), minutes(91), minutes(92)):
        assert repo.log_outcomes(ME, since=since) == [
            (log.session_id, log.position, log.status)
            for log in repo.logs_for_person(ME, since=since)
        ]
    assert [o.status for o in repo.log_outcomes(ME, since=T0)] == [
        LogStatus.STOPPED_FOR_PAIN,
        LogStatus.SKIPPED,
        LogStatus.COMPLETED,
    ]


def test_recent_exercises_come_from_the_last_sessions_where_anything_was_done(
    repo: Repository,
) -> None:
    old = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    repo.log_exercise(ME, old.id, a_log(0, "doorway-stretch", at=1))
    mid = repo.start_session(ME, plan=PLAN, program_id=None, started_at=minutes(60))
    repo.log_exercise(ME, mid.id, a_log(0, "cat-cow", at=61))
    repo.log_exercise(ME, mid.id, a_log(1, "bird-dog", at=62))
    new = repo.start_session(ME, plan=PLAN, program_id=None, started_at=minutes(120))
    repo.log_exercise(ME, new.id, a_log(0, "cat-cow", at=121))
    repo.log_exercise(ME, new.id, a_log(1, "pull-up", at=122, status=LogStatus.SKIPPED))
    repo.start_session(ME, plan=PLAN, program_id=None, started_at=minutes(180))  # nothing done
    assert repo.recent_exercise_ids(ME, 1) == ["cat-cow"]
    assert repo.recent_exercise_ids(ME, 2) == ["cat-cow", "bird-dog"]
    assert repo.recent_exercise_ids(ME, 5) == ["cat-cow", "bird-dog", "doorway-stretch"]
    assert repo.recent_exercise_ids(ME, 0) == []


# interrupted sessions


def test_running_sessions_become_interrupted_at_their_last_activity(repo: Repository) -> None:
    logged = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    repo.log_exercise(ME, logged.id, a_log(0, at=3))
    repo.log_exercise(ME, logged.id, a_log(1, at=7))
    bare = repo.start_session(ME, plan=PLAN, program_id=None, started_at=minutes(20))
    done = repo.start_session(ME, plan=PLAN, program_id=None, started_at=minutes(40))
    repo.finish_session(ME, done.id, status=SessionStatus.QUIT, ended_at=minutes(41))

    assert repo.mark_interrupted(ME) == 2

    assert repo.get_session(ME, logged.id).status is SessionStatus.INTERRUPTED
    assert repo.get_session(ME, logged.id).ended_at == minutes(7)
    assert repo.get_session(ME, bare.id).ended_at == minutes(20)
    assert repo.get_session(ME, done.id).status is SessionStatus.QUIT
    assert len(repo.session_logs(ME, logged.id)) == 2
    assert repo.mark_interrupted(ME) == 0


def test_a_cutoff_spares_sessions_still_active(repo: Repository) -> None:
    stale = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    live = repo.start_session(ME, plan=PLAN, program_id=None, started_at=minutes(1))
    repo.log_exercise(ME, live.id, a_log(at=100))
    assert repo.mark_interrupted(ME, idle_before=minutes(90)) == 1
    assert repo.get_session(ME, stale.id).status is SessionStatus.INTERRUPTED
    assert repo.get_session(ME, live.id).status is SessionStatus.RUNNING


def test_a_session_wrongly_marked_interrupted_can_still_finish(repo: Repository) -> None:
    session = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    repo.mark_interrupted(ME)
    repo.log_exercise(ME, session.id, a_log(at=5))
    finished = repo.finish_session(
        ME, session.id, status=SessionStatus.COMPLETED, ended_at=minutes(6)
    )
    assert finished.status is SessionStatus.COMPLETED


# people


def test_another_person_cannot_see_or_change_my_session(repo: Repository, other: int) -> None:
    mine = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    repo.log_exercise(ME, mine.id, a_log())

    with pytest.raises(NotFound, match=f"session {mine.id}"):
        repo.get_session(other, mine.id)
    with pytest.raises(NotFound):
        repo.session_logs(other, mine.id)
    with pytest.raises(NotFound):
        repo.log_exercise(other, mine.id, a_log(1))
    with pytest.raises(NotFound):
        repo.finish_session(other, mine.id, status=SessionStatus.QUIT, ended_at=minutes(2))
    assert repo.list_sessions(other) == []
    assert repo.logs_for_person(other) == []
    assert repo.recent_exercise_ids(other, 5) == []
    assert repo.mark_interrupted(other) == 0

    assert repo.get_session(ME, mine.id).status is SessionStatus.RUNNING
    assert len(repo.session_logs(ME, mine.id)) == 1


def test_check_ins_screens_and_progression_are_per_person(repo: Repository, other: int) -> None:
    repo.add_checkin(ME, date(2025, 3, 1), 4, None, T0)
    repo.save_screen(ME, {"q": 1}, "go", {"reasons": []}, T0)
    repo.set_progression(ME, a_step(ME, "cat-cow", 2, "easy", T0))
    assert repo.checkins(other) == []
    assert repo.latest_screen(other) is None
    assert repo.progression(other) == {}


def test_an_unknown_session_is_not_found(repo: Repository) -> None:
    with pytest.raises(NotFound, match="session 99 not found"):
        repo.get_session(ME, 99)


def test_an_unknown_person_cannot_start_a_session(repo: Repository) -> None:
    with pytest.raises(NotFound, match="person 42"):
        repo.start_session(42, plan=PLAN, program_id=None, started_at=T0)


def test_the_local_person_is_there_from_the_start(repo: Repository) -> None:
    assert repo.ensure_local_person(at=T0) == LOCAL_PERSON_ID
    assert repo.ensure_local_person() == LOCAL_PERSON_ID


def test_new_people_get_new_ids(repo: Repository) -> None:
    two = repo.add_person(email="a@example.org", created_at=T0)
    three = repo.add_person(created_at=T0)
    assert LOCAL_PERSON_ID < two < three


# bad values


def test_bad_values_write_nothing(repo: Repository) -> None:
    with pytest.raises(ValidationError):
        repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0, pain_before=11)
    assert repo.list_sessions(ME) == []

    session = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    with pytest.raises(ValidationError):
        repo.finish_session(
            ME, session.id, status=SessionStatus.COMPLETED, ended_at=minutes(5), effort=-1
        )
    assert repo.get_session(ME, session.id) == session

    with pytest.raises(ValidationError):
        repo.add_checkin(ME, date(2025, 3, 1), 12, None, T0)
    assert repo.checkins(ME) == []


# check-ins, screens, progression


def test_a_second_check_in_the_same_day_replaces_the_first(repo: Repository) -> None:
    first = repo.add_checkin(ME, date(2025, 3, 1), 6, 5, T0)
    second = repo.add_checkin(ME, date(2025, 3, 1), 3, None, minutes(30))
    next_day = repo.add_checkin(ME, date(2025, 3, 2), 2, 2, T0 + timedelta(days=1))
    assert second.id == first.id
    assert repo.checkins(ME) == [second, next_day]
    assert repo.checkins(ME, since=date(2025, 3, 2)) == [next_day]


def test_a_check_in_retried_with_its_key_changes_nothing(repo: Repository) -> None:
    first = repo.add_checkin(ME, date(2025, 3, 1), 6, 5, T0, idempotency_key="k1")
    revision = repo.revision(ME)
    again = repo.add_checkin(ME, date(2025, 3, 1), 2, None, minutes(5), idempotency_key="k1")
    assert again == first
    assert repo.revision(ME) == revision
    newer = repo.add_checkin(ME, date(2025, 3, 1), 3, 1, minutes(9), idempotency_key="k2")
    assert newer.id == first.id
    assert repo.revision(ME) != revision
    assert repo.checkins(ME) == [newer]


def test_a_check_in_for_nobody_is_not_found_and_writes_nothing(repo: Repository) -> None:
    with pytest.raises(NotFound):
        repo.add_checkin(9999, date(2025, 3, 1), 6, 5, T0, idempotency_key="k")
    assert repo.checkins(9999) == []
    assert repo.revision(9999) is None


def test_the_latest_screen_is_the_most_recent(repo: Repository) -> None:
    assert repo.latest_screen(ME) is None
    older = repo.save_screen(ME, {"red_flags": []}, "go", {"limits": []}, T0)
    newer = repo.save_screen(
        ME, {"red_flags": ["fever"]}, "see_doctor", {"reasons": ["fever"]}, minutes(5)
    )
    assert repo.latest_screen(ME) == newer
    assert repo.screens(ME) == [older, newer]
    assert newer.answers == {"red_flags": ["fever"]}


def test_progression_steps_are_set_and_replaced_by_exercise(repo: Repository) -> None:
    repo.set_progression(ME, a_step(ME, "cat-cow", 1, "3 easy sessions", T0))
    repo.set_progression(ME, a_step(ME, "bird-dog", 0, "start", T0))
    repo.set_progression(ME, a_step(ME, "cat-cow", 2, "easy again", minutes(60)))
    steps = repo.progression(ME)
    assert sorted(steps) == ["bird-dog", "cat-cow"]
    assert (steps["cat-cow"].step, steps["cat-cow"].reason) == (2, "easy again")
    assert steps["cat-cow"].updated_at == minutes(60)


def test_a_progression_step_for_someone_else_is_refused(repo: Repository, other: int) -> None:
    with pytest.raises(ValueError, match="person"):
        repo.set_progression(ME, a_step(other, "cat-cow", 1, "x", T0))
    assert repo.progression(ME) == {}


# SQLite itself


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(
    sqlite_engine: sa.Engine,
) -> None:
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_make_engine_creates_the_folder_of_the_database(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "midback.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    engine.dispose()
    assert path.exists()


def test_the_database_itself_refuses_a_bad_status(engine: sa.Engine) -> None:
    repo = SqlRepository(engine)
    session = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE sessions SET status = 'dnoe' WHERE id = :id"), {"id": session.id}
        )


def test_a_dose_not_reported_is_stored_as_null(engine: sa.Engine) -> None:
    repo = SqlRepository(engine)
    session = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    log = a_log().model_copy(update={"actual": None})
    repo.log_exercise(ME, session.id, log)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT actual IS NULL FROM exercise_logs")).scalar()
    assert repo.session_logs(ME, session.id)[0].actual is None


def test_a_log_cannot_point_at_another_persons_session(engine: sa.Engine) -> None:
    repo = SqlRepository(engine)
    other = repo.add_person(created_at=T0)
    session = repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    insert = sa.text(
        "INSERT INTO exercise_logs (session_id, person_id, position, exercise_id, target,"
        " status, logged_at) VALUES (:session, :person, 0, 'cat-cow', '{}', 'completed',"
        " '2025-03-01 08:00:00.000000')"
    )
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(insert, {"session": session.id, "person": other})


# settings


def test_settings_default_to_a_database_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings.from_env({"MIDBACK_HOME": str(tmp_path)})
    assert settings.home == tmp_path
    assert settings.database_url == f"sqlite:///{tmp_path / 'midback.db'}"


def test_settings_take_a_database_url_from_the_environment() -> None:
    url = "postgresql+psycopg://midback@localhost/midback"
    assert Settings.from_env({"MIDBACK_DATABASE_URL": url}).database_url == url


def test_settings_without_environment_use_the_platform_data_folder() -> None:
    settings = Settings.from_env({})
    assert settings.home.name.lower() == "midback"
    assert settings.database_url.endswith("midback.db")


def test_the_default_settings_open_a_working_store(tmp_path: Path) -> None:
    settings = Settings.from_env({"MIDBACK_HOME": str(tmp_path / "home")})
    engine = make_engine(settings.database_url)
    upgrade(engine)
    repo = SqlRepository(engine)
    repo.start_session(ME, plan=PLAN, program_id=None, started_at=T0)
    engine.dispose()
    assert (tmp_path / "home" / "midback.db").exists()


def test_a_unit_stores_all_of_its_calls_or_none(repo: Repository) -> None:
    session = repo.start_session(LOCAL_PERSON_ID, plan={"blocks": []}, program_id=None,
                                 started_at=T0, pain_before=2)  # fmt: skip

    def half_then_fail() -> None:
        repo.finish_session(LOCAL_PERSON_ID, session.id, status=SessionStatus.COMPLETED,
                            ended_at=T0 + timedelta(minutes=10), pain_after=1)  # fmt: skip
        repo.add_checkin(LOCAL_PERSON_ID, T0.date(), 3, None, T0)
        raise RuntimeError("the progression step failed")

    with pytest.raises(RuntimeError):
        repo.unit(half_then_fail)
    assert repo.get_session(LOCAL_PERSON_ID, session.id).status is SessionStatus.RUNNING
    assert repo.checkins(LOCAL_PERSON_ID) == []

    def both() -> int:
        repo.finish_session(LOCAL_PERSON_ID, session.id, status=SessionStatus.COMPLETED,
                            ended_at=T0 + timedelta(minutes=10), pain_after=1)  # fmt: skip
        return repo.add_checkin(LOCAL_PERSON_ID, T0.date(), 3, None, T0).morning_pain

    assert repo.unit(both) == 3
    assert repo.get_session(LOCAL_PERSON_ID, session.id).status is SessionStatus.COMPLETED
    assert [c.morning_pain for c in repo.checkins(LOCAL_PERSON_ID)] == [3]


def test_the_person_state_is_the_revisions_and_the_zone_in_one_read(repo: Repository) -> None:
    first = repo.person_state(ME)
    assert first.revision == repo.revision(ME) and first.zone is None
    repo.set_person_zone(ME, "Europe/Paris")
    zoned = repo.person_state(ME)
    assert zoned.revision == repo.revision(ME) != first.revision and zoned.zone == "Europe/Paris"
    assert zoned.base != first.base, "a new zone moves the days: both revisions change"
    repo.add_checkin(ME, date(2025, 3, 1), 4, None, T0)
    checked = repo.person_state(ME)
    assert checked.revision == repo.revision(ME) != zoned.revision
    assert checked.base == zoned.base, "a check-in changes the revision only"
    repo.add_checkin(ME, date(2025, 3, 1), 5, None, T0 + timedelta(hours=1))  # replaces it
    assert repo.person_state(ME).revision != checked.revision
    assert repo.person_state(ME).base == zoned.base
    session = repo.start_session(ME, plan={}, program_id=None, started_at=T0)
    started = repo.person_state(ME)
    assert started.revision != checked.revision and started.base != zoned.base
    repo.finish_session(ME, session.id, status=SessionStatus.COMPLETED, ended_at=T0,
                        pain_after=2)  # fmt: skip
    assert repo.person_state(ME).base != started.base
    assert repo.person_state(ME + 1000) == (None, None, None)


def test_a_check_in_that_drops_the_progress_checkpoint_changes_the_base_revision(
    repo: Repository,
) -> None:
    checkpoint = ProgressCheckpoint(person_id=ME, until=date(2025, 3, 1), version=1, states={},
                                    saved_at=T0)  # fmt: skip
    repo.save_progress_checkpoint(checkpoint)
    before = repo.person_state(ME)
    repo.add_checkin(ME, date(2025, 3, 5), 3, None, T0)  # after the checkpoint's next morning
    after = repo.person_state(ME)
    assert after.base == before.base and repo.progress_checkpoint(ME) is not None
    repo.add_checkin(ME, date(2025, 3, 2), 3, None, T0)  # the morning after its last day
    assert repo.progress_checkpoint(ME) is None
    dropped = repo.person_state(ME)
    assert dropped.base != after.base and dropped.revision != after.revision
