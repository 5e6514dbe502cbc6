"""Courses: a small core of exercises a person follows for weeks, repeated and progressed.

A course runs in phases, two weeks each by default (a midback default; CLINICAL.md,
irritability: load builds as the pain settles):

- **settle**: relief and mobility, for a back that is still irritable;
- **build**: mobility with some strength;
- **strengthen**: strength with mobility.

Each phase has a *core* of 3-6 exercises chosen with the plan rules (the planner, at the
phase's focus). Every session of the phase is that core, each exercise at the dose its
progression ladder has reached (``progression``: the pain-monitoring model), so an exercise is
repeated long enough to climb. An exercise leaves the core only when it hurt twice ("it
hurts"), a new screen rules it out, the person swaps it, or the phase ends; its replacement
covers the same direction, and after a hurt it is gentler (one of the exercise's regressions,
or mobility and stretching before strength).

The weekly review reads the person's pain and sessions:

- a meaningful improvement (2 points or 30% from the course's first week: Farrar et al. 2001)
  with sessions on target lets the next phase start early;
- pain up by 2 points or more over two weeks steps back a phase and advises seeing a
  physiotherapist or doctor (Silbernagel et al. 2007: pain that rises week to week means the
  load is too much);
- no meaningful improvement after 6 weeks advises seeing a physiotherapist (NICE NG59: review
  when pain does not improve).

An article's program can be followed as a course: its exercises are the core throughout, each
climbing its own ladder (core-foundation's crunch ladder towards 100 is the articles' own).

Everything here is pure: the day, the pain and the sessions come in as arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from enum import StrEnum
from statistics import mean
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

from midback.domain.assemble import plan_program
from midback.domain.candidates import allowed_forms, allows, fits_place
from midback.domain.catalogue import Catalogue, Exercise, Program, ProgramEntry
from midback.domain.history import MEANINGFUL_FRACTION, MEANINGFUL_POINTS
from midback.domain.planner import plan
from midback.domain.plans import Plan, PlanRequest
from midback.domain.prescription import GET_READY_S, Prescription
from midback.domain.vocab import Direction, Focus, Kind
from midback.errors import NothingFits, PlanError


class Phase(StrEnum):
    """The stages of a course, in order."""

    SETTLE = "settle"
    BUILD = "build"
    STRENGTHEN = "strengthen"


PHASES: Final = (Phase.SETTLE, Phase.BUILD, Phase.STRENGTHEN)
PHASE_FOCUS: Final[Mapping[Phase, Focus]] = {
    Phase.SETTLE: Focus.RELIEF,
    Phase.BUILD: Focus.MOBILITY,
    Phase.STRENGTHEN: Focus.STRENGTH,
}
"""The plan focus each phase's core is chosen with."""
PHASE_LABELS: Final[Mapping[Phase, str]] = {
    Phase.SETTLE: "Settle: relief and gentle mobility",
    Phase.BUILD: "Build: mobility with some strength",
    Phase.STRENGTHEN: "Strengthen: strength with mobility",
}
PHASE_WEEKS: Final = 2
"""Weeks per phase (a midback default)."""
DEFAULT_WEEKS: Final = PHASE_WEEKS * len(PHASES)
CORE_MIN: Final = 3
CORE_MAX: Final = 6
HURTS_TO_SWAP: Final = 2
"""An exercise that hurt this many times leaves the core."""
NO_IMPROVEMENT_WEEKS: Final = 6
"""Without a meaningful improvement after this many weeks, see a physiotherapist."""
RISE_POINTS: Final = 2.0
"""Pain up by this much over two weeks steps the course back."""
ON_TARGET_SESSIONS: Final = 5
"""Sessions a week that count as on target (the history's default weekly target)."""


class CoreExercise(BaseModel):
    """One exercise of the core, in the form the person does it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    exercise_id: str
    variant: str | None = None
    since: date
    """The day it joined the core (hurts count from here)."""
    why: str = ""
    """Why it is in the core, in plain words (a swap says what it replaced)."""


class Event(BaseModel):
    """Something that happened to the course, for the person and their clinician to read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    on: date
    kind: str
    """``start``, ``advance``, ``step-back``, ``swap``, ``review``, ``stop``."""
    message: str


