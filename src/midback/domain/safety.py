"""The safety screen: a person's answers in, a verdict (emergency, doctor, caution, ok) out.

The rules run in order and the first level that matches wins; every reason of that level is
reported. The screen never blocks anything itself: ``check_allowed`` does, for the commands
that make plans.

Guidelines behind the rules: NICE guideline NG59 (low back pain and sciatica in over 16s,
which asks to exclude specific causes such as cancer, infection, trauma and inflammatory
disease) and the NICE CKS red flags for back pain (cauda equina syndrome, spinal fracture,
cancer, infection), extended to thoracic pain, which can also come from the heart or aorta.
Conditions adapt the plan through ``contraindications``, which cites its own sources.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from midback.domain.contraindications import CONDITION_LABELS as CONDITION_LABELS  # re-exported
from midback.domain.contraindications import RULES
from midback.domain.vocab import Condition
from midback.errors import AnswersError, ScreenBlocked

AGE_MIN: Final = 1
AGE_MAX: Final = 120
PAIN_MIN: Final = 0
PAIN_MAX: Final = 10

NEW_PAIN_MAX_DAYS: Final = 42
"""Pain this many days old or less counts as new (six weeks)."""
YOUNG_AGE_BELOW: Final = 20
"""New pain starting below this age sends the person to a doctor."""
OLDER_AGE_ABOVE: Final = 50
"""New pain starting above this age, or a fall or knock above it, sends them to a doctor."""
SEVERE_PAIN_FROM: Final = 8
"""Pain at or above this (0-10) right now sends them to a doctor."""
PERSISTENT_AFTER_DAYS: Final = 28
"""Pain lasting longer than this without improving sends them to a doctor (unless assessed)."""
FEW_DAYS: Final = 3
"""Pain lasting longer than this adds "see a doctor if it goes on" to the advice."""

IMPROVING_DEFAULT: Final = False
"""Left out, ``improving`` is taken as False: the screen assumes the worse case."""


class RedFlag(StrEnum):
    """Warning signs that something other than a strained muscle may cause the pain."""

    CHEST_PAIN = "chest_pain"
    TEARING_PAIN = "tearing_pain"
    BREATHLESS = "breathless"
    BOTH_LEGS_NEURO = "both_legs_neuro"
    SADDLE_NUMBNESS = "saddle_numbness"
    BLADDER_BOWEL = "bladder_bowel"
    MAJOR_TRAUMA = "major_trauma"
    FEVER = "fever"
    WEIGHT_LOSS = "weight_loss"
    CANCER_HISTORY = "cancer_history"
    NIGHT_PAIN = "night_pain"
    STEROIDS = "steroids"
    IMMUNOSUPPRESSED = "immunosuppressed"
    IV_DRUG_USE = "iv_drug_use"
    MINOR_TRAUMA = "minor_trauma"


RED_FLAG_QUESTIONS: Final[Mapping[RedFlag, str]] = MappingProxyType(
    {
        RedFlag.CHEST_PAIN: "Do you have pain, pressure or tightness in your chest?",
        RedFlag.TEARING_PAIN: (
            "Did a sudden, severe, tearing pain start between your shoulder blades?"
        ),
        RedFlag.BREATHLESS: "Are you short of breath, or finding it hard to breathe?",
        RedFlag.BOTH_LEGS_NEURO: "Do you have weakness, numbness or tingling in both legs?",
        RedFlag.SADDLE_NUMBNESS: (
            "Is there numbness around your bottom or genitals (where you sit on a saddle)?"
        ),
        RedFlag.BLADDER_BOWEL: (
            "Have you lost control of your bladder or bowels, or are you unable to pass urine?"
        ),
        RedFlag.MAJOR_TRAUMA: (
            "Did the pain start after a serious accident, such as a car crash or a fall from "
            "a height?"
        ),
        RedFlag.FEVER: "Do you have a fever, or feel hot, shivery and unwell?",
        RedFlag.WEIGHT_LOSS: "Have you lost weight without trying?",
        RedFlag.CANCER_HISTORY: "Have you ever had cancer?",
        RedFlag.NIGHT_PAIN: (
            "Is the pain worse at night, and not eased by rest or changing position?"
        ),
        RedFlag.STEROIDS: (
            "Have you taken steroid tablets (corticosteroids such as prednisolone) for months?"
        ),
        RedFlag.IMMUNOSUPPRESSED: (
            "Is your immune system weakened, for example by medicines, chemotherapy or HIV?"
        ),
        RedFlag.IV_DRUG_USE: "Have you ever injected drugs?",
        RedFlag.MINOR_TRAUMA: "Did the pain start after a fall or a knock?",
    }
)
"""The yes/no question for each red flag, in plain words (prompts and the web form)."""

RED_FLAG_REASONS: Final[Mapping[RedFlag, str]] = MappingProxyType(
    {
        RedFlag.CHEST_PAIN: "Chest pain with mid-back pain can come from the heart.",
        RedFlag.TEARING_PAIN: (
            "A sudden tearing pain between the shoulder blades can come from a tear in the "
            "aorta, the body's main artery."
        ),
        RedFlag.BREATHLESS: (
            "Shortness of breath with mid-back pain can come from the heart or the lungs."
        ),
        RedFlag.BOTH_LEGS_NEURO: (
            "Weakness, numbness or tingling in both legs can mean pressure on the spinal cord "
            "or nerves."
        ),
        RedFlag.SADDLE_NUMBNESS: (
            "Numbness around the bottom or genitals can mean pressure on the nerves at the base "
            "of the spine (cauda equina syndrome)."
        ),
        RedFlag.BLADDER_BOWEL: (
            "Losing control of the bladder or bowels can mean pressure on the nerves at the "
            "base of the spine (cauda equina syndrome)."
        ),
        RedFlag.MAJOR_TRAUMA: "Pain after a serious accident can mean a broken bone in the spine.",
        RedFlag.FEVER: "A fever with back pain can mean an infection.",
        RedFlag.WEIGHT_LOSS: "Losing weight without trying can point to a serious cause.",
        RedFlag.CANCER_HISTORY: "New back pain after cancer should be checked by a doctor.",
        RedFlag.NIGHT_PAIN: (
            "Pain that is worse at night and not eased by rest is not typical of a strained muscle."
        ),
        RedFlag.STEROIDS: "Long-term steroid tablets can thin the bones and hide infection.",
        RedFlag.IMMUNOSUPPRESSED: "A weakened immune system makes a spinal infection more likely.",
        RedFlag.IV_DRUG_USE: "Injecting drugs makes a spinal infection more likely.",
        RedFlag.MINOR_TRAUMA: "A fall or a knock can crack a vertebra when bones are fragile.",
    }
)
"""Why each red flag matters, in plain words (the screen's reasons)."""

# NICE CKS (back pain, and the thoracic-pain differentials it lists): suspected cauda equina
# syndrome or spinal cord compression (saddle numbness, bladder or bowel change, neurological
# symptoms in both legs) and suspected fracture after major trauma need emergency care;
# chest pain, breathlessness and sudden tearing pain point to the heart (acute coronary
# syndrome), the lungs or an aortic dissection.
EMERGENCY_FLAGS: Final[tuple[RedFlag, ...]] = (
    RedFlag.CHEST_PAIN,
    RedFlag.TEARING_PAIN,
    RedFlag.BREATHLESS,
    RedFlag.BOTH_LEGS_NEURO,
    RedFlag.SADDLE_NUMBNESS,
    RedFlag.BLADDER_BOWEL,
    RedFlag.MAJOR_TRAUMA,
)
"""Red flags that mean: call emergency services now."""

# NICE NG59 1.1.1 (exclude cancer, infection, trauma, inflammatory disease) and the NICE CKS
# red flags: possible cancer (past cancer, unexplained weight loss, non-mechanical pain worse
# at night), possible infection (fever, immunosuppression, intravenous drug use) and possible
# fracture or infection with long-term corticosteroids.
DOCTOR_FLAGS: Final[tuple[RedFlag, ...]] = (
    RedFlag.FEVER,
    RedFlag.WEIGHT_LOSS,
    RedFlag.CANCER_HISTORY,
    RedFlag.NIGHT_PAIN,
    RedFlag.STEROIDS,
    RedFlag.IMMUNOSUPPRESSED,
    RedFlag.IV_DRUG_USE,
)
"""Red flags that mean: see a doctor before exercising. ``minor_trauma`` counts only with
fragile bones (see ``screen``)."""

_ADVICE_EMERGENCY: Final = (
    "Call emergency services now (999 in the UK, 112 in Europe, 911 in North America). "
    "Mid-back pain can come from the heart or the aorta: do not wait to see if it passes.",
    "Do not exercise.",
)
_ADVICE_DOCTOR: Final = (
    "See a doctor (your GP) before you exercise on your own.",
    "midback makes a plan only once a doctor has cleared you to exercise.",
)
_ADVICE_CAUTION: Final = (
    "Your plan leaves out or changes the exercises your conditions rule out.",
    "Start gently and stop any exercise that hurts.",
)
_ADVICE_OK: Final = ("Start gently and stop any exercise that hurts.",)
# "5 Easy Middle Back Pain Exercises" (2018): see a doctor if the pain lasts more than a few
# days. Advice only; it never blocks.
ADVICE_PERSISTENT: Final = (
    "You have had this pain for more than a few days: see a doctor if it goes on."
)
DISCLAIMER: Final = (
    "midback is not medical advice and does not replace a doctor or physiotherapist."
)


# The screen's models are built on first use (defer_build): a plan without answers never screens.


class Answers(BaseModel):
    """A person's answers to the safety screen.

    Build from untrusted data with ``parse_answers``, which names the first bad field.
    ``improving`` defaults to False so a left-out answer never hides a warning sign.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    age: int = Field(ge=AGE_MIN, le=AGE_MAX)
    """Age in years, as given."""
    pain_now: int = Field(ge=PAIN_MIN, le=PAIN_MAX)
    """Pain right now, 0 (none) to 10 (worst imaginable)."""
    pain_duration_days: int = Field(ge=0)
    """How many days the pain has lasted."""
    improving: bool = IMPROVING_DEFAULT
    """Whether the pain is getting better."""
    assessed_by_clinician: bool = False
    """Whether a doctor or physiotherapist has already examined the back for this pain."""
    red_flags: list[RedFlag] = Field(default_factory=list)
    """The red flags the person answered yes to."""
    conditions: list[Condition] = Field(default_factory=list)
    """The health conditions the plan must adapt to."""


class Verdict(StrEnum):
    """What the screen says to do, most urgent first."""

    EMERGENCY = "emergency"
    DOCTOR = "doctor"
    CAUTION = "caution"
    OK = "ok"


class Reason(BaseModel):
    """One reason for a verdict: a stable ``id`` (a red flag, a condition or a rule) and words."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    id: str
    message: str


class ScreenResult(BaseModel):
    """The verdict, every reason of its level, the person's conditions and what to do."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    verdict: Verdict
    reasons: list[Reason]
    conditions: list[Condition]
    """The person's conditions, without repeats, for the planner."""
    advice: list[str]
    """What to do, in order; the last line is always the disclaimer."""

    def to_json(self) -> dict[str, Any]:
        """``{"verdict", "reasons": [{"id", "message"}], "conditions", "advice"}``."""
        return self.model_dump(mode="json")


_FIELDS: Final = tuple(Answers.model_fields)


def parse_answers(data: object) -> Answers:
    """Check untrusted answers (decoded JSON) and build ``Answers``.

    Raises AnswersError for the first problem, naming the field (``red_flags[1]``) and the
    bad value, with close ids suggested. Unknown fields and ids are errors, never ignored.
    """
    if not isinstance(data, dict):
        raise AnswersError("answers", f"expected an object of answers, got {_show(data)}")
    for key in data:
        if key not in _FIELDS:
            raise AnswersError(str(key), f"unknown question{_hint(str(key), _FIELDS)}")
    return Answers(
        age=_whole(data, "age", low=AGE_MIN, high=AGE_MAX),
        pain_now=_whole(data, "pain_now", low=PAIN_MIN, high=PAIN_MAX),
        pain_duration_days=_whole(data, "pain_duration_days", low=0),
        improving=_yes_no(data, "improving", default=IMPROVING_DEFAULT),
        assessed_by_clinician=_yes_no(data, "assessed_by_clinician", default=False),
        red_flags=_ids(data, "red_flags", RedFlag, "red flag"),
        conditions=_ids(data, "conditions", Condition, "condition"),
    )


def screen(answers: Answers) -> ScreenResult:
    """The verdict for ``answers``: the first level with any reason wins.

    Advice always ends with the disclaimer. Pain lasting more than a few days adds "see a
    doctor if it goes on" to every verdict but emergency, whose advice stays on calling for
    help.
    """
    conditions = list(dict.fromkeys(answers.conditions))
    verdict, reasons = Verdict.OK, [Reason(id="no_warning_signs", message=_NO_WARNING_SIGNS)]
    for level, rules in (
        (Verdict.EMERGENCY, _emergency_reasons),
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
    )


def check_allowed(result: ScreenResult, *, cleared: bool) -> None:
    """Raise ScreenBlocked unless self-guided exercise is allowed.

    An emergency always blocks; a doctor verdict blocks unless a doctor has ``cleared`` the
    person. Caution and ok never block.
    """
    blocked = result.verdict is Verdict.EMERGENCY or (
        result.verdict is Verdict.DOCTOR and not cleared
    )
    if blocked:
        raise ScreenBlocked(result.verdict.value, [(r.id, r.message) for r in result.reasons])


_NO_WARNING_SIGNS: Final = "No warning signs in your answers."


def _emergency_reasons(answers: Answers) -> list[Reason]:
    return [_flag_reason(flag) for flag in EMERGENCY_FLAGS if flag in answers.red_flags]


def _doctor_reasons(answers: Answers) -> list[Reason]:
    reasons = [_flag_reason(flag) for flag in DOCTOR_FLAGS if flag in answers.red_flags]
    age, days = answers.age, answers.pain_duration_days
    # After spine surgery exercise follows the surgeon's protocol: clearance first.
    if Condition.RECENT_SPINE_SURGERY in answers.conditions:
        reasons.append(
            Reason(
                id=Condition.RECENT_SPINE_SURGERY.value,
                message="After recent spine surgery, exercise should follow your surgeon's "
                "advice: get cleared first.",
            )
        )
    # The classic red flag "onset under 20 or over 50" (RCGP and CSAG back-pain guidance;
    # NICE CKS lists age over 50 among the red flags for cancer).
    if days <= NEW_PAIN_MAX_DAYS and (age < YOUNG_AGE_BELOW or age > OLDER_AGE_ABOVE):
        young = age < YOUNG_AGE_BELOW
        reasons.append(
            Reason(
                id="new_pain_under_20" if young else "new_pain_over_50",
                message=f"You are {age} and the pain began {days} days ago: new back pain "
                f"{'before' if young else 'after'} age "
                f"{YOUNG_AGE_BELOW if young else OLDER_AGE_ABOVE} should be checked by a doctor.",
            )
        )
    # "3 Exercises that Provide Complete Relief from Mid Back Pain": see a professional for
    # severe pain. The 8/10 threshold is midback's.
    if answers.pain_now >= SEVERE_PAIN_FROM:
        reasons.append(
            Reason(
                id="severe_pain",
                message=f"Your pain is {answers.pain_now}/10 right now: pain this severe "
                "should be checked by a doctor before you exercise.",
            )
        )
    # Pain that does not settle deserves a clinical review (NICE NG59 1.1.1: think again
    # about the diagnosis; the source articles: see a professional for persistent pain).
    # Four weeks is midback's threshold; an examination already done lifts it.
    if days > PERSISTENT_AFTER_DAYS and not answers.improving and not answers.assessed_by_clinician:
        reasons.append(
            Reason(
                id="not_improving",
                message=f"The pain has lasted {days} days and is not getting better, and no "
                "doctor or physiotherapist has examined it yet.",
            )
        )
    # NICE CKS red flags for fracture: minor trauma (even strenuous lifting) in people with
    # osteoporosis or on long-term corticosteroids; age over 50 thins the bones too.
    if RedFlag.MINOR_TRAUMA in answers.red_flags:
        fragile = [
            why
            for why, present in (
                ("osteoporosis", Condition.OSTEOPOROSIS in answers.conditions),
                ("long-term steroids", RedFlag.STEROIDS in answers.red_flags),
                (f"age over {OLDER_AGE_ABOVE}", age > OLDER_AGE_ABOVE),
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
    return reasons


def _caution_reasons(answers: Answers) -> list[Reason]:
    reasons = []
    for condition in dict.fromkeys(answers.conditions):
        rule = RULES[condition]
        message = f"{CONDITION_LABELS[condition]}: the plan leaves out {rule.message}."
        if rule.cue is not None:
            message += f" On strength exercises: {rule.cue}"
        reasons.append(Reason(id=condition.value, message=message))
    return reasons


def _flag_reason(flag: RedFlag) -> Reason:
    return Reason(id=flag.value, message=RED_FLAG_REASONS[flag])


def _advice(verdict: Verdict, answers: Answers) -> list[str]:
    advice = {
        Verdict.EMERGENCY: _ADVICE_EMERGENCY,
        Verdict.DOCTOR: _ADVICE_DOCTOR,
        Verdict.CAUTION: _ADVICE_CAUTION,
        Verdict.OK: _ADVICE_OK,
    }[verdict]
    lines = list(advice)
    if verdict is not Verdict.EMERGENCY and answers.pain_duration_days > FEW_DAYS:
        lines.append(ADVICE_PERSISTENT)
    lines.append(DISCLAIMER)
    return lines


def _whole(data: Mapping[Any, Any], name: str, *, low: int, high: int | None = None) -> int:
    if name not in data:
        raise AnswersError(name, "missing")
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswersError(name, f"expected a whole number, got {_show(value)}")
    if value < low or (high is not None and value > high):
        span = f"{low}-{high}" if high is not None else f"{low} or more"
        raise AnswersError(name, f"{value} is out of range {span}")
    return value


def _yes_no(data: Mapping[Any, Any], name: str, *, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise AnswersError(name, f"expected true or false, got {_show(value)}")
    return value


_E = TypeVar("_E", RedFlag, Condition)


def _ids(data: Mapping[Any, Any], name: str, kind: type[_E], what: str) -> list[_E]:
    values = data.get(name, [])
    if not isinstance(values, list):
        raise AnswersError(name, f"expected a list of {what} ids, got {_show(values)}")
    known = [member.value for member in kind]
    found: list[_E] = []
    for i, value in enumerate(values):
        where = f"{name}[{i}]"
        if not isinstance(value, str):
            raise AnswersError(where, f"expected a {what} id, got {_show(value)}")
        if value not in known:
            raise AnswersError(where, f"unknown {what} {value!r}{_hint(value, known)}")
        found.append(kind(value))
    return found


def _hint(value: str, known: Iterable[str]) -> str:
    choices = list(known)
    close = difflib.get_close_matches(value.lower(), choices, n=3, cutoff=0.6)
    if close:
        return f" (did you mean {', '.join(close)}?)"
    return f" (expected one of: {', '.join(choices)})"


def _show(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
