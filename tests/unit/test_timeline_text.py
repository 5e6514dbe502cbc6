"""The words each cue shows match the step: rest text in rests, in and out as the breath goes,
the exercise's own cue only while doing the exercise, one get-ready at the start."""

from __future__ import annotations

import pytest

from midback.domain.assemble import plan_program
from midback.domain.catalogue import Catalogue
from midback.domain.planner import plan
from midback.domain.plans import PlanRequest
from midback.domain.timeline import (
    BREATHE_IN_DETAIL,
    BREATHE_OUT_DETAIL,
    REST_DETAIL,
    SWITCH_DETAIL,
    WORK_KINDS,
    CueKind,
    Timeline,
    compile_plan,
)
from midback.domain.vocab import Focus, Place


@pytest.fixture(scope="module")
def timelines(cat: Catalogue) -> list[Timeline]:
    """Every program, and plans of several lengths and focuses."""
    made = [
        plan_program(cat, program, PlanRequest(minutes=10, place=Place.HOME))
        for program in cat.programs.values()
    ]
    for minutes in (5, 15, 30):
        for focus in Focus:
            made.append(plan(cat, PlanRequest(minutes=minutes, place=Place.HOME, focus=focus)))
    return [compile_plan(p, cat) for p in made]


def test_the_corpus_has_every_step_kind(timelines: list[Timeline]) -> None:
    kinds = {cue.kind for t in timelines for cue in t.cues}
    assert set(CueKind) <= kinds


def test_a_rest_shows_rest_text_never_the_exercise_cue(timelines: list[Timeline]) -> None:
    for timeline in timelines:
        for cue in timeline.cues:
            if cue.kind is CueKind.REST:
                key_cue = timeline.blocks[cue.block or 0].key_cue
                assert cue.detail == REST_DETAIL
                assert not key_cue or key_cue not in cue.detail


def test_breath_text_says_in_on_the_in_breath_and_out_on_the_out_breath(
    timelines: list[Timeline],
) -> None:
    seen = 0
    for timeline in timelines:
        for cue in timeline.cues:
            if cue.kind is CueKind.BREATHE_IN:
                seen += 1
                assert cue.text.endswith(", in") and cue.detail == BREATHE_IN_DETAIL
                assert " out" not in cue.detail.lower()
            elif cue.kind is CueKind.BREATHE_OUT:
                assert cue.text.endswith(", out") and cue.detail == BREATHE_OUT_DETAIL
                assert " in " not in f" {cue.detail.lower()} "
    assert seen > 0


def test_work_shows_the_exercise_cue_and_a_switch_says_so(timelines: list[Timeline]) -> None:
    for timeline in timelines:
        for cue in timeline.cues:
            block = timeline.blocks[cue.block] if cue.block is not None else None
            if cue.kind in {CueKind.REP, CueKind.MOVE}:
                assert block is not None and cue.detail == block.key_cue
            elif cue.kind is CueKind.SWITCH:
                assert cue.detail == SWITCH_DETAIL
            assert cue.detail or cue.kind in WORK_KINDS, cue


def test_one_get_ready_at_the_start_then_each_exercise_is_introduced(
    timelines: list[Timeline],
) -> None:
    for timeline in timelines:
        kinds = [cue.kind for cue in timeline.cues]
        assert kinds.count(CueKind.GET_READY) == 1 and kinds[0] is CueKind.GET_READY
        intros = [cue for cue in timeline.cues if cue.kind is CueKind.INTRO]
        assert len(intros) == len(timeline.blocks)
        assert [cue.text for cue in intros] == [f"Next: {b.name}" for b in timeline.blocks]
        assert "Get ready" not in " ".join(cue.text for cue in intros)
