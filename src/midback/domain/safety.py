"""The safety screen: a person's answers in, a verdict out.

Verdicts, most serious first: ``emergency`` (call emergency services now), ``urgent`` (contact a
doctor today), ``doctor`` (see a doctor before exercising on your own), ``caution`` (exercise,
with the plan changed for your conditions or your pain) and ``ok``. The first level with any
reason wins and every reason of that level is reported. The screen never blocks anything
itself: ``check_allowed`` does, for every use case that plans or plays a session.

Whatever the verdict, the result carries what limits every plan made from it: the person's
conditions (with ``fragile_bones`` derived from long-term steroids or a fall at 50 or over), the
weeks of pregnancy, and ``gentle`` when the pain is irritable (6/10 or more). A clinician's
clearance lifts a refusal, never these limits.

Guidelines behind each rule are cited beside it; ``questions`` cites those of the red flags.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from pydantic import BaseModel, ConfigDict

from midback.domain.answers import Answers
from midback.domain.contraindications import CONDITION_LABELS, RULES
from midback.domain.questions import (
    DOCTOR_FLAGS,
    EMERGENCY_FLAGS,
    RED_FLAG_REASONS,
    URGENT_FLAGS,
    RedFlag,
)
from midback.domain.vocab import Condition
from midback.errors import ScreenBlocked, ScreenRequired

YOUNG_ONSET_BELOW: Final = 20
"""Pain that began below this age, never examined, sends the person to a doctor."""
OLDER_ONSET_ABOVE: Final = 50
"""Pain that began above this age, never examined, sends the person to a doctor."""
FRAGILE_FROM_AGE: Final = 50
"""From this age a fall or knock counts as a fracture risk (Finucane et al. 2020)."""
MYELOMA_FROM_AGE: Final = 60
"""From this age persistent back pain never examined sends them to a doctor (NICE NG12)."""
MYELOMA_AFTER_DAYS: Final = 28
"""Persistent means longer than this (four weeks)."""
FRACTURE_ONSET_FROM_AGE: Final = 65
"""From this age a sudden severe onset of pain is urgent (possible vertebral fracture)."""
SEVERE_PAIN_FROM: Final = 8
"""Pain at or above this (0-10) right now sends them to a doctor."""
GENTLE_PAIN_FROM: Final = 6
"""Pain at or above this (0-10) makes every plan gentle: irritable pain calls for gentle
movement and short, pain-free doses (irritability, shared/CLINICAL.md)."""
PERSISTENT_AFTER_DAYS: Final = 28
"""Pain lasting longer than this without improving sends them to a doctor (unless assessed)."""
FEW_DAYS: Final = 3
"""Pain lasting longer than this adds "see a doctor if it goes on" to the advice."""
SCREEN_VALID_DAYS: Final = 30
"""A stored screen counts for this many days; after that the person is asked again."""


class Verdict(StrEnum):
    """What the screen says to do, most urgent first."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    DOCTOR = "doctor"
    CAUTION = "caution"
    OK = "ok"


HEADLINES: Final = {
    Verdict.EMERGENCY: "Call emergency services now",
    Verdict.URGENT: "Contact a doctor today",
    Verdict.DOCTOR: "See a doctor before exercising on your own",
    Verdict.CAUTION: "You can exercise, with changes for your conditions or your pain",
    Verdict.OK: "You can start gently",
}
"""Each verdict in big words, the same in the terminal and the browser."""

BLOCKING: Final = frozenset({Verdict.EMERGENCY, Verdict.URGENT, Verdict.DOCTOR})
"""Verdicts that refuse a plan: emergency always, the others unless a clinician cleared it."""


