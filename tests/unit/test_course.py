"""Courses in the domain: the core, its sessions, swaps, phases and the weekly review."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from midback.domain import course as courses
from midback.domain.candidates import allowed_forms
from midback.domain.catalogue import Catalogue
from midback.domain.course import Course, Phase
from midback.domain.plans import PlanRequest
from midback.domain.prescription import Prescription
from midback.domain.vocab import Condition, Kind, Place
from midback.errors import PlanError

DAY1 = date(2026, 12, 7)  # a Monday


def request(**changes: object) -> PlanRequest:
    return PlanRequest.model_validate({"minutes": 15, "place": Place.HOME, **changes})


def started(cat: Catalogue, **changes: object) -> Course:
    return courses.start(cat, request(**changes), today=DAY1)


def core_ids(course: Course) -> list[str]:
    return [c.exercise_id for c in course.core]


def test_a_course_starts_in_the_settle_phase_with_a_core_of_3_to_6(cat: Catalogue) -> None:
    course = started(cat)
    assert course.phase is Phase.SETTLE
    assert courses.CORE_MIN <= len(course.core) <= courses.CORE_MAX
    assert all(cat.exercises[i].kind is not Kind.CARDIO for i in core_ids(course))
    assert course.events[0].kind == "start"


def test_every_session_of_a_phase_is_the_core_at_the_earned_doses(cat: Catalogue) -> None:
    course = started(cat)
    first = courses.session(cat, course, request(), today=DAY1)
    assert [b.exercise_id for b in first.blocks] == core_ids(course)
    target = course.core[0].exercise_id
    earned = first.blocks[0].dose.model_copy(update={"sets": first.blocks[0].dose.sets + 1})
    later = courses.session(cat, course, request(doses={target: earned}),
                            today=DAY1 + timedelta(days=3))  # fmt: skip
    assert [b.exercise_id for b in later.blocks] == core_ids(course)
    assert later.blocks[0].dose == earned
    assert later.blocks[0].seconds == earned.seconds
    assert later.total_seconds == 5 + sum(b.seconds for b in later.blocks)


def test_the_core_stays_the_same_within_a_phase(cat: Catalogue) -> None:
    course = started(cat)
    for day in range(1, 14):
        kept = courses.maintain(cat, course, request(), today=DAY1 + timedelta(days=day),
                                stopped=[])  # fmt: skip
        assert core_ids(kept) == core_ids(course)
        assert kept.phase is Phase.SETTLE


def test_after_two_weeks_the_build_phase_starts_with_its_own_core(cat: Catalogue) -> None:
    course = started(cat)
    moved = courses.maintain(cat, course, request(), today=DAY1 + timedelta(days=14), stopped=[])
    assert moved.phase is Phase.BUILD
    assert moved.phase_started_on == DAY1 + timedelta(days=14)
    assert moved.events[-1].kind == "advance"
    again = courses.maintain(cat, moved, request(), today=DAY1 + timedelta(days=28), stopped=[])
    assert again.phase is Phase.STRENGTHEN
    strength = [i for i in core_ids(again) if cat.exercises[i].kind is Kind.STRENGTH]
    assert strength, "the strengthen phase's core holds strength work"


def test_an_exercise_that_hurt_twice_is_replaced_by_a_gentler_one_moving_the_same_way(
    cat: Catalogue,
) -> None:
    course = started(cat, focus="strength")
    victim = course.core[0]
    once = courses.maintain(cat, course, request(), today=DAY1 + timedelta(days=2),
                            stopped=[(DAY1 + timedelta(days=1), victim.exercise_id)])  # fmt: skip
    assert victim.exercise_id in core_ids(once)
    stopped = [(DAY1 + timedelta(days=1), victim.exercise_id),
               (DAY1 + timedelta(days=2), victim.exercise_id)]  # fmt: skip
    twice = courses.maintain(cat, course, request(), today=DAY1 + timedelta(days=3),
                             stopped=stopped)  # fmt: skip
    assert victim.exercise_id not in core_ids(twice)
    new = twice.core[0]
    old = cat.exercises[victim.exercise_id]
    assert set(cat.exercises[new.exercise_id].directions) & set(old.directions)
    assert new.since == DAY1 + timedelta(days=3)
    assert "hurt twice" in twice.events[-1].message
    assert len(twice.core) == len(course.core)


def test_hurts_before_an_exercise_joined_the_core_do_not_count(cat: Catalogue) -> None:
    course = started(cat)
    victim = course.core[0]
    old = [(DAY1 - timedelta(days=3), victim.exercise_id)] * 2
    kept = courses.maintain(cat, course, request(), today=DAY1 + timedelta(days=1), stopped=old)
    assert core_ids(kept) == core_ids(course)


def test_a_new_screen_that_rules_an_exercise_out_replaces_it(cat: Catalogue) -> None:
    course = started(cat, minutes=20)
    limits = request(conditions={Condition.KNEE_PAIN, Condition.WRIST_PAIN})
    kept = courses.maintain(cat, course, limits, today=DAY1 + timedelta(days=1), stopped=[])
    for item in kept.core:
        forms = allowed_forms(cat.exercises[item.exercise_id], limits)
        assert any((f.variant.id if f.variant else None) == item.variant for f in forms)


def test_the_person_can_swap_a_core_exercise(cat: Catalogue) -> None:
    course = started(cat)
    target = course.core[-1].exercise_id
    swapped = courses.swap(cat, course, target, request(), today=DAY1 + timedelta(days=1))
    assert target not in core_ids(swapped)
    assert len(swapped.core) == len(course.core)
    assert swapped.events[-1].kind == "swap"
    with pytest.raises(PlanError, match="not in your course's core"):
        courses.swap(cat, swapped, target, request(), today=DAY1)


def scores(start: date, days: int, pain: int) -> dict[date, int]:
    return {start + timedelta(days=d): pain for d in range(days)}


def test_a_meaningful_improvement_with_sessions_on_target_lets_the_next_phase_start_early(
    cat: Catalogue,
) -> None:
    course = started(cat)
    today = DAY1 + timedelta(days=13)
    pain = scores(DAY1, 6, 6) | scores(today - timedelta(days=7), 7, 3)
    sessions = [today - timedelta(days=d) for d in range(1, 7)]
    review = courses.review(course, today=today, pain_by_day=pain, session_days=sessions)
    assert review.improved and review.advance_early and not review.step_back
    assert today < course.phase_ends_on
    moved = courses.maintain(cat, course, request(), today=today, stopped=[], review=review)
    assert moved.phase is Phase.BUILD
    few = courses.review(course, today=today, pain_by_day=pain, session_days=sessions[:2])
    assert few.improved and not few.advance_early


def test_rising_pain_steps_back_a_phase_and_advises_seeing_someone(cat: Catalogue) -> None:
    course = courses.maintain(cat, started(cat), request(), today=DAY1 + timedelta(days=14),
                              stopped=[])  # fmt: skip
    assert course.phase is Phase.BUILD
    today = DAY1 + timedelta(days=28)
    pain = scores(DAY1, 14, 3) | scores(today - timedelta(days=7), 7, 6)
    review = courses.review(course, today=today, pain_by_day=pain, session_days=[])
    assert review.rising and review.step_back
    assert any("physiotherapist or doctor" in line for line in review.advice)
    back = courses.maintain(cat, course, request(), today=today, stopped=[], review=review)
    assert back.phase is Phase.SETTLE
    assert back.events[-1].kind == "step-back"


def test_no_meaningful_improvement_after_6_weeks_advises_a_physiotherapist(
    cat: Catalogue,
) -> None:
    course = started(cat)
    today = DAY1 + timedelta(weeks=6, days=1)
    pain = scores(DAY1, 43, 5)
    review = courses.review(course, today=today, pain_by_day=pain, session_days=[])
    assert not review.improved
    assert any("see a physiotherapist" in line for line in review.advice)
    early = courses.review(course, today=DAY1 + timedelta(weeks=3), pain_by_day=pain,
                           session_days=[])  # fmt: skip
    assert not any("see a physiotherapist" in line for line in early.advice)


def test_a_program_followed_as_a_course_keeps_its_exercises_throughout(cat: Catalogue) -> None:
    course = courses.start(cat, request(), today=DAY1, program_id="core-foundation")
    ids = [e.exercise_id for e in cat.programs["core-foundation"].entries]
    assert core_ids(course) == ids
    later = courses.maintain(cat, course, request(), today=DAY1 + timedelta(days=30), stopped=[])
    assert core_ids(later) == ids
    crunch = Prescription(sets=3, reps=20, tempo_s=3, rest_s=45)
    plan = courses.session(cat, later, request(doses={"crunch": crunch}), today=DAY1)
    assert next(b for b in plan.blocks if b.exercise_id == "crunch").dose == crunch


def test_a_stopped_course_changes_no_more(cat: Catalogue) -> None:
    course = courses.stop(started(cat), today=DAY1 + timedelta(days=2))
    assert not course.active
    assert courses.maintain(cat, course, request(), today=DAY1 + timedelta(days=30),
                            stopped=[]) == course  # fmt: skip
