"""Progression: each exercise's dose ladder, and the step a person is on, driven by pain.

Ladders come from the articles where they give one, else from the exercise's dose range:
- crunch ("5 Easy Middle Back Pain Exercises"): 2x15 -> 2x20 -> 3x20 -> 4x20 -> 4x25, never
  more than 100 crunches in a session;
- bridge (same article): a 10 s hold done 2, 3 then 4 times, then the same on an exercise ball;
- any other exercise: from the low end of its dose range to the high end, work first (seconds,
  reps or breaths), then sets; past the top, the exercise's first progression is suggested
  (sphinx -> cobra, seated-rotation -> seated-spinal-twist, ...).

Rules follow the pain-monitoring model (Silbernagel et al. 2007; a default from exercise
science, not the articles): pain during exercise up to 5/10 is acceptable if it has settled
by the next morning. Replaying a person's history in order, for each exercise:
- two sessions in a row done completely at the target dose, with pain <= 5 and no rise in
  next-morning pain -> one step up;
- pain above 5, "it hurts", or next-morning pain higher than the check-in before -> one step
  down (never below the first step);
- anything else -> hold. A missing next-morning check-in is no evidence of a rise.

Beside pain, the person's one tap after each exercise (``Effort``; Kaia asks the same):
- "too hard" -> never a step up: one step down (never below the first step);
- "too easy", done completely at the target dose -> one step up at once, without waiting for
  the second good session; but only when the pain rules above allow it: pain above 5, "it
  hurts" or a next-morning rise always wins and steps down.
- "about right" or no answer -> the rules above alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, JsonValue

from midback.domain.catalogue import Exercise
from midback.domain.prescription import Prescription
from midback.domain.records import Effort
from midback.domain.vocab import Level

ACCEPTABLE_PAIN = 5
"""Highest pain (0-10) during exercise that still allows a step up (pain-monitoring model)."""
SESSIONS_TO_STEP_UP = 2
CRUNCH_CAP = 100
"""Never more than 100 crunches in one session (article 004)."""
REPLAY_VERSION = 2

"""Raise when the rules above change: stored replays (checkpoints) of older rules are not used."""


class Change(StrEnum):
    """What the last decision did."""

    UP = "up"
    DOWN = "down"
    HOLD = "hold"
    START = "start"


class Step(BaseModel):
    """One rung of a ladder: a concrete dose, optionally as a variant."""

    model_config = ConfigDict(frozen=True, defer_build=True)  # built on first use

    dose: Prescription
    variant: str | None = None
    label: str


@dataclass(frozen=True)
class Outcome:
    """How one exercise went in one session, with the check-ins around it."""

    at: datetime
    completed: bool
    at_target: bool
    stopped_for_pain: bool
    pain: int | None
    """Pain during or right after the session (0-10), if given."""
    morning_before: int | None = None
    """The last morning check-in before the session."""
    morning_after: int | None = None
    """The check-in of the morning after the session's day (None if none was given)."""
    day: date | None = None
    """The session's local calendar day."""
    effort: Effort | None = None
    """The person's tap after the exercise (too easy, about right, too hard), if given."""


class Standing(BaseModel):
    """Where a person stands on one exercise's ladder, and why."""

    model_config = ConfigDict(frozen=True, defer_build=True)  # built on first use

    exercise_id: str
    step: int
    steps: int
    change: Change
    reason: str
    dose: Prescription
    variant: str | None
    next_exercise: str | None = None
    """Suggested when the person is at the top of the ladder."""
    streak: int = 0
    """Good sessions in a row at this step."""


_LADDERS: dict[int, tuple[Exercise, tuple[Step, ...], str]] = {}
"""Ladders built so far, by the identity of their (immutable) exercise: a catalogue lives as long
as the process, and every plan asks for the same ladders again."""
_LADDERS_KEPT = 1024


def ladder(exercise: Exercise) -> list[Step]:
    """The dose ladder for ``exercise`` (at least one step)."""
    return list(_ladder_and_key(exercise)[0])


def exercise_ladder_key(exercise: Exercise) -> str:
    """``ladder_key`` of the exercise's ladder."""
    return _ladder_and_key(exercise)[1]


