"""The safety screen's warning signs (red flags): the question asked for each, why it matters,
and how urgent it is.

The levels follow the guidelines in ``shared/CLINICAL.md``: NICE NG59 and the NICE CKS red flags
for back pain; Finucane et al. 2020 (International Framework for Red Flags, JOSPT 50(7)) for
cord compression, fracture, infection and malignancy; NICE NG234 for suspected spinal
metastases (history of cancer with new thoracic pain: assessment within 24 hours); the
thoracic-pain differentials (heart, aorta, lungs, belly organs, shingles); ACOG Committee
Opinion 804 for the warning signs to stop exercising in pregnancy.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class RedFlag(StrEnum):
    """Warning signs that something other than a strained muscle may cause the pain."""

    # emergency
    CHEST_PAIN = "chest_pain"
    TEARING_PAIN = "tearing_pain"
    BREATHLESS = "breathless"
    ARM_JAW_PAIN = "arm_jaw_pain"
    COLD_SWEAT = "cold_sweat"
    BOTH_LEGS_NEURO = "both_legs_neuro"
    UNSTEADY_WALKING = "unsteady_walking"
    CLUMSY_HANDS = "clumsy_hands"
    BAND_NUMBNESS = "band_numbness"
    SADDLE_NUMBNESS = "saddle_numbness"
    BLADDER_BOWEL = "bladder_bowel"
    MAJOR_TRAUMA = "major_trauma"
    # urgent (on their own or together with others: see ``safety``)
    CANCER_HISTORY = "cancer_history"
    EXERTIONAL_PAIN = "exertional_pain"
    SHINGLES_RASH = "shingles_rash"
    PREGNANCY_WARNING = "pregnancy_warning"
    # doctor
    SUDDEN_SEVERE_ONSET = "sudden_severe_onset"
    FEVER = "fever"
    WEIGHT_LOSS = "weight_loss"
    NIGHT_PAIN = "night_pain"
    UNWELL = "unwell"
    DEFORMITY = "deformity"
    BELLY_OR_EATING = "belly_or_eating"
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
        RedFlag.ARM_JAW_PAIN: "Does the pain spread into your arm, your jaw or your neck?",
        RedFlag.COLD_SWEAT: (
            "With the pain, do you break into a cold sweat, feel sick, or feel faint?"
        ),
        RedFlag.BOTH_LEGS_NEURO: "Do you have weakness, numbness or tingling in both legs?",
        RedFlag.UNSTEADY_WALKING: (
            "Has your walking become unsteady, as if your legs do not do what you tell them?"
        ),
        RedFlag.CLUMSY_HANDS: (
            "Have your hands become clumsy, for example dropping things or fumbling buttons?"
        ),
        RedFlag.BAND_NUMBNESS: (
            "Is there numbness, tingling or a tight band of feeling around your chest or belly?"
        ),
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
        RedFlag.CANCER_HISTORY: "Have you ever had cancer?",
        RedFlag.EXERTIONAL_PAIN: (
            "Does the pain come on when you exert yourself (walking uphill, climbing stairs) "
            "and ease when you rest?"
        ),
        RedFlag.SHINGLES_RASH: (
            "Is there a rash or blisters in a band on one side of your back or chest?"
        ),
        RedFlag.PREGNANCY_WARNING: (
            "Pregnant: do you have bleeding, leaking fluid, regular painful tightenings, calf "
            "pain or swelling, dizziness, or a headache that will not go?"
        ),
        RedFlag.SUDDEN_SEVERE_ONSET: "Did the pain start suddenly and severely, all at once?",
        RedFlag.FEVER: "Do you have a fever, or feel hot, shivery and unwell?",
        RedFlag.WEIGHT_LOSS: "Have you lost weight without trying?",
        RedFlag.NIGHT_PAIN: (
            "Is the pain worse at night, and not eased by rest or changing position?"
        ),
        RedFlag.UNWELL: "Do you feel generally unwell in yourself?",
        RedFlag.DEFORMITY: "Have you noticed a new hump or a change in the shape of your back?",
        RedFlag.BELLY_OR_EATING: (
            "Does the pain come with eating, or come with pain in your belly?"
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
        RedFlag.ARM_JAW_PAIN: (
            "Pain spreading into the arm, jaw or neck can come from the heart, even without "
            "chest pain."
        ),
        RedFlag.COLD_SWEAT: (
            "A cold sweat, sickness or faintness with the pain can mean a heart attack."
        ),
        RedFlag.BOTH_LEGS_NEURO: (
            "Weakness, numbness or tingling in both legs can mean pressure on the spinal cord "
            "or nerves."
        ),
        RedFlag.UNSTEADY_WALKING: (
            "Unsteady walking can mean pressure on the spinal cord (cord compression)."
        ),
        RedFlag.CLUMSY_HANDS: (
            "Clumsy hands can mean pressure on the spinal cord (cord compression)."
        ),
        RedFlag.BAND_NUMBNESS: (
            "A band of numbness or tingling around the trunk can mean pressure on the spinal "
            "cord in the mid back."
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
        RedFlag.CANCER_HISTORY: (
            "New mid-back pain after cancer can mean it has spread to the spine: guidance asks "
            "for an assessment within 24 hours (NICE NG234), at once with numbness, weakness "
            "or unsteadiness."
        ),
        RedFlag.EXERTIONAL_PAIN: (
            "Pain that comes on with effort and eases with rest can come from the heart."
        ),
        RedFlag.SHINGLES_RASH: (
            "A one-sided band of rash or blisters can be shingles; antiviral medicine works best "
            "when started within 72 hours."
        ),
        RedFlag.PREGNANCY_WARNING: (
            "In pregnancy, bleeding, leaking fluid, regular contractions, calf pain or swelling, "
            "dizziness or headache are reasons to stop and get checked (ACOG 804)."
        ),
        RedFlag.SUDDEN_SEVERE_ONSET: (
            "Pain that starts suddenly and severely is not typical of a strained muscle."
        ),
        RedFlag.FEVER: "A fever with back pain can mean an infection.",
        RedFlag.WEIGHT_LOSS: "Losing weight without trying can point to a serious cause.",
        RedFlag.NIGHT_PAIN: (
            "Pain that is worse at night and not eased by rest is not typical of a strained muscle."
        ),
        RedFlag.UNWELL: "Feeling generally unwell with back pain can point to an illness.",
        RedFlag.DEFORMITY: (
            "A new hump or change in the shape of the back can mean a collapsed vertebra."
        ),
        RedFlag.BELLY_OR_EATING: (
            "Pain with eating or with belly pain can come from the stomach, gallbladder, "
            "pancreas or kidneys, which can refer pain to the mid back."
        ),
        RedFlag.STEROIDS: "Long-term steroid tablets can thin the bones and hide infection.",
        RedFlag.IMMUNOSUPPRESSED: "A weakened immune system makes a spinal infection more likely.",
        RedFlag.IV_DRUG_USE: "Injecting drugs makes a spinal infection more likely.",
        RedFlag.MINOR_TRAUMA: "A fall or a knock can crack a vertebra when bones are fragile.",
    }
)
"""Why each red flag matters, in plain words (the screen's reasons)."""

EMERGENCY_FLAGS: Final[tuple[RedFlag, ...]] = (
    RedFlag.CHEST_PAIN,
    RedFlag.TEARING_PAIN,
    RedFlag.BREATHLESS,
    RedFlag.ARM_JAW_PAIN,
    RedFlag.COLD_SWEAT,
    RedFlag.BOTH_LEGS_NEURO,
    RedFlag.UNSTEADY_WALKING,
    RedFlag.CLUMSY_HANDS,
    RedFlag.BAND_NUMBNESS,
    RedFlag.SADDLE_NUMBNESS,
    RedFlag.BLADDER_BOWEL,
    RedFlag.MAJOR_TRAUMA,
)
"""Red flags that mean: call emergency services now. Heart and aorta (chest pain, pain into the
arm or jaw, cold sweat, breathlessness, tearing pain), spinal cord or cauda equina compression
(both legs, unsteady walking, clumsy hands, a band of numbness, saddle numbness, bladder or
bowel) and major trauma (Finucane et al. 2020; NICE CKS)."""

URGENT_FLAGS: Final[tuple[RedFlag, ...]] = (
    RedFlag.CANCER_HISTORY,
    RedFlag.EXERTIONAL_PAIN,
    RedFlag.SHINGLES_RASH,
    RedFlag.PREGNANCY_WARNING,
)
"""Red flags that mean, on their own: contact a doctor today. Fever with a weakened immune system
or injected drugs, and a sudden severe onset with fragile bones or age 65 or over, are urgent
together (see ``safety``)."""

DOCTOR_FLAGS: Final[tuple[RedFlag, ...]] = (
    RedFlag.SUDDEN_SEVERE_ONSET,
    RedFlag.FEVER,
    RedFlag.WEIGHT_LOSS,
    RedFlag.NIGHT_PAIN,
    RedFlag.UNWELL,
    RedFlag.DEFORMITY,
    RedFlag.BELLY_OR_EATING,
    RedFlag.STEROIDS,
    RedFlag.IMMUNOSUPPRESSED,
    RedFlag.IV_DRUG_USE,
)
"""Red flags that mean: see a doctor before exercising on your own (NICE NG59 1.1.1: think of
cancer, infection, fracture and inflammatory disease; referred pain from the organs).
``minor_trauma`` counts only with fragile bones (see ``safety``)."""

PREGNANCY_ONLY: Final[frozenset[RedFlag]] = frozenset({RedFlag.PREGNANCY_WARNING})
"""Flags asked only of a person who is pregnant."""