class Reason(BaseModel):
    """One reason for a verdict: a stable ``id`` (a red flag, a condition or a rule) and words."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    id: str
    message: str


class ScreenResult(BaseModel):
    """The verdict, every reason of its level, and what limits every plan made from it."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    verdict: Verdict
    reasons: list[Reason]
    conditions: list[Condition]
    """The person's conditions, without repeats, with those the screen derives, for the planner."""
    advice: list[str]
    """What to do, in order; the last line is always the disclaimer."""
    gentle: bool = False
    """Pain is irritable (6/10 or more): plans hold only mobility, stretching, breathing and
    walking, at beginner doses."""
    pregnancy_weeks: int | None = None
    """Weeks of pregnancy as answered (None: not said, or not pregnant)."""

    @property
    def blocking(self) -> bool:
        """Whether this verdict refuses a plan unless cleared (or always, for emergency)."""
        return self.verdict in BLOCKING

    def to_json(self) -> dict[str, Any]:
        """``{"verdict", "reasons": [{"id", "message"}], "conditions", "advice", "gentle",
        "pregnancy_weeks"}``."""
        return self.model_dump(mode="json")


_ADVICE: Final[dict[Verdict, tuple[str, ...]]] = {
    Verdict.EMERGENCY: (
        "Call emergency services now (999 in the UK, 112 in Europe, 911 in North America). "
        "Mid-back pain can come from the heart, the aorta or the spinal cord: do not wait to "
        "see if it passes.",
        "Do not exercise.",
    ),
    Verdict.URGENT: (
        "Contact a doctor today: your GP's same-day line, an urgent care service, or 111 in "
        "the UK. If you get worse, or numbness, weakness or unsteadiness appears, call "
        "emergency services.",
        "Do not exercise on your own until a doctor has seen you.",
    ),
    Verdict.DOCTOR: (
        "See a doctor (your GP) before you exercise on your own.",
        "midback makes a plan only once a doctor or physiotherapist has cleared you to exercise.",
    ),
    Verdict.CAUTION: (
        "Your plan leaves out or changes what your conditions or your pain rule out.",
        "Start gently and stop any exercise that hurts.",
    ),
    Verdict.OK: ("Start gently and stop any exercise that hurts.",),
}
# "5 Easy Middle Back Pain Exercises" (2018): see a doctor if the pain lasts more than a few
# days. Advice only; it never blocks.
ADVICE_PERSISTENT: Final = (
    "You have had this pain for more than a few days: see a doctor if it goes on."
)
DISCLAIMER: Final = (
    "midback is not a medical device, is not medical advice, and does not replace a doctor or "
    "physiotherapist."
)
GENTLE_NOTE: Final = (
    "Your pain is {pain}/10: this session is gentle (mobility, stretching, breathing and "
    "walking only, at beginner doses). Irritable pain settles best with gentle movement; "
    "strength work comes back as it eases."
)
_NO_WARNING_SIGNS: Final = "No warning signs in your answers."


def screen(answers: Answers) -> ScreenResult:
    """The verdict for ``answers``: the first level with any reason wins.

    Advice always ends with the disclaimer. Pain lasting more than a few days adds "see a
    doctor if it goes on" to every verdict below urgent.
    """
    conditions = list(dict.fromkeys([*answers.conditions, *_derived_conditions(answers)]))
    verdict, reasons = Verdict.OK, [Reason(id="no_warning_signs", message=_NO_WARNING_SIGNS)]
    for level, rules in (
        (Verdict.EMERGENCY, _emergency_reasons),
        (Verdict.URGENT, _urgent_reasons),
        (Verdict.DOCTOR, _doctor_reasons),
        (Verdict.CAUTION, _caution_reasons),
    ):
        found = rules(answers)
        if found:
            verdict, reasons = level, found
            break
    return ScreenResult(
        verdict=verdict,
        reasons=reasons,
        conditions=conditions,
        advice=_advice(verdict, answers),
        gentle=answers.pain_now >= GENTLE_PAIN_FROM,
        pregnancy_weeks=answers.pregnancy_weeks,
    )


def check_allowed(result: ScreenResult, *, cleared: bool) -> None:
    """Raise ScreenBlocked unless self-guided exercise is allowed.

    An emergency always blocks; urgent and doctor verdicts block unless a clinician has
    ``cleared`` the person. Caution and ok never block.
    """
    blocked = result.verdict is Verdict.EMERGENCY or (result.blocking and not cleared)
    if blocked:
        raise ScreenBlocked(result.verdict.value, [(r.id, r.message) for r in result.reasons])