def _ladder_and_key(exercise: Exercise) -> tuple[tuple[Step, ...], str]:
    held = _LADDERS.get(id(exercise))
    if held is None or held[0] is not exercise:  # the id of an exercise since collected
        rungs = tuple(_build_ladder(exercise))
        held = (exercise, rungs, ladder_key(rungs))
        if len(_LADDERS) >= _LADDERS_KEPT:
            _LADDERS.clear()
        _LADDERS[id(exercise)] = held
    return held[1], held[2]


def _build_ladder(exercise: Exercise) -> list[Step]:
    if exercise.id == "crunch":
        return _crunch_ladder(exercise)
    if exercise.id == "bridge":
        return _bridge_ladder(exercise)
    return _range_ladder(exercise)


def _crunch_ladder(exercise: Exercise) -> list[Step]:
    base = Prescription.from_dose(exercise.dose, exercise.kind, Level.BEGINNER)
    steps = []
    for sets, reps in ((2, 15), (2, 20), (3, 20), (4, 20), (4, 25)):
        assert sets * reps <= CRUNCH_CAP
        dose = base.model_copy(update={"sets": sets, "reps": reps, "rest_s": 45, "tempo_s": 2})
        steps.append(Step(dose=dose, label=f"{sets} x {reps}"))
    return steps


def _bridge_ladder(exercise: Exercise) -> list[Step]:
    base = Prescription(sets=1, reps=2, hold_s=10, tempo_s=2, source="five-easy")
    steps = []
    for variant in (None, "ball"):
        if variant and variant not in {v.id for v in exercise.variants}:
            continue
        for reps in (2, 3, 4):
            label = f"10 s hold x {reps}" + (" on an exercise ball" if variant else "")
            steps.append(Step(dose=base.model_copy(update={"reps": reps}), variant=variant,
                              label=label))  # fmt: skip
    return steps


def _range_ladder(exercise: Exercise) -> list[Step]:
    dose = exercise.dose
    low = Prescription.from_dose(dose, exercise.kind, Level.BEGINNER)
    high = Prescription.from_dose(dose, exercise.kind, Level.ADVANCED)
    steps = [Step(dose=low, label=low.describe())]
    current = low
    for field, step in (("hold_s", 5), ("reps", 2), ("breaths", 2), ("sets", 1)):
        top = getattr(high, field)
        value = getattr(current, field)
        if value is None or top is None:
            continue
        while value < top:
            value = min(top, value + step)
            update: dict[str, object] = {field: value}
            if field == "sets" and current.rest_s == 0:
                update["rest_s"] = high.rest_s
            current = current.model_copy(update=update)
            steps.append(Step(dose=current, label=current.describe()))
    return steps


