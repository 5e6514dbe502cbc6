"""Courses through the use cases, against the fake store with a scripted person and a clock
moved by hand: the core is kept and its doses climb; hurts swap; pain steers the phases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from midback.domain.answers import Answers
from midback.domain.catalogue import Catalogue
from midback.domain.course import Phase
from midback.domain.plans import Plan, PlanRequest
from midback.domain.records import LogStatus, NewLog, SessionStatus
from midback.domain.vocab import Place
from midback.services import courses as course_cases
from midback.services.screening import take_screen
from tests.fakes import FakeRepository

PERSON = 1
START = datetime(2026, 12, 7, 7, tzinfo=UTC)  # a Monday morning


def day(n: int, hour: int = 7) -> datetime:
    return START + timedelta(days=n, hours=hour - 7)


def new_person() -> FakeRepository:
    repo = FakeRepository()
    take_screen(repo, PERSON, Answers(age=40, pain_now=4, pain_duration_days=20, improving=True),
                at=START)  # fmt: skip
    return repo


def play(
    repo: FakeRepository,
    plan: Plan,
    at: datetime,
    *,
    pain_before: int,
    pain_after: int,
    hurt: str | None = None,
) -> None:
    """A session as the players store it: every exercise done at its target (or stopped)."""
    record = repo.start_session(PERSON, plan=plan.to_json(), program_id=None, started_at=at,
                                pain_before=pain_before)  # fmt: skip
    for position, block in enumerate(plan.blocks):
        stopped = block.exercise_id == hurt
        repo.log_exercise(
            PERSON,
            record.id,
            NewLog(
                position=position,
                exercise_id=block.exercise_id,
                variant=block.variant,
                target=block.dose,
                actual=None if stopped else block.dose,
                status=LogStatus.STOPPED_FOR_PAIN if stopped else LogStatus.COMPLETED,
                pain=7 if stopped else None,
                logged_at=at + timedelta(minutes=position + 1),
                idempotency_key=f"{record.id}:{position}:1",
            ),
        )
    repo.finish_session(PERSON, record.id, status=SessionStatus.COMPLETED,
                        ended_at=at + timedelta(minutes=20), pain_after=pain_after, effort=4,
                        note=None)  # fmt: skip


def started(cat: Catalogue, repo: FakeRepository) -> None:
    course_cases.start_course(repo, cat, PERSON, PlanRequest(minutes=15, place=Place.HOME),
                              now=START)  # fmt: skip


def test_two_weeks_of_daily_sessions_keep_the_core_and_climb_its_doses(cat: Catalogue) -> None:
    repo = new_person()
    started(cat, repo)
    first = course_cases.course_session(repo, cat, PERSON, now=day(0, 18), pain_before=3)
    core = [b.exercise_id for b in first.blocks]
    doses = {b.exercise_id: b.dose for b in first.blocks}
    for n in range(14):
        repo.add_checkin(PERSON, day(n).date(), 3, None, day(n))
        today = course_cases.course_session(repo, cat, PERSON, now=day(n, 18), pain_before=3)
        assert [b.exercise_id for b in today.blocks] == core, f"day {n + 1}"
        play(repo, today, day(n, 18), pain_before=3, pain_after=2)
    last = course_cases.course_session(repo, cat, PERSON, now=day(13, 19), pain_before=3)
    climbed = [b.exercise_id for b in last.blocks
               if b.dose.seconds > doses[b.exercise_id].seconds]  # fmt: skip
    assert climbed, "after two weeks of good sessions some core doses have climbed"
    view = course_cases.course_view(repo, cat, PERSON, now=day(13, 20))
    assert set(view.steps) <= set(core) and view.steps


def test_the_view_reads_and_the_session_writes(cat: Catalogue) -> None:
    repo = new_person()
    started(cat, repo)
    record = repo.active_course(PERSON)
    assert record is not None
    view = course_cases.course_view(repo, cat, PERSON, now=day(15))
    assert view.course.phase is Phase.BUILD, "the view shows the phase due today"
    assert repo.active_course(PERSON) == record, "a view never stores"
    course_cases.course_session(repo, cat, PERSON, now=day(15), pain_before=2)
    stored = repo.active_course(PERSON)
    assert stored is not None and stored.state["phase"] == "build"


def test_an_exercise_that_hurt_twice_leaves_the_core_for_a_gentler_one(cat: Catalogue) -> None:
    repo = new_person()
    started(cat, repo)
    first = course_cases.course_session(repo, cat, PERSON, now=day(0, 18), pain_before=3)
    victim = first.blocks[0].exercise_id
    play(repo, first, day(0, 18), pain_before=3, pain_after=3, hurt=victim)
    second = course_cases.course_session(repo, cat, PERSON, now=day(1, 18), pain_before=3)
    assert victim in [b.exercise_id for b in second.blocks], "one hurt keeps it"
    play(repo, second, day(1, 18), pain_before=3, pain_after=3, hurt=victim)
    third = course_cases.course_session(repo, cat, PERSON, now=day(2, 18), pain_before=3)
    assert victim not in [b.exercise_id for b in third.blocks]
    assert len(third.blocks) == len(first.blocks)
    view = course_cases.course_view(repo, cat, PERSON, now=day(2, 19))
    assert any(e.kind == "swap" and "hurt twice" in e.message for e in view.course.events)


def test_falling_pain_with_sessions_on_target_starts_the_next_phase_early(
    cat: Catalogue,
) -> None:
    repo = new_person()
    started(cat, repo)
    for n in range(21):
        repo.add_checkin(PERSON, day(n).date(), 6 if n < 7 else 3, None, day(n))
    course_cases.course_session(repo, cat, PERSON, now=day(14, 18), pain_before=3)
    for n in range(14, 21):
        today = course_cases.course_session(repo, cat, PERSON, now=day(n, 18), pain_before=3)
        play(repo, today, day(n, 18), pain_before=3, pain_after=3)
    stored = repo.active_course(PERSON)
    assert stored is not None and stored.state["phase"] == "build"
    # Day 22: a week after the last review, pain is down 3 points from the first week and
    # seven sessions were kept: the strengthen phase starts a week before its time.
    course_cases.course_session(repo, cat, PERSON, now=day(21, 18), pain_before=3)
    stored = repo.active_course(PERSON)
    assert stored is not None and stored.state["phase"] == "strengthen"
    events: Any = stored.state["events"]
    assert events[-1]["kind"] == "advance"
    assert "2 points or 30%" in events[-1]["message"]


def test_falling_pain_without_the_sessions_waits_for_the_phase_to_end(cat: Catalogue) -> None:
    repo = new_person()
    started(cat, repo)
    for n in range(21):
        repo.add_checkin(PERSON, day(n).date(), 6 if n < 7 else 3, None, day(n))
    course_cases.course_session(repo, cat, PERSON, now=day(14, 18), pain_before=3)
    course_cases.course_session(repo, cat, PERSON, now=day(21, 18), pain_before=3)
    stored = repo.active_course(PERSON)
    assert stored is not None and stored.state["phase"] == "build"


def test_rising_pain_steps_back_and_advises_seeing_someone(cat: Catalogue) -> None:
    repo = new_person()
    started(cat, repo)
    for n in range(14):
        repo.add_checkin(PERSON, day(n).date(), 3, None, day(n))
    course_cases.course_session(repo, cat, PERSON, now=day(14, 18), pain_before=3)
    stored = repo.active_course(PERSON)
    assert stored is not None and stored.state["phase"] == "build"
    for n in range(21, 28):
        repo.add_checkin(PERSON, day(n).date(), 6, None, day(n))
    course_cases.course_session(repo, cat, PERSON, now=day(28, 18), pain_before=5)
    stored = repo.active_course(PERSON)
    assert stored is not None and stored.state["phase"] == "settle"
    events: Any = stored.state["events"]
    last = events[-1]
    assert last["kind"] == "step-back"
    assert "physiotherapist or doctor" in last["message"]


def test_no_course_is_a_clear_error(cat: Catalogue) -> None:
    repo = new_person()
    with pytest.raises(course_cases.NoCourse, match="course start"):
        course_cases.course_view(repo, cat, PERSON, now=START)


def test_swap_and_stop_are_stored(cat: Catalogue) -> None:
    repo = new_person()
    started(cat, repo)
    view = course_cases.course_view(repo, cat, PERSON, now=day(1))
    target = view.course.core[0].exercise_id
    swapped = course_cases.swap(repo, cat, PERSON, target, now=day(1))
    assert target not in [c.exercise_id for c in swapped.core]
    course_cases.stop(repo, PERSON, now=day(2))
    assert repo.active_course(PERSON) is None


def test_the_week_follows_the_course(cat: Catalogue) -> None:
    from midback.services.planning import make_week_for

    repo = new_person()
    started(cat, repo)
    today = course_cases.course_session(repo, cat, PERSON, now=day(0, 8))
    week = make_week_for(repo, cat, PERSON, PlanRequest(minutes=20, place=Place.HOME), days=7,
                         start=day(0).date(), now=day(0, 8))  # fmt: skip
    mains = [s for s in week.sessions if s.kind == "main"]
    assert len(mains) == 7
    for session in mains:
        assert session.plan is not None
        assert [b.exercise_id for b in session.plan.blocks] == [b.exercise_id for b in today.blocks]
    assert not week.strength_days
    assert any("course" in note for note in week.notes)


def test_each_session_of_the_week_can_be_started_from_its_own_query(cat: Catalogue) -> None:
    from midback.services.planning import make_week_for

    repo = new_person()
    week = make_week_for(repo, cat, PERSON, PlanRequest(minutes=20, place=Place.HOME), days=7,
                         start=day(0).date(), now=day(0, 8))  # fmt: skip
    for session in week.sessions:
        query = dict(session.start)
        if session.kind == "walk":
            assert session.start == []
        elif session.kind == "desk-break":
            assert (query["minutes"], query["place"], query["focus"]) == ("5", "desk", "relief")
        else:
            assert (query["minutes"], query["place"]) == ("20", "home")
    started(cat, repo)
    week = make_week_for(repo, cat, PERSON, PlanRequest(minutes=20, place=Place.HOME), days=7,
                         start=day(0).date(), now=day(0, 8))  # fmt: skip
    assert all(s.start == [("course", "1")] for s in week.sessions if s.kind == "main")


def test_core_doses_follow_each_core_exercise_session_by_session(cat: Catalogue) -> None:
    repo = new_person()
    assert course_cases.core_doses(repo, cat, PERSON) == {}
    started(cat, repo)
    for n in range(6):
        today = course_cases.course_session(repo, cat, PERSON, now=day(n, 18), pain_before=3)
        repo.add_checkin(PERSON, day(n).date(), 3, None, day(n))
        play(repo, today, day(n, 18), pain_before=3, pain_after=2)
    doses = course_cases.core_doses(repo, cat, PERSON)
    stored = repo.active_course(PERSON)
    assert stored is not None
    core: Any = stored.state["core"]
    assert list(doses) == [c["exercise_id"] for c in core]
    for points in doses.values():
        assert [p.day for p in points] == [day(n).date() for n in range(6)]
        assert all(p.work_s > 0 and p.dose for p in points)