class Course(BaseModel):
    """A course: the request it plans with, where it stands, its core and its story."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    request: PlanRequest
    """Minutes, place, kit and level; the focus comes from the phase."""
    program_id: str | None = None
    """An article's program followed as a course: its exercises are the core throughout."""
    weeks: int = Field(default=DEFAULT_WEEKS, ge=1, le=52)
    started_on: date
    phase: Phase = Phase.SETTLE
    phase_started_on: date
    core: list[CoreExercise]
    events: list[Event] = Field(default_factory=list)
    active: bool = True
    reviewed_on: date | None = None
    """The day of the last weekly review (the next is due a week later)."""

    def review_due(self, today: date) -> bool:
        """Whether a weekly review is due on ``today`` (a week after the start or the last)."""
        last = self.reviewed_on or self.started_on
        return today - last >= timedelta(days=7)

    @property
    def phase_ends_on(self) -> date:
        """The first day of the next phase, unless a review moves it."""
        return self.phase_started_on + timedelta(weeks=PHASE_WEEKS)

    @property
    def ends_on(self) -> date:
        """The day after the course's last week."""
        return self.started_on + timedelta(weeks=self.weeks)

    def week_of(self, today: date) -> int:
        """The course week ``today`` falls in, from 1."""
        return (today - self.started_on).days // 7 + 1

    def to_json(self) -> dict[str, Any]:
        """The course as JSON (the store keeps this; ``--json`` prints it)."""
        return self.model_dump(mode="json")


class Review(BaseModel):
    """The weekly review: what the pain and the sessions say, and what follows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    week: int
    baseline_pain: float | None
    latest_pain: float | None
    sessions_last_week: int
    improved: bool
    rising: bool
    advice: list[str]
    advance_early: bool
    step_back: bool


def start(
    cat: Catalogue,
    request: PlanRequest,
    *,
    today: date,
    weeks: int = DEFAULT_WEEKS,
    program_id: str | None = None,
) -> Course:
    """A new course from ``today``: the settle phase's core (or the program's exercises).

    ``request`` already carries the person's limits (screen, pain, earned doses). Raises
    PlanError when no exercise fits, UnknownIdError for an unknown program.
    """
    if program_id is not None:
        core = _program_core(cat, cat.program(program_id), request, today)
        label = f"Following {cat.program(program_id).name} as a course."
    else:
        core = choose_core(cat, request, Phase.SETTLE, today=today)
        label = f"Course started: {PHASE_LABELS[Phase.SETTLE].lower()}."
    return Course(
        request=request.model_copy(update={"doses": {}, "recent": frozenset()}),
        program_id=program_id,
        weeks=weeks,
        started_on=today,
        phase_started_on=today,
        core=core,
        events=[Event(on=today, kind="start", message=label)],
    )


def choose_core(
    cat: Catalogue,
    request: PlanRequest,
    phase: Phase,
    *,
    today: date,
    keep: Sequence[CoreExercise] = (),
) -> list[CoreExercise]:
    """3-6 exercises for ``phase``: the planner's choice at the phase's focus (walks left to
    the week), after any of ``keep`` that still suit it."""
    planned = plan(cat, request.model_copy(update={"focus": PHASE_FOCUS[phase], "recent":
                                                   frozenset()}))  # fmt: skip
    core = list(keep)[:CORE_MAX]
    chosen = {c.exercise_id for c in core}
    for block in planned.blocks:
        if len(core) >= CORE_MAX:
            break
        if block.kind is Kind.CARDIO or block.exercise_id in chosen:
            continue
        chosen.add(block.exercise_id)
        core.append(
            CoreExercise(
                exercise_id=block.exercise_id, variant=block.variant, since=today, why=block.why
            )
        )
    if not core:
        raise NothingFits("no exercise fits this course's time, place and limits")
    return core


def session(cat: Catalogue, course: Course, request: PlanRequest, *, today: date) -> Plan:
    """Today's session: the core in order, each at its earned dose (``request.doses``) or the
    level's, adapted by the person's current limits (an exercise they now rule out is left out
    with a note until ``maintain`` replaces it)."""
    program = Program(
        id="course",
        name="Your course",
        source="default",
        description="The core exercises of your course.",
        entries=[ProgramEntry(exercise_id=c.exercise_id, variant=c.variant) for c in course.core],
    )
    made = plan_program(cat, program, request)
    blocks = []
    for block in made.blocks:
        earned = None if request.gentle else request.doses.get(block.exercise_id)
        if earned is not None:
            block = block.model_copy(update={"dose": earned, "seconds": earned.seconds})
        blocks.append(block)
    total = GET_READY_S + sum(b.seconds for b in blocks)
    where = f"week {course.week_of(today)} of {course.weeks}"
    label = "Your course" if course.program_id else PHASE_LABELS[course.phase]
    notes = [f"{label}, {where}.", *made.notes]
    return made.model_copy(
        update={
            "blocks": blocks,
            "total_seconds": total,
            "minutes": -(-total // 60),
            "program_id": course.program_id,
            "notes": notes,
        }
    )


def hurts(core: CoreExercise, stopped: Iterable[tuple[date, str]]) -> int:
    """How often ``core``'s exercise was stopped with "it hurts" since it joined the core."""
    return sum(1 for day, exercise_id in stopped if exercise_id == core.exercise_id
               and day >= core.since)  # fmt: skip