def check_current(taken_at: datetime | None, now: datetime) -> None:
    """Raise ScreenRequired when there is no stored screen or it is older than 30 days."""
    if taken_at is None:
        raise ScreenRequired(
            "unscreened",
            "Take the safety screen first: a few questions check that exercise is safe for you.",
        )
    if now - taken_at > timedelta(days=SCREEN_VALID_DAYS):
        raise ScreenRequired(
            "expired",
            f"Your safety screen is more than {SCREEN_VALID_DAYS} days old (taken "
            f"{taken_at:%Y-%m-%d}): answer it again, as things may have changed.",
        )


def _derived_conditions(answers: Answers) -> list[Condition]:
    """Fragile bones from long-term steroids (glucocorticoid-induced osteoporosis) or from a fall
    or knock at 50 or over (Finucane et al. 2020): the spine-sparing limits apply whoever
    clears the person."""
    steroids = RedFlag.STEROIDS in answers.red_flags
    fall = RedFlag.MINOR_TRAUMA in answers.red_flags and answers.age >= FRAGILE_FROM_AGE
    return [Condition.FRAGILE_BONES] if steroids or fall else []


def _fragile(answers: Answers) -> bool:
    return (
        Condition.OSTEOPOROSIS in answers.conditions
        or Condition.FRAGILE_BONES in answers.conditions
        or RedFlag.STEROIDS in answers.red_flags
    )


def _emergency_reasons(answers: Answers) -> list[Reason]:
    return [_flag_reason(flag) for flag in EMERGENCY_FLAGS if flag in answers.red_flags]


def _urgent_reasons(answers: Answers) -> list[Reason]:
    flags = answers.red_flags
    reasons = [_flag_reason(flag) for flag in URGENT_FLAGS if flag in flags]
    # Finucane et al. 2020: fever with immunosuppression or injected drugs raises the suspicion
    # of a spinal infection, which needs the same day.
    if RedFlag.FEVER in flags and (
        RedFlag.IMMUNOSUPPRESSED in flags or RedFlag.IV_DRUG_USE in flags
    ):
        reasons.append(
            Reason(
                id="possible_infection",
                message="A fever with a weakened immune system or injected drugs can mean an "
                "infection of the spine: it needs checking today.",
            )
        )
    # Finucane et al. 2020: a sudden severe onset with osteoporosis, steroids or older age
    # raises the suspicion of a vertebral fracture.
    if RedFlag.SUDDEN_SEVERE_ONSET in flags and (
        _fragile(answers) or answers.age >= FRACTURE_ONSET_FROM_AGE
    ):
        reasons.append(
            Reason(
                id="possible_fracture",
                message="Pain that starts suddenly and severely with fragile bones, steroids or "
                f"age {FRACTURE_ONSET_FROM_AGE} or over can mean a broken vertebra: it needs "
                "checking today.",
            )
        )
    return reasons


