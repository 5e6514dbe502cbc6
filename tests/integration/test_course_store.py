"""Courses in the store: one active course per person, replaced state, isolation; the same on
SQLite, PostgreSQL and the fake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from midback.errors import NotFound
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