@dataclass(frozen=True)
class Replay:
    """Where a replay of one exercise's outcomes stands: enough to carry on from there.

    Stored (``to_json``) as a checkpoint, so a long history is not replayed from the start
    every time; ``ladder`` names the ladder the step belongs to, and a checkpoint made on
    another ladder (the catalogue changed) is not used.
    """

    ladder: str
    step: int = 0
    streak: int = 0
    change: Change = Change.START
    reason: str = "starting at the first step"
    hurt: bool = False

    def after(self, outcome: Outcome, top: int) -> Replay:
        """The replay once ``outcome`` is taken into account (``top``: the ladder's last step)."""
        rise = (
            outcome.morning_after is not None
            and outcome.morning_before is not None
            and outcome.morning_after > outcome.morning_before
        )
        if outcome.stopped_for_pain or (outcome.pain or 0) > ACCEPTABLE_PAIN or rise:
            if outcome.stopped_for_pain:
                why = "you pressed 'it hurts'"
            elif rise:
                why = (
                    f"next-morning pain rose from {outcome.morning_before}"
                    f" to {outcome.morning_after}"
                )
            else:
                why = f"pain was {outcome.pain}/10, above {ACCEPTABLE_PAIN}"
            if self.step > 0:
                return replace(self, step=self.step - 1, streak=0, change=Change.DOWN,
                               reason=f"{why}: one step down", hurt=True)  # fmt: skip
            return replace(self, streak=0, change=Change.HOLD,
                           reason=f"{why}: stay at the first step", hurt=True)  # fmt: skip
        if outcome.effort is Effort.HARD:
            if self.step > 0:
                return replace(self, step=self.step - 1, streak=0, change=Change.DOWN,
                               reason="you said it was too hard: one step down",
                               hurt=False)  # fmt: skip
            return replace(self, streak=0, change=Change.HOLD, hurt=False,
                           reason="you said it was too hard: stay at the first step")  # fmt: skip
        if not (outcome.completed and outcome.at_target):
            return replace(self, streak=0, change=Change.HOLD, hurt=False,
                           reason="not completed at target: hold this step")  # fmt: skip
        if outcome.effort is Effort.EASY and self.step < top:
            return replace(self, step=self.step + 1, streak=0, change=Change.UP, hurt=False,
                           reason=f"you said it was too easy, with pain <= {ACCEPTABLE_PAIN}:"
                           " one step up")  # fmt: skip
        streak = self.streak + 1
        if streak >= SESSIONS_TO_STEP_UP and self.step < top:
            reason = (
                f"{SESSIONS_TO_STEP_UP} sessions in a row at target with pain"
                f" <= {ACCEPTABLE_PAIN}: one step up"
            )
            return replace(self, step=self.step + 1, streak=0, change=Change.UP, reason=reason,
                           hurt=False)  # fmt: skip
        reason = f"{streak} good session(s) in a row; {SESSIONS_TO_STEP_UP} needed to step up"
        if self.step == top and streak >= SESSIONS_TO_STEP_UP:
            reason = "at the top of the ladder"
        return replace(self, streak=streak, change=Change.HOLD, reason=reason, hurt=False)

    def to_json(self) -> dict[str, JsonValue]:
        """The replay as a JSON object (for a checkpoint)."""
        return {
            "ladder": self.ladder,
            "step": self.step,
            "streak": self.streak,
            "change": self.change.value,
            "reason": self.reason,
            "hurt": self.hurt,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JsonValue]) -> Replay:
        """A replay from ``to_json``'s object; ValueError (or KeyError/TypeError) if malformed."""
        step, streak = data["step"], data["streak"]
        ladder, reason, hurt = data["ladder"], data["reason"], data["hurt"]
        if not (isinstance(step, int) and isinstance(streak, int) and step >= 0 <= streak):
            raise ValueError(f"bad step or streak: {step!r}, {streak!r}")
        if not (isinstance(ladder, str) and isinstance(reason, str) and isinstance(hurt, bool)):
            raise ValueError("bad ladder, reason or hurt")
        return cls(ladder, step, streak, Change(str(data["change"])), reason, hurt)


def ladder_key(rungs: Sequence[Step]) -> str:
    """A short fingerprint of a ladder: a checkpoint holds only on the ladder it was made on."""
    text = "|".join(f"{r.variant}:{r.dose.model_dump_json()}" for r in rungs)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def replay(exercise: Exercise, outcomes: Iterable[Outcome], start: Replay | None = None) -> Replay:
    """Replay ``outcomes`` (oldest first) on the exercise's ladder, from ``start`` if given
    (a checkpoint made on the same ladder), else from the first step."""
    rungs, key = _ladder_and_key(exercise)
    return _fold(rungs, key, outcomes, start)


def _fold(
    rungs: Sequence[Step], key: str, outcomes: Iterable[Outcome], start: Replay | None
) -> Replay:
    state = start if start is not None else Replay(key)
    top = len(rungs) - 1
    for outcome in outcomes:
        state = state.after(outcome, top)
    return state


def standing(
    exercise: Exercise, outcomes: Iterable[Outcome], start: Replay | None = None
) -> Standing:
    """Replay ``outcomes`` (oldest first) on the exercise's ladder, from ``start`` if given."""
    rungs, key = _ladder_and_key(exercise)
    top = len(rungs) - 1
    state = _fold(rungs, key, outcomes, start)
    step = min(state.step, top)
    reason = state.reason
    rung = rungs[step]
    next_exercise = exercise.progressions[0] if step == top and exercise.progressions else None
    if next_exercise and not state.hurt:
        reason += f"; at the top, ready to try {next_exercise}"
    return Standing(
        exercise_id=exercise.id,
        step=step,
        steps=len(rungs),
        change=state.change,
        reason=reason,
        dose=rung.dose,
        variant=rung.variant,
        next_exercise=next_exercise,
        streak=state.streak,
    )