def _doctor_reasons(answers: Answers) -> list[Reason]:
    reasons = [_flag_reason(flag) for flag in DOCTOR_FLAGS if flag in answers.red_flags]
    age, days, onset = answers.age, answers.pain_duration_days, answers.onset_age
    examined = answers.assessed_by_clinician
    # After spine surgery exercise follows the surgeon's protocol: clearance first.
    if Condition.RECENT_SPINE_SURGERY in answers.conditions:
        reasons.append(
            Reason(
                id=Condition.RECENT_SPINE_SURGERY.value,
                message="After recent spine surgery, exercise should follow your surgeon's "
                "advice: get cleared first.",
            )
        )
    # The red flag "onset under 20 or over 50" (NICE CKS; Finucane et al. 2020 for cancer and
    # fracture): judged by the age the pain began, however long ago, until it is examined.
    if not examined and (onset < YOUNG_ONSET_BELOW or onset > OLDER_ONSET_ABOVE):
        young = onset < YOUNG_ONSET_BELOW
        reasons.append(
            Reason(
                id="onset_under_20" if young else "onset_over_50",
                message=f"The pain began when you were about {onset} and no doctor or "
                "physiotherapist has examined it: back pain that starts "
                f"{'before' if young else 'after'} age "
                f"{YOUNG_ONSET_BELOW if young else OLDER_ONSET_ABOVE} should be checked.",
            )
        )
    # NICE NG12 (suspected cancer, myeloma): persistent bone pain, particularly back pain, at
    # 60 or over.
    if not examined and age >= MYELOMA_FROM_AGE and days > MYELOMA_AFTER_DAYS:
        reasons.append(
            Reason(
                id="persistent_over_60",
                message=f"At {age}, back pain lasting over four weeks that no doctor has "
                "examined should be checked (a blood test can rule out rarer causes).",
            )
        )
    # "3 Exercises that Provide Complete Relief from Mid Back Pain": see a professional for
    # severe pain. The 8/10 threshold is midback's default.
    if answers.pain_now >= SEVERE_PAIN_FROM:
        reasons.append(
            Reason(
                id="severe_pain",
                message=f"Your pain is {answers.pain_now}/10 right now: pain this severe "
                "should be checked by a doctor before you exercise.",
            )
        )
    # Pain that does not settle deserves a clinical review (NICE NG59 1.1.1; the source
    # articles: see a professional for persistent pain). Four weeks is midback's default.
    if days > PERSISTENT_AFTER_DAYS and not answers.improving and not examined:
        reasons.append(
            Reason(
                id="not_improving",
                message=f"The pain has lasted {days} days and is not getting better, and no "
                "doctor or physiotherapist has examined it yet.",
            )
        )
    # NICE CKS and Finucane et al. 2020, fracture: minor trauma with osteoporosis, long-term
    # corticosteroids or age 50 or over.
    if RedFlag.MINOR_TRAUMA in answers.red_flags:
        fragile = [
            why
            for why, present in (
                ("osteoporosis", Condition.OSTEOPOROSIS in answers.conditions),
                ("long-term steroids", RedFlag.STEROIDS in answers.red_flags),
                (f"age {FRAGILE_FROM_AGE} or over", age >= FRAGILE_FROM_AGE),
            )
            if present
        ]
        if fragile:
            reasons.append(
                Reason(
                    id="trauma_fragile_bones",
                    message=f"A fall or a knock with {' and '.join(fragile)} can crack a "
                    "vertebra: a doctor should check first.",
                )
            )
    # ACSM: resting blood pressure that is not controlled (around 160/100 or more) needs a
    # medical review before exercise.
    if Condition.HIGH_BLOOD_PRESSURE in answers.conditions and answers.bp_controlled is False:
        reasons.append(
            Reason(
                id="uncontrolled_bp",
                message="High blood pressure that is not under control needs a doctor's review "
                "before you exercise.",
            )
        )
    return reasons


def _caution_reasons(answers: Answers) -> list[Reason]:
    reasons = []
    for condition in dict.fromkeys([*answers.conditions, *_derived_conditions(answers)]):
        rule = RULES[condition]
        message = f"{CONDITION_LABELS[condition]}: the plan leaves out {rule.message}."
        if rule.cue is not None:
            message += f" On strength exercises: {rule.cue}"
        if condition is Condition.PREGNANCY and answers.pregnancy_weeks is None:
            message += " Without the weeks of pregnancy, midback plans as for 20 weeks or more."
        reasons.append(Reason(id=condition.value, message=message))
    if Condition.HIGH_BLOOD_PRESSURE in answers.conditions and answers.bp_controlled is None:
        reasons.append(
            Reason(
                id="bp_unchecked",
                message="Have your blood pressure checked: if it is not under control (around "
                "160/100 or more at rest), see a doctor before exercising harder.",
            )
        )
    if answers.pain_now >= GENTLE_PAIN_FROM:
        reasons.append(
            Reason(id="irritable_pain", message=GENTLE_NOTE.format(pain=answers.pain_now))
        )
    return reasons


def _flag_reason(flag: RedFlag) -> Reason:
    return Reason(id=flag.value, message=RED_FLAG_REASONS[flag])


def _advice(verdict: Verdict, answers: Answers) -> list[str]:
    lines = list(_ADVICE[verdict])
    serious = verdict in (Verdict.EMERGENCY, Verdict.URGENT)
    if not serious and answers.pain_duration_days > FEW_DAYS:
        lines.append(ADVICE_PERSISTENT)
    lines.append(DISCLAIMER)
    return lines
