"""One "today": the person's own time zone, for check-ins, history, progression and caches."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from midback.domain.catalogue import Catalogue
from midback.domain.planner import plan
from midback.domain.plans import PlanRequest
from midback.domain.records import LogStatus, SessionStatus
from midback.domain.vocab import Place
from midback.services import sessions
from midback.services.clock import UnknownZone, set_zone, today_for, zone_for
from midback.services.progress import progress
from midback.services.records import checkin, person_history
from tests.fakes import FakeRepository

LATE_EVENING_UTC = datetime(2026, 3, 1, 20, tzinfo=UTC)
"""Already 2 March in Auckland (UTC+13), still 1 March in London and New York."""


def test_a_check_in_lands_on_the_persons_own_day() -> None:
    repo = FakeRepository()
    auckland = repo.add_person(email="a@example.org", created_at=LATE_EVENING_UTC)
    london = repo.add_person(email="b@example.org", created_at=LATE_EVENING_UTC)
    set_zone(repo, auckland, "Pacific/Auckland")
    set_zone(repo, london, "Europe/London")
    assert checkin(repo, auckland, pain=3, stiffness=None, at=LATE_EVENING_UTC).day == date(
        2026, 3, 2
    )
    assert checkin(repo, london, pain=3, stiffness=None, at=LATE_EVENING_UTC).day == date(
        2026, 3, 1
    )
    assert today_for(repo, auckland, LATE_EVENING_UTC) == date(2026, 3, 2)


def test_no_zone_means_this_machines_own() -> None:
    repo = FakeRepository()
    assert zone_for(repo, 1) is None
    assert today_for(repo, 1, LATE_EVENING_UTC) == LATE_EVENING_UTC.astimezone().date()


def test_an_unknown_zone_is_named_and_nothing_is_stored() -> None:
    repo = FakeRepository()
    with pytest.raises(UnknownZone, match="'Mars/Olympus'"):
        set_zone(repo, 1, "Mars/Olympus")
    assert repo.person_zone(1) is None
    assert set_zone(repo, 1, "  ") is None  # blank clears


def test_history_and_progress_count_the_persons_days(cat: Catalogue) -> None:
    repo = FakeRepository()
    set_zone(repo, 1, "Pacific/Auckland")
    made = plan(cat, PlanRequest(minutes=10, place=Place.HOME))
    record = sessions.begin(repo, 1, made, pain_before=4, at=LATE_EVENING_UTC)
    sessions.log(repo, 1, record.id, position=0, status=LogStatus.COMPLETED, actual=None,
                 pain=None, at=LATE_EVENING_UTC, idempotency_key="k")  # fmt: skip
    sessions.finish(repo, cat, 1, record.id, status=SessionStatus.COMPLETED, pain_after=3,
                    effort=None, note=None, at=LATE_EVENING_UTC)  # fmt: skip
    summary = person_history(repo, 1, now=LATE_EVENING_UTC)
    # Sunday 1 March in UTC is Monday 2 March in Auckland: the session opens a new week there.
    assert summary.weeks[-1].start == date(2026, 3, 2)
    assert summary.weeks[-1].sessions == 1
    standing = {s.exercise_id: s for s in progress(repo, cat, 1, now=LATE_EVENING_UTC)}
    assert made.blocks[0].exercise_id in standing
