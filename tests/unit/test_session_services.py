"""The session use cases both players store through, against the fake store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from midback.domain.catalogue import Catalogue
from midback.domain.planner import plan
from midback.domain.plans import PlanRequest
from midback.domain.records import LogStatus, SessionStatus
from midback.domain.vocab import Place
from midback.errors import PlanError
from midback.services import sessions
from tests.fakes import FakeRepository

AT = datetime(2026, 12, 7, 18, tzinfo=UTC)
ME = 1


def test_one_key_format_for_both_players() -> None:
    assert sessions.log_key(12, 3, 1) == "s12-b3-a1"


def test_a_completed_exercise_without_actual_was_done_as_planned(cat: Catalogue) -> None:
    repo = FakeRepository()
    made = plan(cat, PlanRequest(minutes=10, place=Place.HOME))
    record = sessions.begin(repo, ME, made, pain_before=3, at=AT)
    done = sessions.log(repo, ME, record.id, position=0, status=LogStatus.COMPLETED,
                        actual=None, pain=None, at=AT, idempotency_key="s1-b0-a1")  # fmt: skip
    assert done.actual == made.blocks[0].dose == done.target
    skipped = sessions.log(repo, ME, record.id, position=1, status=LogStatus.SKIPPED,
                           actual=None, pain=None, at=AT, idempotency_key="s1-b1-a1")  # fmt: skip
    assert skipped.actual is None
    again = sessions.log(repo, ME, record.id, position=0, status=LogStatus.COMPLETED,
                         actual=None, pain=None, at=AT, idempotency_key="s1-b0-a1")  # fmt: skip
    assert again == done and len(repo.session_logs(ME, record.id)) == 2
    with pytest.raises(PlanError, match="position"):
        sessions.log(repo, ME, record.id, position=99, status=LogStatus.COMPLETED, actual=None,
                     pain=None, at=AT, idempotency_key="s1-b99-a1")  # fmt: skip


def test_finishing_stores_the_progression_table(cat: Catalogue) -> None:
    repo = FakeRepository()
    made = plan(cat, PlanRequest(minutes=10, place=Place.HOME))
    for day in range(3):
        at = AT + timedelta(days=day)
        record = sessions.begin(repo, ME, made, pain_before=2, at=at)
        for position in range(len(made.blocks)):
            sessions.log(repo, ME, record.id, position=position, status=LogStatus.COMPLETED,
                         actual=None, pain=None, at=at,
                         idempotency_key=sessions.log_key(record.id, position, 1))  # fmt: skip
        assert repo.get_session(ME, record.id).status is SessionStatus.RUNNING
        sessions.finish(repo, cat, ME, record.id, status=SessionStatus.COMPLETED, pain_after=2,
                        effort=4, note=None, at=at + timedelta(minutes=15))  # fmt: skip
    table = repo.progression(ME)
    assert set(table) == {b.exercise_id for b in made.blocks}
    assert all(step.updated_at >= AT for step in table.values())


def test_a_read_shows_a_stale_running_session_as_interrupted_and_stores_nothing(
    cat: Catalogue,
) -> None:
    repo = FakeRepository()
    made = plan(cat, PlanRequest(minutes=10, place=Place.HOME))
    record = sessions.begin(repo, ME, made, pain_before=2, at=AT)
    (fresh,) = sessions.recent(repo, ME, now=AT + timedelta(hours=5), limit=5)
    assert fresh.status is SessionStatus.RUNNING
    (stale,) = sessions.recent(repo, ME, now=AT + timedelta(hours=6), limit=5)
    assert stale.status is SessionStatus.INTERRUPTED
    assert repo.get_session(ME, record.id).status is SessionStatus.RUNNING
    sessions.begin(repo, ME, made, pain_before=2, at=AT + timedelta(hours=7))
    assert repo.get_session(ME, record.id).status is SessionStatus.INTERRUPTED
