"""services.progress with its checkpoint: always the answer of a replay of the whole history.

Random histories (sessions on any day, late logs, check-ins, progress asked on any day) are
played on the fake and on each database; after every step, ``progress`` must equal a replay of
everything from the start, whether the checkpoint was used, moved on or dropped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from midback.domain.answers import Answers
from midback.domain.catalogue import Catalogue
from midback.domain.history import local_day
from midback.domain.loader import catalogue
from midback.domain.plans import PlanRequest
from midback.domain.prescription import Prescription
from midback.domain.progression import Standing, standing
from midback.domain.records import LogStatus, NewLog, SessionStatus
from midback.domain.safety import screen
from midback.domain.vocab import Condition, Place
from midback.services.planning import PersonFacts, person_facts, personalise
from midback.services.progress import SETTLED_AFTER, outcomes, progress, refresh
from midback.services.records import history_view, person_history, read_history
from midback.services.screening import StoredScreen, save_screen
from midback.services.store import open_store
from midback.storage import Repository
from midback.storage.accounts import SqlAccounts
from tests.fakes import FakeRepository

DAY0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TARGET = Prescription(sets=2, reps=10, rest_s=30)
SHORT = Prescription(sets=2, reps=6, rest_s=30)
EXERCISES = ("cat-cow", "bridge", "crunch")
DAY = timedelta(days=1)
REQUEST = PlanRequest(minutes=10, place=Place.HOME)


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return catalogue()


def noon(day: int) -> datetime:
    return DAY0 + timedelta(days=day)


def whole_replay(repo: Repository, cat: Catalogue, person: int) -> list[Standing]:
    """The reference: every session replayed from the first, no checkpoint."""
    found = outcomes(
        repo.list_sessions(person), repo.logs_for_person(person), repo.checkins(person)
    )
    return [standing(cat.exercises[e], items) for e, items in sorted(found.items())]


def a_session(repo: Repository, person: int, day: int, logs: list[tuple[str, str, int]]) -> int:
    started = noon(day)
    record = repo.start_session(person, plan={}, program_id=None, started_at=started)
    for position, (exercise_id, how, pain) in enumerate(logs):
        a_log(repo, person, record.id, position, exercise_id, how, pain, started)
    return record.id


def a_log(
    repo: Repository,
    person: int,
    session_id: int,
    position: int,
    exercise_id: str,
    how: str,
    pain: int,
    started: datetime,
) -> None:
    status = LogStatus.STOPPED_FOR_PAIN if how == "hurt" else LogStatus.COMPLETED
    repo.log_exercise(
        person,
        session_id,
        NewLog(
            position=position,
            exercise_id=exercise_id,
            target=TARGET,
            actual=SHORT if how == "short" else TARGET,
            status=status,
            pain=pain,
            logged_at=started + timedelta(minutes=position + 1),
        ),
    )


log_st = st.tuples(st.sampled_from(EXERCISES), st.sampled_from(["ok", "ok", "short", "hurt"]),
                   st.integers(0, 8))  # fmt: skip
step_st = st.one_of(
    st.tuples(st.just("session"), st.integers(0, 14), st.lists(log_st, min_size=1, max_size=3)),
    st.tuples(st.just("late log"), st.integers(0, 14), log_st),
    st.tuples(st.just("finish"), st.integers(0, 14), st.integers(0, 9)),
    st.tuples(st.just("checkin"), st.integers(0, 15), st.integers(0, 9)),
    st.tuples(st.just("progress"), st.integers(0, 18)),
    st.tuples(st.just("read"), st.integers(0, 18)),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step_st, min_size=4, max_size=25))
def test_progress_always_equals_a_replay_of_the_whole_history(
    repo: Repository, cat: Catalogue, steps: list[tuple[object, ...]]
) -> None:
    person = repo.add_person(created_at=DAY0)  # a fresh person per example, same store
    sessions: dict[int, int] = {}
    for step in steps:
        match step:
            case ("session", int(day), list(logs)):
                sessions[day] = a_session(repo, person, day, logs)
            case ("late log", int(day), (str(exercise), str(how), int(pain))) if day in sessions:
                a_log(repo, person, sessions[day], 9, exercise, how, pain, noon(day))
            case ("finish", int(day), int(pain)) if day in sessions:
                end = noon(day) + timedelta(hours=1)
                repo.finish_session(person, sessions[day], status=SessionStatus.COMPLETED,
                                    ended_at=end, pain_after=pain)  # fmt: skip
            case ("checkin", int(day), int(pain)):
                at = noon(day) - timedelta(hours=4)
                repo.add_checkin(person, local_day(at), pain, None, at)
            case ("progress", int(day)):
                refresh(repo, cat, person, now=noon(day))  # a write moves the checkpoint on
                got = progress(repo, cat, person, now=noon(day))
                assert got == whole_replay(repo, cat, person)
            case ("read", int(day)):
                # What a plan and the history page keep (by the revision, and apart from
                # check-ins by the base revision) is what a fresh read finds.
                at = noon(day)
                facts = PersonFacts.read(repo, cat, person, now=at)
                assert person_facts(repo, cat, person, now=at) == facts
                view = history_view(repo, cat, person, now=at, limit=5)
                assert view.history == read_history(repo, person, local_day(at))
        # What a plan and the history page read (kept per person by revision) is what a fresh
        # read finds.
        fresh = PersonFacts.read(repo, cat, person, now=noon(16)).personalise(REQUEST)
        assert personalise(repo, cat, person, REQUEST, now=noon(16)) == fresh
        today = local_day(noon(16))
        assert person_history(repo, person, now=noon(16)) == read_history(repo, person, today)
    assert progress(repo, cat, person, now=noon(30)) == whole_replay(repo, cat, person)


class CountingRepository(FakeRepository):
    """Remembers from when each progress call read logs (None: the whole history)."""

    def __init__(self) -> None:
        super().__init__()
        self.read_from: list[datetime | None] = []

    def logs_for_person(self, person_id: int, *, since: datetime | None = None) -> list:  # type: ignore[type-arg]
        self.read_from.append(since)
        return super().logs_for_person(person_id, since=since)


def test_a_checkpoint_is_used_and_moved_on_once_a_day(cat: Catalogue) -> None:
    repo = CountingRepository()
    for day in range(10):
        a_session(repo, 1, day, [("cat-cow", "ok", 2)])
    first = progress(repo, cat, 1, now=noon(10))
    assert repo.read_from == [None]  # no checkpoint yet: the whole history
    assert repo.progress_checkpoint(1) is None  # a read never writes
    refresh(repo, cat, 1, now=noon(10))  # a write (a session finished) moves it on
    repo.read_from.clear()
    held = repo.progress_checkpoint(1)
    assert held is not None and held.until == local_day(noon(10)) - SETTLED_AFTER
    assert progress(repo, cat, 1, now=noon(10)) == first
    assert repo.read_from[0] is not None and local_day(repo.read_from[0]) == held.until + DAY
    refresh(repo, cat, 1, now=noon(10))
    assert repo.progress_checkpoint(1) == held  # not saved again the same day
    a_session(repo, 1, 10, [("cat-cow", "ok", 2)])
    repo.read_from.clear()
    later = progress(repo, cat, 1, now=noon(11))
    assert repo.read_from[0] is not None and local_day(repo.read_from[0]) == held.until + DAY
    assert later == whole_replay(repo, cat, 1)
    refresh(repo, cat, 1, now=noon(11))
    moved = repo.progress_checkpoint(1)
    assert moved is not None and moved.until == held.until + DAY


@pytest.mark.parametrize(
    ("write", "dropped"),
    [
        ("log today", False),
        ("log on the last settled day", True),
        ("log on the day after it", False),
        ("check-in today", False),
        ("check-in the morning after the last settled day", True),
        ("finish a settled session", True),
        ("import", True),
    ],
)
def test_a_write_into_the_checkpoints_days_drops_it(
    repo: Repository, cat: Catalogue, write: str, dropped: bool
) -> None:
    today = 12
    settled = today - SETTLED_AFTER.days
    ids = {day: a_session(repo, 1, day, [("bridge", "ok", 1)]) for day in range(today + 1)}
    refresh(repo, cat, 1, now=noon(today))
    assert repo.progress_checkpoint(1) is not None
    match write:
        case "log today":
            a_log(repo, 1, ids[today], 5, "bridge", "hurt", 7, noon(today))
        case "log on the last settled day":
            a_log(repo, 1, ids[settled], 5, "bridge", "hurt", 7, noon(settled))
        case "log on the day after it":
            a_log(repo, 1, ids[settled + 1], 5, "bridge", "hurt", 7, noon(settled + 1))
        case "check-in today":
            repo.add_checkin(1, local_day(noon(today)), 3, None, noon(today))
        case "check-in the morning after the last settled day":
            repo.add_checkin(1, local_day(noon(settled + 1)), 9, None, noon(settled + 1))
        case "finish a settled session":
            repo.finish_session(1, ids[3], status=SessionStatus.QUIT, ended_at=noon(3),
                                pain_after=9)  # fmt: skip
        case "import":
            repo.import_records(1, sessions=[], checkins=[], screens=[], progression=[])
    assert (repo.progress_checkpoint(1) is None) is dropped
    assert progress(repo, cat, 1, now=noon(today)) == whole_replay(repo, cat, 1)


def test_a_checkpoint_made_on_another_ladder_or_version_is_not_used(
    repo: Repository, cat: Catalogue
) -> None:
    for day in range(6):
        a_session(repo, 1, day, [("crunch", "ok", 1)])
    refresh(repo, cat, 1, now=noon(8))
    held = repo.progress_checkpoint(1)
    assert held is not None
    lying = {"crunch": {**held.states["crunch"], "step": 4}}  # type: ignore[dict-item]
    for tampered in (
        held.model_copy(update={"states": {"crunch": {**lying["crunch"], "ladder": "old"}}}),
        held.model_copy(update={"states": lying, "version": held.version + 1}),
        held.model_copy(update={"states": {"crunch": {"step": "x"}}}),
    ):
        repo.save_progress_checkpoint(tampered)
        assert progress(repo, cat, 1, now=noon(8)) == whole_replay(repo, cat, 1)
    # The same lie with the right ladder and version would be believed: the checks matter.
    repo.save_progress_checkpoint(held.model_copy(update={"states": lying}))
    assert progress(repo, cat, 1, now=noon(8)) != whole_replay(repo, cat, 1)


def test_a_checkpoint_of_a_later_day_than_today_is_not_used(
    repo: Repository, cat: Catalogue
) -> None:
    for day in range(6):
        a_session(repo, 1, day, [("cat-cow", "hurt", 8), ("cat-cow", "ok", 1)])
    refresh(repo, cat, 1, now=noon(20))  # the clock was ahead, then set right
    assert progress(repo, cat, 1, now=noon(4)) == whole_replay(repo, cat, 1)
    refresh(repo, cat, 1, now=noon(4))
    held = repo.progress_checkpoint(1)
    assert held is not None and held.until == local_day(noon(4)) - SETTLED_AFTER


def test_what_a_plan_reads_follows_writes_made_through_another_store_object(
    cat: Catalogue, tmp_path: Path
) -> None:
    """Two processes on one database: one keeps what it read, the other writes."""
    url = f"sqlite:///{tmp_path / 'midback.db'}"
    here, there = open_store(url), open_store(url)
    try:
        for day in range(4):
            a_session(there, 1, day, [("bridge", "ok", 1)])
        before = personalise(here, cat, 1, REQUEST, now=noon(7))
        assert before.doses and before.recent == {"bridge"}
        assert personalise(here, cat, 1, REQUEST, now=noon(7)) == before  # kept
        session = a_session(there, 1, 5, [("cat-cow", "hurt", 8)])
        after = personalise(here, cat, 1, REQUEST, now=noon(7))
        assert "cat-cow" in after.recent and after == PersonFacts.read(
            here, cat, 1, now=noon(7)
        ).personalise(REQUEST)
        answers = Answers(age=40, pain_now=3, pain_duration_days=60,
                          conditions=[Condition.OSTEOPOROSIS])  # fmt: skip
        save_screen(there, 1, answers, screen(answers), noon(6))
        assert PersonFacts.read(here, cat, 1, now=noon(7)).screen is not None
        assert person_facts(here, cat, 1, now=noon(7)).screen == StoredScreen(
            screen(answers), noon(6)
        )
        there.finish_session(1, session, status=SessionStatus.QUIT, ended_at=noon(5), pain_after=9)
        assert personalise(here, cat, 1, REQUEST, now=noon(7)) == PersonFacts.read(
            here, cat, 1, now=noon(7)
        ).personalise(REQUEST)
    finally:
        here.engine.dispose()
        there.engine.dispose()


def test_a_new_person_given_a_deleted_persons_id_is_not_served_their_plans(
    cat: Catalogue, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'midback.db'}"
    repo = open_store(url)
    try:
        first = repo.add_person(email="a@example.org", created_at=DAY0)
        for day in range(4):
            a_session(repo, first, day, [("bridge", "ok", 1)])
        assert personalise(repo, cat, first, REQUEST, now=noon(7)).recent == {"bridge"}
        SqlAccounts(repo.engine).delete(first)
        again = repo.add_person(email="b@example.org", created_at=DAY0 + DAY)
        assert again == first  # SQLite gives the id out again
        assert personalise(repo, cat, again, REQUEST, now=noon(7)).recent == frozenset()
    finally:
        repo.engine.dispose()