def maintain(
    cat: Catalogue,
    course: Course,
    request: PlanRequest,
    *,
    today: date,
    stopped: Sequence[tuple[date, str]],
    review: Review | None = None,
) -> Course:
    """The course brought up to ``today``: exercises that hurt twice or that the person's
    limits now rule out are replaced, a review steps back or lets the next phase start early,
    and a phase whose two weeks are up gives way to the next with a new core.

    ``request`` carries the person's current limits; ``stopped`` lists (day, exercise id) of
    every exercise stopped with "it hurts". Pure: the caller stores what it returns.
    """
    if not course.active:
        return course
    events = list(course.events)
    core: list[CoreExercise] = []
    for item in course.core:
        exercise = cat.exercises.get(item.exercise_id)
        ruled_out = exercise is None or not allows(exercise, item.variant, request)
        hurt = hurts(item, stopped) >= HURTS_TO_SWAP
        if not (ruled_out or hurt):
            core.append(item)
            continue
        why = "it hurt twice" if hurt else "your latest screen rules it out"
        others = [*core, *course.core]
        replacement = replacement_for(cat, item, others, request, gentler=hurt, today=today)
        name = exercise.name if exercise else item.exercise_id
        if replacement is None:
            events.append(Event(on=today, kind="swap", message=f"{name} left the core: {why}."))
            continue
        core.append(replacement)
        new = cat.exercises[replacement.exercise_id].name
        events.append(Event(on=today, kind="swap", message=f"{name} replaced by {new}: {why}."))
    update: dict[str, Any] = {"core": core, "events": events}
    if review is not None:
        update["reviewed_on"] = today
        if review.advice and not (review.step_back or review.advance_early):
            events.append(Event(on=today, kind="review", message=" ".join(review.advice)))
    course = course.model_copy(update=update)
    if review is not None and review.step_back:
        return _move(cat, course, request, today=today, step=-1, review=review)
    due = today >= course.phase_ends_on or (review is not None and review.advance_early)
    if due and course.program_id is None and course.phase is not PHASES[-1]:
        return _move(cat, course, request, today=today, step=+1, review=review)
    return course


def swap(
    cat: Catalogue, course: Course, exercise_id: str, request: PlanRequest, *, today: date
) -> Course:
    """The person swaps one core exercise for another that covers the same direction.

    Raises UnknownIdError for an exercise not in the catalogue, PlanError for one not in the
    core or when nothing else fits.
    """
    exercise = cat.exercise(exercise_id)
    found = [i for i, c in enumerate(course.core) if c.exercise_id == exercise.id]
    if not found:
        core_ids = ", ".join(c.exercise_id for c in course.core)
        raise PlanError(f"{exercise.id} is not in your course's core ({core_ids})")
    index = found[0]
    replacement = replacement_for(cat, course.core[index], course.core, request, gentler=False,
                                  today=today)  # fmt: skip
    if replacement is None:
        raise NothingFits(f"nothing else that moves the same way fits in place of {exercise.name}")
    core = list(course.core)
    core[index] = replacement
    new = cat.exercises[replacement.exercise_id].name
    event = Event(on=today, kind="swap", message=f"You swapped {exercise.name} for {new}.")
    return course.model_copy(update={"core": core, "events": [*course.events, event]})


def stop(course: Course, *, today: date) -> Course:
    """End the course (its record stays)."""
    event = Event(on=today, kind="stop", message="Course stopped.")
    return course.model_copy(update={"active": False, "events": [*course.events, event]})


def replacement_for(
    cat: Catalogue,
    item: CoreExercise,
    core: Sequence[CoreExercise],
    request: PlanRequest,
    *,
    gentler: bool,
    today: date,
) -> CoreExercise | None:
    """Another exercise for ``item``'s place in the core: allowed, fitting the place, not in the
    core, moving in one of the same directions; after a hurt, gentler (the exercise's own
    regressions first, then mobility and stretching before strength)."""
    old = cat.exercises.get(item.exercise_id)
    taken = {c.exercise_id for c in core}
    directions: set[Direction] = set(old.directions) if old else set()
    regressions = list(old.regressions) if old else []
    kit = request.kit

    def rank(exercise: Exercise) -> tuple[int, int, int, str]:
        shared = len(directions & set(exercise.directions))
        regression = 0 if exercise.id in regressions else 1
        softer = 0 if exercise.kind in (Kind.MOBILITY, Kind.STRETCH, Kind.BREATHING) else 1
        return (
            regression if gentler else 0,
            softer if gentler else 0,
            -shared,
            exercise.id,
        )

    for exercise in sorted(cat.exercises.values(), key=rank):
        if exercise.id in taken or exercise.kind is Kind.CARDIO:
            continue
        if directions and not directions & set(exercise.directions):
            continue
        forms = [f for f in allowed_forms(exercise, request) if fits_place(f, request.place, kit)]
        if not forms:
            continue
        form = forms[0]
        why = f"in place of {old.name}" if old else "a replacement"
        return CoreExercise(
            exercise_id=exercise.id,
            variant=form.variant.id if form.variant else None,
            since=today,
            why=why,
        )
    return None


