"""A plan from the chosen options: blocks in order (warm-up, main, cool-down; upright and
floor grouped), each with its dose in words, its swaps and cues; and a program as written,
adapted to the person (``plan_program``)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from midback.domain import why as words
from midback.domain.candidates import (
    DIRECTION_BIT,
    FOCUS_MATCH,
    LEAST_HOLD_S,
    LEAST_STRENGTH_SETS,
    PHASE_OF_KIND,
    SPINE_DIRECTIONS,
    Option,
    allowed_forms,
    asks_for,
    earned_dose,
    fits_place,
    is_static_stretch,
    problems,
)
from midback.domain.catalogue import Catalogue, Program
from midback.domain.contraindications import (
    CONDITION_LABELS,
    extra_cues,
    preferring_caution,
)
from midback.domain.plans import UPRIGHT, Block, Phase, Plan, PlanRequest, Swap
from midback.domain.prescription import (
    GET_READY_S,
    Prescription,
)
from midback.domain.vocab import (
    Direction,
    Focus,
    Kind,
    Position,
)
from midback.errors import NothingFits

GENTLE_NOTE = (
    "Gentle session for irritable pain: mobility, stretching, breathing and walking only, at "
    "beginner doses, with no weights or bands. Strength work comes back as the pain settles."
)


ONLY_MIX_NOTE = (
    "Nothing else fits as well: any other mix of exercises would be more than 2% worse, so"
    " another mix gives this plan again."
)


_POSITION_ORDER = {p: i for i, p in enumerate(Position)}


_POSTURE_WORK = FOCUS_MATCH[Focus.POSTURE][1]


def order_blocks(chosen: Sequence[Option], focus: Focus) -> list[Option]:
    """Phases in order; within a phase the upright and the floor blocks grouped, the groups in
    the order that changes position least often (then posture work first in a posture session,
    then upright first); within a group a walk first, posture work first in a posture session,
    then from standing down to the floor."""

    def within(option: Option) -> tuple[int, int, int, str]:
        walk = 0 if option.exercise.kind is Kind.CARDIO else 1
        posture = 0 if focus is Focus.POSTURE and _posture_work(option) else 1
        lowest = max(_POSITION_ORDER[p] for p in option.form.positions)
        return (walk, posture, lowest, option.exercise.id)

    runs: list[tuple[list[Option], list[Option]]] = []
    for phase in Phase:
        here = sorted((o for o in chosen if o.phase is phase), key=within)
        runs.append(([o for o in here if o.upright], [o for o in here if not o.upright]))
    best: tuple[tuple[int, int, tuple[int, ...]], list[Option]] | None = None
    for flips in itertools.product((0, 1), repeat=len(runs)):
        sequence: list[Option] = []
        for (up, down), flip in zip(runs, flips, strict=True):
            sequence += (down + up) if flip else (up + down)
        changes = sum(1 for a, b in itertools.pairwise(sequence) if a.upright != b.upright)
        late = next((i for i, o in enumerate(sequence) if _posture_work(o)), len(sequence))
        rank = (changes, late if focus is Focus.POSTURE else 0, flips)
        if best is None or rank < best[0]:
            best = (rank, sequence)
    assert best is not None
    return best[1]


def position_changes(blocks: Sequence[Block]) -> int:
    """How many times a plan changes between upright and floor positions."""
    ups = [set(b.positions) <= UPRIGHT for b in blocks]
    return sum(1 for a, b in itertools.pairwise(ups) if a != b)


def _posture_work(option: Option) -> bool:
    return bool(_POSTURE_WORK & set(option.exercise.directions))


def block_of(
    option: Option, request: PlanRequest, *, others: int, main: bool = False
) -> tuple[Block, Swap | None]:
    """The block for ``option`` and its swap, if any; ``others`` are the directions the other
    blocks move in, ``main`` whether the plan has main work to warm up for."""
    exercise, form = option.exercise, option.form
    swap = None
    form_note = None
    if form.variant is not None:
        base_problems = problems(exercise, request)
        caution = preferring_caution(exercise, form.variant.id, request.conditions)
        if base_problems or caution is not None:
            reason = "; ".join(base_problems)
            if not reason and caution is not None:
                reason = f"{CONDITION_LABELS[caution.condition].lower()}: {caution.text}"
            swap = Swap(exercise_id=exercise.id, variant=form.variant.id, reason=reason)
            form_note = f"done as the {form.variant.name.lower()}, because {reason}"
        else:
            form_note = f"done as the {form.variant.name.lower()}, which suits the place"
    only_here = [
        d for d in exercise.directions if d in SPINE_DIRECTIONS and not DIRECTION_BIT[d] & others
    ]
    why = words.why(
        kind=exercise.kind,
        directions=exercise.directions,
        place=request.place,
        focus=request.focus if asks_for(exercise, request.focus) else None,
        only_here=only_here,
        warm_up=main
        and option.phase is Phase.WARM_UP
        and exercise.kind is Kind.MOBILITY
        and not asks_for(exercise, request.focus),
        dose=_dose_words(option, request),
        form=form_note,
    )
    block = Block(
        phase=option.phase,
        exercise_id=exercise.id,
        name=form.variant.name if form.variant else exercise.name,
        variant=form.variant.id if form.variant else None,
        kind=exercise.kind,
        positions=list(form.positions),
        equipment=list(form.equipment),
        directions=list(exercise.directions),
        dose=option.dose,
        seconds=option.seconds,
        why=why,
        cues=extra_cues(form, request.conditions),
    )
    return block, swap


def _dose_words(option: Option, request: PlanRequest) -> str | None:
    """Why this dose, in words (None when there is nothing to say)."""
    exercise, dose = option.exercise, option.dose
    if option.below_level:
        return "a beginner's dose, to fit the time"
    if earned_dose(exercise, request) is not None:
        return "at the dose you have worked up to"
    if exercise.kind is Kind.CARDIO and dose.hold_s:
        return f"{dose.hold_s // 60} minutes towards the 150 a week of brisk walking ACSM advises"
    if exercise.kind is Kind.STRENGTH and dose.sets >= LEAST_STRENGTH_SETS:
        return f"{dose.sets} sets, as ACSM advises for building strength"
    if is_static_stretch(exercise.kind, dose) and dose.hold_s:
        side = " a side" if dose.per_side else ""
        held = dose.sets * dose.hold_s
        if held >= LEAST_HOLD_S:
            return f"held {held} s{side} in all, as ACSM advises for a stretch to work"
    if request.gentle:
        return "at a beginner's dose while the pain is irritable"
    return None


def plan_program(cat: Catalogue, program: Program, request: PlanRequest) -> Plan:
    """A program as written, adapted to the person's conditions and place.

    Each exercise takes the form the program names when the conditions allow it, else the first
    safe form (a variant a caution prefers for the person's conditions comes first), preferring
    one that fits the place; an exercise with no safe form is left out with a note. Doses are
    the program's, at the person's level. ``request.minutes`` is ignored: the plan takes as
    long as the program does.
    """
    chosen: list[Option] = []
    notes: list[str] = []
    kit = request.kit
    for entry in program.entries:
        exercise = cat.exercises[entry.exercise_id]
        forms = allowed_forms(exercise, request)
        named = [f for f in forms if entry.variant and f.variant and f.variant.id == entry.variant]
        fitting = [f for f in forms if fits_place(f, request.place, kit)]
        choices = named or fitting or forms
        form = choices[0] if choices else None
        if form is not None and not fits_place(form, request.place, kit):
            notes.append(f"{exercise.name} needs {', '.join(form.equipment)} or another place.")
        if form is None:
            why = "; ".join(problems(exercise, request)) or "ruled out by your conditions"
            notes.append(f"Left out {exercise.name}: {why}.")
            continue
        dose = Prescription.from_dose(
            entry.dose or exercise.dose, exercise.kind, request.dose_level
        )
        phase = PHASE_OF_KIND[exercise.kind]
        upright = set(form.positions) <= UPRIGHT
        chosen.append(
            Option(exercise, form, dose, dose.seconds, 0, 0, 0, phase, upright, None, False)
        )
    if not chosen:
        raise NothingFits(f"every exercise of {program.id} is ruled out by your conditions")
    program_request = request.model_copy(update={"doses": {}})
    blocks: list[Block] = []
    swaps: list[Swap] = []
    for option in chosen:
        others = 0
        for other in chosen:
            if other is not option:
                for direction in other.exercise.directions:
                    others |= DIRECTION_BIT[direction]
        block, swap = block_of(option, program_request, others=others)
        blocks.append(block)
        if swap is not None:
            swaps.append(swap)
    if request.gentle:
        notes.append(GENTLE_NOTE)
    directions = sorted(
        {d for b in blocks for d in b.directions}, key=lambda d: list(Direction).index(d)
    )
    total = GET_READY_S + sum(b.seconds for b in blocks)
    notes.append("Stop any exercise that hurts; pain above 5/10 is the signal to stop.")
    return Plan(
        minutes=-(-total // 60),
        total_seconds=total,
        blocks=blocks,
        directions=directions,
        swaps=swaps,
        notes=notes,
        score=0.0,
        program_id=program.id,
    )
