"""Courses in the store: one active course per person, replaced state, isolation; the same on
SQLite, PostgreSQL and the fake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from midback.errors import ImportFileError, NotFound
from midback.storage import Repository

AT = datetime(2026, 12, 6, 9, tzinfo=UTC)


def test_starting_a_course_ends_the_active_one(repo: Repository) -> None:
    assert repo.active_course(1) is None
    first = repo.start_course(1, {"phase": "settle"}, at=AT)
    assert repo.active_course(1) == first
    second = repo.start_course(1, {"phase": "build"}, at=AT + timedelta(days=1))
    assert repo.active_course(1) == second
    both = repo.courses(1)
    assert [c.id for c in both] == [first.id, second.id]
    assert [c.active for c in both] == [False, True]


def test_saving_replaces_the_state_and_can_end_the_course(repo: Repository) -> None:
    course = repo.start_course(1, {"phase": "settle", "core": ["cat-cow"]}, at=AT)
    later = AT + timedelta(days=3)
    saved = repo.save_course(1, course.id, {"phase": "build", "core": []}, active=True, at=later)
    assert saved.state == {"phase": "build", "core": []}
    assert saved.updated_at == later and saved.started_at == AT
    assert repo.active_course(1) == saved
    repo.save_course(1, course.id, saved.state, active=False, at=later)
    assert repo.active_course(1) is None


def test_another_persons_course_is_not_found(repo: Repository) -> None:
    other = repo.add_person(email="other@example.org", created_at=AT)
    course = repo.start_course(other, {"phase": "settle"}, at=AT)
    assert repo.active_course(1) is None
    with pytest.raises(NotFound):
        repo.save_course(1, course.id, {}, active=True, at=AT)
    with pytest.raises(NotFound):
        repo.start_course(999_999, {}, at=AT)


def test_a_course_write_raises_the_persons_revision(repo: Repository) -> None:
    before = repo.revision(1)
    repo.start_course(1, {"phase": "settle"}, at=AT)
    assert repo.revision(1) != before


def _course_state() -> dict[str, object]:
    from midback.domain.course import CoreExercise, Course
    from midback.domain.plans import PlanRequest

    day = AT.date()
    return Course(request=PlanRequest(minutes=15, place="home"), started_on=day,
                  phase_started_on=day, core=[CoreExercise(exercise_id="cat-cow", since=day)]
                  ).to_json()  # fmt: skip


def test_courses_travel_in_the_export_and_back(repo: Repository) -> None:
    from midback.storage.exchange import export_json, import_json
    from tests.fakes import FakeRepository

    repo.start_course(1, _course_state(), at=AT)
    document = export_json(repo, 1)
    assert [c["active"] for c in document["courses"]] == [True]
    fresh = FakeRepository()
    counts = import_json(fresh, 1, document, now=AT)
    assert counts["courses"] == 1
    assert export_json(fresh, 1)["courses"] == [
        {**c, "id": fresh.courses(1)[0].id} for c in document["courses"]
    ]
    with pytest.raises(ImportFileError, match=r"courses\[0\].active"):
        import_json(fresh, 1, {**document, "sessions": [], "checkins": [], "screens": [],
                               "progression": []}, now=AT)  # fmt: skip


def test_a_bad_course_in_an_import_names_its_field(repo: Repository) -> None:
    from midback.storage.exchange import import_json

    base = {"format": "midback-export", "version": 1}
    course = {"id": 1, "started_at": AT.isoformat(), "updated_at": AT.isoformat(),
              "active": True, "state": {**_course_state(), "phase": "sprint"}}  # fmt: skip
    with pytest.raises(ImportFileError, match=r"courses\[0\].state.phase"):
        import_json(repo, 1, {**base, "courses": [course]}, now=AT)
    two = [{**course, "state": _course_state()}, {**course, "id": 2, "state": _course_state()}]
    with pytest.raises(ImportFileError, match=r"courses\[1\].active: only one"):
        import_json(repo, 1, {**base, "courses": two}, now=AT)
    assert repo.courses(1) == []


def test_a_retried_check_in_changes_nothing(repo: Repository) -> None:
    day = AT.date()
    first = repo.add_checkin(1, day, 5, None, AT, idempotency_key="checkin-key-1")
    before = repo.revision(1)
    retried = repo.add_checkin(1, day, 5, None, AT + timedelta(seconds=30),
                               idempotency_key="checkin-key-1")  # fmt: skip
    assert retried == first
    assert repo.revision(1) == before, "a retry writes nothing"
    newer = repo.add_checkin(1, day, 3, 2, AT + timedelta(minutes=5), idempotency_key="checkin-2")
    (stored,) = repo.checkins(1)
    assert stored == newer and (stored.morning_pain, stored.stiffness) == (3, 2)