def review(
    course: Course,
    *,
    today: date,
    pain_by_day: Mapping[date, int],
    session_days: Sequence[date],
) -> Review:
    """The review of the week before ``today`` (see the module docstring for the rules).

    ``pain_by_day`` is the person's daily pain (morning check-in, else pain before a session);
    ``session_days`` the days of completed sessions.
    """
    week = course.week_of(today)
    first = _average(pain_by_day, course.started_on, course.started_on + timedelta(days=7))
    last = _average(pain_by_day, today - timedelta(days=7), today)
    before = _average(pain_by_day, today - timedelta(days=21), today - timedelta(days=14))
    recent = sum(1 for d in session_days if today - timedelta(days=7) <= d < today)
    improved = (
        first is not None
        and last is not None
        and week > 1
        and (first - last >= MEANINGFUL_POINTS or first - last >= MEANINGFUL_FRACTION * first)
    )
    rising = before is not None and last is not None and last - before >= RISE_POINTS
    on_target = recent >= ON_TARGET_SESSIONS
    advice: list[str] = []
    if before is not None and last is not None and rising:
        advice.append(
            f"Your pain has gone up by {last - before:.1f} points over two weeks "
            "(pain-monitoring model: rising pain means the load is too much). The course steps "
            "back a phase; see a physiotherapist or doctor if it keeps rising."
        )
    elif improved and on_target:
        advice.append(
            "Your pain has dropped by a meaningful amount (2 points or 30%) and you kept your "
            "sessions: the next phase can start early."
        )
    elif improved:
        advice.append("Your pain has dropped by a meaningful amount (2 points or 30%).")
    if not improved and week > NO_IMPROVEMENT_WEEKS:
        advice.append(
            f"After {NO_IMPROVEMENT_WEEKS} weeks your pain has not improved by a meaningful "
            "amount: see a physiotherapist, who can examine your back and adjust the plan "
            "(NICE NG59)."
        )
    if recent < ON_TARGET_SESSIONS and not rising:
        advice.append(f"{recent} sessions last week; {ON_TARGET_SESSIONS} keep a course moving.")
    return Review(
        week=week,
        baseline_pain=first,
        latest_pain=last,
        sessions_last_week=recent,
        improved=improved,
        rising=rising,
        advice=advice,
        advance_early=improved and on_target and not rising,
        step_back=rising,
    )


def _average(pain_by_day: Mapping[date, int], start_day: date, end_day: date) -> float | None:
    values = [p for d, p in pain_by_day.items() if start_day <= d < end_day]
    return round(mean(values), 1) if values else None


def _move(
    cat: Catalogue,
    course: Course,
    request: PlanRequest,
    *,
    today: date,
    step: int,
    review: Review | None,
) -> Course:
    index = PHASES.index(course.phase) + step
    if index < 0 or index >= len(PHASES) or course.program_id is not None:
        event = Event(on=today, kind="review", message=" ".join(review.advice)) if review else None
        events = [*course.events, event] if event else course.events
        return course.model_copy(update={"phase_started_on": today, "events": events})
    phase = PHASES[index]
    limits = request.model_copy(update={"minutes": course.request.minutes})
    try:
        core = choose_core(cat, limits, phase, today=today)
    except PlanError:
        core = list(course.core)
    kind = "advance" if step > 0 else "step-back"
    message = f"{PHASE_LABELS[phase]}."
    if review is not None and review.advice:
        message = f"{message} {' '.join(review.advice)}"
    event = Event(on=today, kind=kind, message=message)
    return course.model_copy(
        update={
            "phase": phase,
            "phase_started_on": today,
            "core": core,
            "events": [*course.events, event],
        }
    )


def _program_core(
    cat: Catalogue, program: Program, request: PlanRequest, today: date
) -> list[CoreExercise]:
    made = plan_program(cat, program, request)
    return [
        CoreExercise(exercise_id=b.exercise_id, variant=b.variant, since=today, why=b.why)
        for b in made.blocks
    ]


def earned_doses(doses: Mapping[str, Prescription], core: Sequence[CoreExercise]) -> dict[str, str]:
    """Each core exercise's earned dose in words (for ``midback course``)."""
    return {c.exercise_id: doses[c.exercise_id].describe() for c in core if c.exercise_id in doses}
