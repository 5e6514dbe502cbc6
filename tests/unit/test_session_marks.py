"""History marks each session with what was done: "3 of 5 exercises, stopped: it hurt"."""

from __future__ import annotations

from datetime import UTC, datetime

from midback.domain.catalogue import Catalogue
from midback.domain.planner import plan
from midback.domain.plans import PlanRequest
from midback.domain.records import LogStatus
from midback.domain.vocab import Place
from midback.services import sessions
from midback.services.session_marks import what_was_done
from tests.fakes import FakeRepository

ME = 1
AT = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def _log(repo: FakeRepository, session_id: int, position: int, status: LogStatus, n: int) -> None:
    sessions.log(repo, ME, session_id, position=position, status=status, actual=None, pain=None,
                 at=AT, idempotency_key=f"s{session_id}-b{position}-a{n}")  # fmt: skip


def test_a_session_stopped_for_pain_says_how_far_it_got(cat: Catalogue) -> None:
    repo = FakeRepository()
    made = plan(cat, PlanRequest(minutes=15, place=Place.HOME))
    record = sessions.begin(repo, ME, made, pain_before=3, at=AT)
    _log(repo, record.id, 0, LogStatus.COMPLETED, 1)
    _log(repo, record.id, 1, LogStatus.SKIPPED, 1)
    _log(repo, record.id, 2, LogStatus.COMPLETED, 1)
    _log(repo, record.id, 3, LogStatus.STOPPED_FOR_PAIN, 1)

    listed = repo.list_sessions(ME, plans=False)
    done = what_was_done(repo, ME, listed)[record.id]

    count = len(made.blocks)
    assert (done.exercises, done.completed, done.skipped, done.stopped_for_pain) == (count, 2, 1, 1)
    assert done.words == f"2 of {count} exercises, 1 skipped, stopped: it hurt"


def test_an_exercise_run_again_counts_by_its_last_log(cat: Catalogue) -> None:
    repo = FakeRepository()
    made = plan(cat, PlanRequest(minutes=10, place=Place.HOME))
    record = sessions.begin(repo, ME, made, pain_before=None, at=AT)
    _log(repo, record.id, 0, LogStatus.SKIPPED, 1)
    _log(repo, record.id, 0, LogStatus.COMPLETED, 2)  # Back, and done this time

    done = what_was_done(repo, ME, [record])[record.id]

    assert (done.completed, done.skipped) == (1, 0)
    assert done.words == f"1 of {len(made.blocks)} exercises"
