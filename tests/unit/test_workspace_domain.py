"""The workspace's pure parts: triage order and paging, programmes (limits, dose ranges, the
plan they make), outcome measures, invite codes and scopes (issue 19)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from midback.domain.accounts import (
    CODE_ALPHABET,
    Scope,
    clean_display_name,
    normalise_code,
    show_code,
)
from midback.domain.loader import catalogue
from midback.domain.measures import (
    Activity,
    Answered,
    MeasureError,
    Psfs,
    Timepoint,
    check_answer,
    outcomes,
)
from midback.domain.plans import PlanRequest
from midback.domain.prescription import GET_READY_S
from midback.domain.programme import (
    ProgrammeDraft,
    ProgrammeError,
    ProgrammeItem,
    ProgrammeLimited,
    check_draft,
    default_item,
    to_plan,
)
from midback.domain.timeline import compile_plan
from midback.domain.triage import SortKey, TriageRow, ordered, page_of
from midback.domain.vocab import Condition, Place

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
CAT = catalogue()
HOME = PlanRequest(minutes=1, place=Place.HOME)


def _row(n: int, *, last: int | None = None, sessions: int = 0, target: int = 5,
         recent: float | None = None, earlier: float | None = None, alerts: int = 0,
         name: str | None = None) -> TriageRow:  # fmt: skip
    return TriageRow(
        person_id=n, email=f"p{n}@example.org", display_name=name, linked_at=NOW,
        last_active=None if last is None else NOW - timedelta(days=last), sessions=sessions,
        weekly_target=target, target_is_default=target == 5, pain_recent=recent,
        pain_earlier=earlier, alerts=alerts,
    )  # fmt: skip


def test_rows_without_a_value_come_last_whichever_way_the_list_runs() -> None:
    rows = [_row(1, last=3), _row(2), _row(3, last=10), _row(4, last=1)]
    assert [r.person_id for r in ordered(rows, SortKey.LAST_ACTIVE, descending=True)] == [
        4, 1, 3, 2]  # fmt: skip
    oldest_first = page_of(rows, sort=SortKey.LAST_ACTIVE)  # the default: longest inactive first
    assert [r.person_id for r in oldest_first.rows] == [3, 1, 4, 2]


def test_adherence_is_against_the_persons_own_target_over_two_weeks() -> None:
    assert _row(1, sessions=4, target=2).adherence == 1.0
    assert _row(2, sessions=5).adherence == 0.5
    worst_first = page_of([_row(1, sessions=4, target=2), _row(2, sessions=5)],
                          sort=SortKey.ADHERENCE)  # fmt: skip
    assert [r.person_id for r in worst_first.rows] == [2, 1]


def test_pain_change_needs_both_windows_and_worsening_comes_first() -> None:
    rows = [_row(1, recent=3, earlier=5), _row(2, recent=6, earlier=3), _row(3, recent=4)]
    assert _row(3, recent=4).pain_change is None
    assert [r.person_id for r in page_of(rows, sort=SortKey.PAIN_CHANGE).rows] == [2, 1, 3]


def test_ties_keep_name_order_and_pages_clamp() -> None:
    rows = [_row(n, alerts=1, name=f"Name {50 - n:02d}") for n in range(50)]
    page = page_of(rows, sort=SortKey.ALERTS, page=7, per_page=20)
    assert (page.page, page.pages, len(page.rows)) == (3, 3, 10)
    assert [r.name for r in page.rows] == [f"Name {n:02d}" for n in range(41, 51)]


def test_a_limited_exercise_is_refused_with_its_rule_and_others_pass() -> None:
    brittle = HOME.model_copy(update={"conditions": frozenset({Condition.OSTEOPOROSIS})})
    crunch = ProgrammeItem(exercise_id="crunch", sets=2, reps=15)
    with pytest.raises(ProgrammeLimited) as refused:
        check_draft(CAT, ProgrammeDraft(items=[crunch]), brittle)
    assert refused.value.rule in str(refused.value)
    check_draft(CAT, ProgrammeDraft(items=[crunch]), HOME)


def test_irritable_pain_refuses_strength_work_by_the_gentle_rule() -> None:
    gentle = HOME.model_copy(update={"gentle": True})
    with pytest.raises(ProgrammeLimited) as refused:
        check_draft(CAT, ProgrammeDraft(items=[default_item(CAT.exercise("bird-dog"))]), gentle)
    assert refused.value.rule == "gentle"


def test_every_catalogue_default_item_is_within_its_own_range() -> None:
    for exercise in CAT.exercises.values():
        check_draft(CAT, ProgrammeDraft(items=[default_item(exercise)]), HOME)


def test_doses_outside_the_range_or_in_other_units_are_refused() -> None:
    for item, words in (
        (ProgrammeItem(exercise_id="cat-cow", reps=11), "reps: 11 is outside the range 10"),
        (ProgrammeItem(exercise_id="cat-cow", sets=2, reps=10), "sets: 2 is outside"),
        (ProgrammeItem(exercise_id="cat-cow"), "reps: needed, within 10"),
        (ProgrammeItem(exercise_id="cobra", sets=2, hold_s=20, reps=3), "not dosed in them"),
    ):
        with pytest.raises(ProgrammeError, match=words):
            check_draft(CAT, ProgrammeDraft(items=[item]), HOME)
    twice = ProgrammeItem(exercise_id="cat-cow", reps=10)
    with pytest.raises(ProgrammeError, match="twice"):
        check_draft(CAT, ProgrammeDraft(items=[twice, twice]), HOME)


def test_a_programme_plays_in_order_with_its_notes_and_the_timeline_agrees() -> None:
    draft = ProgrammeDraft(items=[
        ProgrammeItem(exercise_id="bridge", sets=3, reps=10, hold_s=5, note="Squeeze at top"),
        ProgrammeItem(exercise_id="cat-cow", reps=10),
    ])  # fmt: skip
    plan = to_plan(CAT, draft, HOME)
    assert [b.exercise_id for b in plan.blocks] == ["bridge", "cat-cow"]
    assert plan.total_seconds == GET_READY_S + sum(b.seconds for b in plan.blocks)
    timeline = compile_plan(plan, CAT)
    assert timeline.total_s == plan.total_seconds
    assert timeline.blocks[0].key_cue.endswith("Your clinician's note: Squeeze at top")
    assert "note" not in timeline.blocks[1].key_cue
    assert plan.blocks[0].dose.sets == 3 and plan.blocks[0].dose.rest_s > 0


def _answer(point: Timepoint, days: int, *scores: int, groc: int | None = None) -> Answered:
    acts = [Activity(name=f"Task {n}", score=s) for n, s in enumerate(scores, 1)]
    return Answered(timepoint=point, at=NOW + timedelta(days=days),
                    psfs=Psfs(activities=acts), groc=groc)  # fmt: skip


def test_outcomes_fall_due_at_the_start_then_two_and_six_weeks() -> None:
    assert outcomes([], NOW).due is Timepoint.START
    start = _answer(Timepoint.START, 0, 2, 4)
    assert outcomes([start], NOW + timedelta(days=13)).due is None
    assert outcomes([start], NOW + timedelta(days=14)).due is Timepoint.WEEK_2
    week2 = _answer(Timepoint.WEEK_2, 15, 4, 6, groc=3)
    found = outcomes([week2, start], NOW + timedelta(days=42))
    assert found.due is Timepoint.WEEK_6 and found.change == 2.0 and found.meaningful
    assert found.activities == ["Task 1", "Task 2"]


def test_an_answer_must_fit_the_timepoint_due() -> None:
    start = outcomes([_answer(Timepoint.START, 0, 2, 4)], NOW + timedelta(days=15))
    same = Psfs(activities=[Activity(name="Task 1", score=5), Activity(name="Task 2", score=5)])
    with pytest.raises(MeasureError, match="groc"):
        check_answer(start, Timepoint.WEEK_2, same, None)
    with pytest.raises(MeasureError, match="same activities"):
        check_answer(start, Timepoint.WEEK_2, Psfs(activities=[Activity(name="X", score=1)]), 1)
    with pytest.raises(MeasureError, match="week2 is due"):
        check_answer(start, Timepoint.WEEK_6, same, 1)
    check_answer(start, Timepoint.WEEK_2, same, 1)


def test_invite_codes_read_alike_in_any_case_with_spaces_and_dashes() -> None:
    assert not set(CODE_ALPHABET) & set("0O1IL")
    assert normalise_code(" abcd-efgh ") == normalise_code("ABCDEFGH") == "ABCDEFGH"
    assert show_code("ABCDEFGH") == "ABCD-EFGH" and show_code("old_Code-1") == "old_Code-1"


def test_a_scope_hides_what_came_before_its_start() -> None:
    since = NOW
    assert Scope(since=since).shows(NOW) and not Scope(since=since).shows(NOW - timedelta(1))
    assert Scope().shows(NOW - timedelta(days=999))
    assert Scope(full=True).label == "full record, earlier data included"


def test_display_names_are_trimmed_and_checked() -> None:
    assert clean_display_name("  Alice  ") == "Alice" and clean_display_name("  ") is None
    with pytest.raises(Exception, match="display_name: over 80"):
        clean_display_name("x" * 81)
    with pytest.raises(Exception, match="invisible"):
        clean_display_name("Al\u200bice")
