"""The use cases of each family against the fake store and a fixed clock: what each reads, what
it writes (reads write nothing), and what it keeps in the store's own caches."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from midback.domain.answers import Answers
from midback.domain.catalogue import Catalogue
from midback.domain.planner import plan
from midback.domain.plans import PlanRequest
from midback.domain.player import BlockEnded
from midback.domain.questions import RedFlag
from midback.domain.records import LogStatus, SessionStatus
from midback.domain.timeline import compile_plan
from midback.domain.vocab import Condition, Place
from midback.errors import PainTooHigh, PlanError, ScreenBlocked, ScreenRequired
from midback.services import planning, sessions
from midback.services.live import LiveSession
from midback.services.planning import (
    MADE_KEPT,
    SEALED_FOR,
    PlanSeal,
    StalePlan,
    make_plan_for,
    person_facts,
    shown_plan_for_session,
)
from midback.services.progress import progress, refresh
from midback.services.records import (
    checkin,
    export_json,
    history_view,
    import_json,
    person_history,
)
from midback.services.screening import check_plan, current_screen, take_screen
from tests.fakes import FakeRepository

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)
ME = 1
CLEAR = Answers(age=40, pain_now=3, pain_duration_days=30, improving=True)
REQUEST = PlanRequest(minutes=10, place=Place.HOME)


def screened(repo: FakeRepository, answers: Answers = CLEAR, at: datetime = NOW) -> None:
    take_screen(repo, ME, answers, at=at)


# -- screening --------------------------------------------------------------------------------


def test_a_screen_is_kept_for_30_days_then_asked_again() -> None:
    repo = FakeRepository()
    with pytest.raises(ScreenRequired):
        current_screen(repo, ME, now=NOW)
    screened(repo)
    assert current_screen(repo, ME, now=NOW + timedelta(days=29)).verdict.value == "ok"
    with pytest.raises(ScreenRequired) as expired:
        current_screen(repo, ME, now=NOW + timedelta(days=31))
    assert expired.value.verdict == "expired"


def test_a_printed_plan_is_checked_against_the_screen_taken_since(cat: Catalogue) -> None:
    repo = FakeRepository()
    screened(repo)
    made = make_plan_for(repo, cat, ME, PlanRequest(minutes=20, place=Place.HOME), now=NOW)
    check_plan(repo, cat, ME, made, now=NOW)  # allowed as it was made
    pregnant = CLEAR.model_copy(update={"conditions": [Condition.PREGNANCY]})
    screened(repo, pregnant, NOW + timedelta(hours=1))
    assert any(b.exercise_id == "prone-chest-lift" for b in made.blocks)  # lying face down
    with pytest.raises(PlanError, match="ruled out by your safety screen"):
        check_plan(repo, cat, ME, made, now=NOW + timedelta(hours=1))


# -- planning ---------------------------------------------------------------------------------


def test_what_planning_reads_is_kept_until_the_persons_next_write(cat: Catalogue) -> None:
    repo = FakeRepository()
    screened(repo)
    first = person_facts(repo, cat, ME, now=NOW)
    assert person_facts(repo, cat, ME, now=NOW) is first  # kept: nothing of theirs changed
    made = plan(cat, REQUEST)
    record = sessions.begin(repo, ME, made, pain_before=2, at=NOW)
    sessions.log(repo, ME, record.id, position=0, status=LogStatus.COMPLETED, actual=None,
                 pain=None, at=NOW, idempotency_key="s1-b0-a1")  # fmt: skip
    after = person_facts(repo, cat, ME, now=NOW)
    assert after is not first
    assert after.recent == {made.blocks[0].exercise_id}


def test_caches_belong_to_one_store(cat: Catalogue) -> None:
    one, other = FakeRepository(), FakeRepository()
    screened(one)
    screened(other)
    a = make_plan_for(one, cat, ME, REQUEST, now=NOW)
    assert make_plan_for(one, cat, ME, REQUEST, now=NOW) is a  # the same store: kept
    assert make_plan_for(other, cat, ME, REQUEST, now=NOW) is not a  # another store: its own
    assert one.caches is not other.caches


def test_a_plan_asked_again_is_taken_from_the_facts_only_while_the_screen_allows_it(
    cat: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = FakeRepository()
    screened(repo, at=NOW - timedelta(days=30, hours=1))  # expires at 08:00 today
    early = NOW - timedelta(hours=2)  # 07:00, the same day: the same facts
    first = make_plan_for(repo, cat, ME, REQUEST, now=early)
    gate = planning.screened_request
    gated: list[PlanRequest] = []

    def counted(*args: object, **kwargs: object) -> PlanRequest:
        gated.append(args[3])  # type: ignore[arg-type]
        return gate(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(planning, "screened_request", counted)
    assert make_plan_for(repo, cat, ME, REQUEST, now=early) is first
    assert gated == []  # kept by the facts: the gate and the plan cache's key skipped
    other = make_plan_for(repo, cat, ME, REQUEST.model_copy(update={"minutes": 20}), now=early)
    assert other is not first and len(gated) == 1  # another request goes through the gate
    with pytest.raises(ScreenRequired):  # an hour later, the same day and facts: expired
        make_plan_for(repo, cat, ME, REQUEST, now=NOW)


def test_a_blocking_screen_goes_through_the_gate_every_time(cat: Catalogue) -> None:
    repo = FakeRepository()
    urgent = CLEAR.model_copy(update={"red_flags": [RedFlag.CANCER_HISTORY]})
    screened(repo, urgent)
    cleared = REQUEST.model_copy(update={"cleared": True})  # the person's own tick
    made = make_plan_for(repo, cat, ME, cleared, now=NOW)
    assert make_plan_for(repo, cat, ME, cleared, now=NOW) is made
    with pytest.raises(ScreenBlocked):  # the same facts: the tick is still asked for each time
        make_plan_for(repo, cat, ME, REQUEST, now=NOW)


def test_the_facts_remember_the_newest_plans_weakly(cat: Catalogue) -> None:
    repo = FakeRepository()
    screened(repo)
    facts = person_facts(repo, cat, ME, now=NOW)
    made = [plan(cat, REQUEST.model_copy(update={"seed": s})) for s in range(MADE_KEPT + 1)]
    for seed, one in enumerate(made):
        facts.keep((str(seed), None), one)
    assert facts.made(("0", None)) is None  # the oldest let go
    assert facts.made((str(MADE_KEPT), None)) is made[-1]
    del made[-1], one  # the last plan's only other references
    gc.collect()
    assert facts.made((str(MADE_KEPT), None)) is None  # nothing else held it


# -- records ----------------------------------------------------------------------------------


def test_a_retried_check_in_is_stored_once_and_a_second_one_replaces_it() -> None:
    repo = FakeRepository()
    first = checkin(repo, ME, pain=5, stiffness=3, at=NOW, idempotency_key="c-0001-aaaa")
    again = checkin(repo, ME, pain=5, stiffness=3, at=NOW, idempotency_key="c-0001-aaaa")
    assert again == first
    later = checkin(repo, ME, pain=4, stiffness=None, at=NOW + timedelta(hours=1))
    assert [c.morning_pain for c in repo.checkins(ME)] == [later.morning_pain] == [4]


def test_history_and_progress_are_reads(cat: Catalogue) -> None:
    repo = FakeRepository()
    made = plan(cat, REQUEST)
    record = sessions.begin(repo, ME, made, pain_before=4, at=NOW - timedelta(days=3))
    writes = repo.writes
    summary = person_history(repo, ME, now=NOW)  # the session went stale: read, not marked
    assert summary.total_sessions == 1
    assert progress(repo, cat, ME, now=NOW) == []
    assert repo.writes == writes
    assert repo.get_session(ME, record.id).status is SessionStatus.RUNNING
    assert repo.progress_checkpoint(ME) is None


def test_the_history_view_is_kept_until_a_write_and_its_statuses_follow_the_clock(
    cat: Catalogue,
) -> None:
    repo = FakeRepository()
    made = plan(cat, REQUEST)
    record = sessions.begin(repo, ME, made, pain_before=4, at=NOW)
    first = history_view(repo, cat, ME, now=NOW, limit=10)
    assert [s.status for s in first.sessions] == [SessionStatus.RUNNING]
    assert first.marks[record.id].words == f"0 of {len(made.blocks)} exercises"
    reads: list[str] = []

    def counted(name: str) -> Callable[..., object]:
        method = getattr(repo, name)

        def call(*args: object, **kwargs: object) -> object:
            reads.append(name)
            return method(*args, **kwargs)

        return call

    for name in ("list_sessions", "session_logs", "get_session", "checkins", "logs_for_person"):
        setattr(repo, name, counted(name))
    again = history_view(repo, cat, ME, now=NOW + timedelta(hours=7), limit=10)
    assert reads == []  # kept: the zone and the revision are read, not the sessions and logs
    assert again.marks is first.marks
    assert [s.status for s in again.sessions] == [SessionStatus.INTERRUPTED]  # idle 7 hours
    sessions.log(repo, ME, record.id, position=0, status=LogStatus.COMPLETED, actual=None,
                 pain=None, at=NOW, idempotency_key="s1-b0-a1")  # fmt: skip
    after = history_view(repo, cat, ME, now=NOW, limit=10)
    assert after.marks[record.id].completed == 1  # the write is seen at once


def test_an_export_imports_into_another_store_unchanged(cat: Catalogue) -> None:
    source, target = FakeRepository(), FakeRepository()
    screened(source)
    made = plan(cat, REQUEST)
    record = sessions.begin(source, ME, made, pain_before=3, at=NOW)
    sessions.log(source, ME, record.id, position=0, status=LogStatus.COMPLETED, actual=None,
                 pain=None, at=NOW, idempotency_key="s1-b0-a1")  # fmt: skip
    checkin(source, ME, pain=3, stiffness=2, at=NOW)
    counts = import_json(target, ME, export_json(source, ME), now=NOW + timedelta(days=1))
    assert counts["sessions"] == 1 and counts["logs"] == 1 and counts["checkins"] == 1
    assert [s.pain_before for s in target.list_sessions(ME)] == [3]


# -- progress and the terminal's session ------------------------------------------------------


def test_the_terminal_session_logs_each_exercise_and_finishing_refreshes_progress(
    cat: Catalogue,
) -> None:
    repo = FakeRepository()
    made = plan(cat, REQUEST)
    timeline = compile_plan(made, cat)
    live = LiveSession.begin(repo, cat, ME, made, timeline, pain_before=2, at=NOW)
    for position, block in enumerate(made.blocks):
        ended = BlockEnded(position, LogStatus.COMPLETED, block.dose, block.dose)
        live.record_block(ended, at=NOW + timedelta(minutes=position))
    assert [log.idempotency_key for log in live.logs] == [
        sessions.log_key(live.record.id, n, 1) for n in range(len(made.blocks))
    ]
    live.finish(quit=False, at=NOW + timedelta(minutes=12), pain_after=1, effort=None, note=None)
    assert repo.get_session(ME, live.record.id).status is SessionStatus.COMPLETED
    assert set(repo.progression(ME)) == {b.exercise_id for b in made.blocks}


def test_refresh_moves_the_checkpoint_on_once_the_days_have_settled(cat: Catalogue) -> None:
    repo = FakeRepository()
    made = plan(cat, REQUEST)
    for day in range(5):
        at = NOW - timedelta(days=10 - day)
        record = sessions.begin(repo, ME, made, pain_before=2, at=at)
        sessions.finish(repo, cat, ME, record.id, status=SessionStatus.COMPLETED, pain_after=2,
                        effort=None, note=None, at=at)  # fmt: skip
    repo.checkpoints.clear()
    refresh(repo, cat, ME, now=NOW)
    held = repo.progress_checkpoint(ME)
    assert held is not None and held.until == NOW.astimezone().date() - timedelta(days=2)
    with_checkpoint = progress(repo, cat, ME, now=NOW)
    repo.checkpoints.clear()
    assert with_checkpoint == progress(repo, cat, ME, now=NOW)  # the same as a whole replay


# -- a plan's identity ------------------------------------------------------------------------


def test_a_sealed_plan_is_played_as_it_was_shown(cat: Catalogue) -> None:
    repo = FakeRepository()
    screened(repo)
    seal = PlanSeal("k" * 40)
    shown = make_plan_for(repo, cat, ME, PlanRequest(minutes=20, place=Place.HOME), now=NOW)
    token = seal.seal(shown, ME, now=NOW)
    # The person's history changes after the page was shown: planning again would differ.
    record = sessions.begin(repo, ME, shown, pain_before=2, at=NOW)
    for position in range(len(shown.blocks)):
        key = f"s1-b{position}-a1"
        sessions.log(repo, ME, record.id, position=position, status=LogStatus.COMPLETED,
                     actual=None, pain=None, at=NOW, idempotency_key=key)  # fmt: skip
    later = NOW + timedelta(minutes=30)
    again = make_plan_for(repo, cat, ME, PlanRequest(minutes=20, place=Place.HOME), now=later)
    assert again != shown  # variety moved it on
    played = shown_plan_for_session(repo, cat, ME, token, seal=seal, now=later, pain_before=3)
    assert played == shown


def test_a_seal_is_refused_when_changed_someone_elses_or_old(cat: Catalogue) -> None:
    repo = FakeRepository()
    screened(repo)
    seal = PlanSeal("k" * 40)
    token = seal.seal(make_plan_for(repo, cat, ME, REQUEST, now=NOW), ME, now=NOW)
    with pytest.raises(StalePlan, match="not a plan this server showed you"):
        seal.open(token, ME + 1, now=NOW)
    with pytest.raises(StalePlan, match="not a plan this server showed you"):
        seal.open(token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:], ME, now=NOW)
    with pytest.raises(StalePlan, match="not a plan this server showed you"):
        PlanSeal("another key " * 4).open(token, ME, now=NOW)
    assert seal.open(token, ME, now=NOW + SEALED_FOR - timedelta(minutes=1)).minutes == 10
    with pytest.raises(StalePlan, match="expired"):
        seal.open(token, ME, now=NOW + SEALED_FOR + timedelta(minutes=1))


def test_a_sealed_plan_still_passes_todays_screen_and_pain(cat: Catalogue) -> None:
    repo = FakeRepository()
    screened(repo)
    seal = PlanSeal(None)
    shown = make_plan_for(repo, cat, ME, PlanRequest(minutes=20, place=Place.HOME), now=NOW)
    token = seal.seal(shown, ME, now=NOW)
    with pytest.raises(PainTooHigh):
        shown_plan_for_session(repo, cat, ME, token, seal=seal, now=NOW, pain_before=8)
    pregnant = CLEAR.model_copy(update={"conditions": [Condition.PREGNANCY]})
    screened(repo, pregnant, NOW + timedelta(minutes=5))
    with pytest.raises(PlanError, match="ruled out by your safety screen"):
        shown_plan_for_session(repo, cat, ME, token, seal=seal, now=NOW + timedelta(minutes=6),
                               pain_before=2)  # fmt: skip


def test_finishing_and_its_progression_are_one_transaction(
    cat: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = FakeRepository()
    made = plan(cat, REQUEST)
    record = sessions.begin(repo, ME, made, pain_before=2, at=NOW)
    sessions.log(repo, ME, record.id, position=0, status=LogStatus.COMPLETED, actual=None,
                 pain=None, at=NOW, idempotency_key="s1-b0-a1")  # fmt: skip

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(repo, "set_progression", broken)
    with pytest.raises(RuntimeError):
        sessions.finish(repo, cat, ME, record.id, status=SessionStatus.COMPLETED, pain_after=1,
                        effort=None, note=None, at=NOW + timedelta(minutes=12))  # fmt: skip
    assert repo.get_session(ME, record.id).status is SessionStatus.RUNNING  # nothing half-done
    assert repo.progression(ME) == {}
