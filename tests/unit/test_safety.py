"""The safety screen: every verdict rule, its boundaries, and the errors of bad answers."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from midback.domain.answers import Answers, parse_answers
from midback.domain.contraindications import CONDITION_LABELS
from midback.domain.questions import (
    DOCTOR_FLAGS,
    EMERGENCY_FLAGS,
    RED_FLAG_QUESTIONS,
    RED_FLAG_REASONS,
    URGENT_FLAGS,
    RedFlag,
)
from midback.domain.safety import (
    ADVICE_PERSISTENT,
    DISCLAIMER,
    ScreenResult,
    Verdict,
    check_allowed,
    screen,
)
from midback.domain.vocab import Condition
from midback.errors import AnswersError, ScreenBlocked

EMERGENCY = Verdict.EMERGENCY
URGENT = Verdict.URGENT
DOCTOR = Verdict.DOCTOR
CAUTION = Verdict.CAUTION
OK = Verdict.OK


def answers(**changes: Any) -> Answers:
    """Answers with no warning sign at all (verdict ok), changed by ``changes``."""
    fields: dict[str, Any] = {
        "age": 35,
        "pain_now": 3,
        "pain_duration_days": 2,
        "improving": True,
        "assessed_by_clinician": False,
        "red_flags": [],
        "conditions": [],
    }
    fields.update(changes)
    return Answers(**fields)


def reason_ids(result: ScreenResult) -> list[str]:
    return [reason.id for reason in result.reasons]


# --- every verdict rule ----------------------------------------------------------------


def test_plain_answers_are_ok_with_a_no_warning_signs_reason() -> None:
    result = screen(answers())
    assert result.verdict is OK
    assert reason_ids(result) == ["no_warning_signs"]


@pytest.mark.parametrize("flag", EMERGENCY_FLAGS)
def test_each_emergency_red_flag_is_an_emergency(flag: RedFlag) -> None:
    result = screen(answers(red_flags=[flag]))
    assert result.verdict is EMERGENCY
    assert reason_ids(result) == [flag.value]


def test_chest_pain_is_an_emergency() -> None:
    assert screen(answers(red_flags=["chest_pain"])).verdict is EMERGENCY


@pytest.mark.parametrize("flag", DOCTOR_FLAGS)
def test_each_doctor_red_flag_sends_the_person_to_a_doctor(flag: RedFlag) -> None:
    result = screen(answers(red_flags=[flag]))
    assert result.verdict is DOCTOR
    assert reason_ids(result) == [flag.value]


def test_every_red_flag_has_one_level_or_is_minor_trauma() -> None:
    levels = [set(EMERGENCY_FLAGS), set(URGENT_FLAGS), set(DOCTOR_FLAGS), {RedFlag.MINOR_TRAUMA}]
    assert set().union(*levels) == set(RedFlag)
    assert sum(len(level) for level in levels) == len(RedFlag)


@pytest.mark.parametrize(
    "flag",
    ["unsteady_walking", "clumsy_hands", "band_numbness", "arm_jaw_pain", "cold_sweat"],
)
def test_cord_compression_and_heart_signs_are_emergencies(flag: str) -> None:
    result = screen(answers(red_flags=[flag]))
    assert result.verdict is EMERGENCY
    assert reason_ids(result) == [flag]


@pytest.mark.parametrize(
    "flag", ["cancer_history", "exertional_pain", "shingles_rash", "pregnancy_warning"]
)
def test_each_urgent_red_flag_asks_for_a_doctor_today(flag: str) -> None:
    conditions = ["pregnancy"] if flag == "pregnancy_warning" else []
    result = screen(answers(red_flags=[flag], conditions=conditions, pain_duration_days=10))
    assert result.verdict is URGENT
    assert reason_ids(result) == [flag]
    assert "today" in result.advice[0]
    assert ADVICE_PERSISTENT not in result.advice


def test_cancer_history_asks_for_same_day_assessment_not_a_routine_gp_visit() -> None:
    result = screen(answers(red_flags=["cancer_history"], pain_duration_days=20))
    assert result.verdict is URGENT
    assert "24 hours" in result.reasons[0].message
    assert "NG234" in result.reasons[0].message
    assert not any("See a doctor (your GP)" in line for line in result.advice)


@pytest.mark.parametrize(
    ("flags", "verdict", "ids"),
    [
        (["fever"], DOCTOR, ["fever"]),
        (["fever", "immunosuppressed"], URGENT, ["possible_infection"]),
        (["fever", "iv_drug_use"], URGENT, ["possible_infection"]),
        (["immunosuppressed", "iv_drug_use"], DOCTOR, ["immunosuppressed", "iv_drug_use"]),
    ],
)
def test_fever_with_weak_immunity_or_injected_drugs_is_urgent(
    flags: list[str], verdict: Verdict, ids: list[str]
) -> None:
    result = screen(answers(red_flags=flags))
    assert result.verdict is verdict
    assert reason_ids(result) == ids


@pytest.mark.parametrize(
    ("age", "conditions", "flags", "verdict", "ids"),
    [
        (64, [], ["sudden_severe_onset"], DOCTOR, ["sudden_severe_onset"]),
        (65, [], ["sudden_severe_onset"], URGENT, ["possible_fracture"]),
        (40, ["osteoporosis"], ["sudden_severe_onset"], URGENT, ["possible_fracture"]),
        (40, ["fragile_bones"], ["sudden_severe_onset"], URGENT, ["possible_fracture"]),
        (40, [], ["sudden_severe_onset", "steroids"], URGENT, ["possible_fracture"]),
    ],
)
def test_sudden_severe_onset_with_fragile_bones_or_age_65_is_urgent(
    age: int, conditions: list[str], flags: list[str], verdict: Verdict, ids: list[str]
) -> None:
    result = screen(answers(age=age, conditions=conditions, red_flags=flags,
                            assessed_by_clinician=True))  # fmt: skip
    assert result.verdict is verdict
    assert reason_ids(result) == ids


@pytest.mark.parametrize("flag", ["sudden_severe_onset", "deformity", "belly_or_eating", "unwell"])
def test_new_doctor_flags_send_the_person_to_a_doctor(flag: str) -> None:
    result = screen(answers(red_flags=[flag]))
    assert result.verdict is DOCTOR
    assert reason_ids(result) == [flag]


def test_recent_spine_surgery_sends_the_person_to_a_doctor() -> None:
    result = screen(answers(conditions=["recent_spine_surgery"]))
    assert result.verdict is DOCTOR
    assert reason_ids(result) == ["recent_spine_surgery"]


@pytest.mark.parametrize(
    ("age", "days", "assessed", "verdict", "ids"),
    [
        (19, 0, False, DOCTOR, ["onset_under_20"]),
        (19, 400, False, DOCTOR, ["onset_under_20"]),
        (19, 0, True, OK, []),
        (20, 10, False, OK, []),
        (20, 365, False, DOCTOR, ["onset_under_20"]),
        (50, 10, False, OK, []),
        (51, 0, False, DOCTOR, ["onset_over_50"]),
        (51, 364, False, DOCTOR, ["onset_over_50"]),
        (51, 365, False, OK, []),
        # the example: 70, pain that began four months ago, never examined
        (70, 120, False, DOCTOR, ["onset_over_50", "persistent_over_60"]),
        (70, 120, True, OK, []),
        (61, 11 * 365, False, DOCTOR, ["persistent_over_60"]),
        (61, 11 * 365, True, OK, []),
        (60, 28, False, DOCTOR, ["onset_over_50"]),
        (59, 9 * 365, False, OK, []),
    ],
)
def test_the_age_the_pain_began_and_age_60_with_persistent_pain_need_a_doctor_until_examined(
    age: int, days: int, assessed: bool, verdict: Verdict, ids: list[str]
) -> None:
    result = screen(answers(age=age, pain_duration_days=days, assessed_by_clinician=assessed))
    assert result.verdict is verdict
    if ids:
        assert reason_ids(result) == ids


@pytest.mark.parametrize(
    ("pain", "verdict", "gentle"),
    [(0, OK, False), (5, OK, False), (6, CAUTION, True), (7, CAUTION, True),
     (8, DOCTOR, True), (10, DOCTOR, True)],
)  # fmt: skip
def test_pain_of_6_or_7_makes_plans_gentle_and_8_or_more_needs_a_doctor(
    pain: int, verdict: Verdict, gentle: bool
) -> None:
    result = screen(answers(pain_now=pain))
    assert result.verdict is verdict
    assert result.gentle is gentle
    if verdict is DOCTOR:
        assert reason_ids(result) == ["severe_pain"]
    if verdict is CAUTION:
        assert reason_ids(result) == ["irritable_pain"]
        assert "gentle" in result.reasons[0].message


@pytest.mark.parametrize(
    ("days", "improving", "assessed", "verdict"),
    [
        (28, False, False, OK),
        (29, False, False, DOCTOR),
        (29, True, False, OK),
        (29, False, True, OK),
        (29, True, True, OK),
        (365, False, False, DOCTOR),
    ],
)
def test_pain_over_28_days_not_improving_needs_a_doctor_unless_already_assessed(
    days: int, improving: bool, assessed: bool, verdict: Verdict
) -> None:
    result = screen(
        answers(pain_duration_days=days, improving=improving, assessed_by_clinician=assessed)
    )
    assert result.verdict is verdict
    if verdict is DOCTOR:
        assert reason_ids(result) == ["not_improving"]


def test_improving_defaults_to_false_so_long_pain_left_unanswered_needs_a_doctor() -> None:
    result = screen(Answers(age=35, pain_now=3, pain_duration_days=60))
    assert result.verdict is DOCTOR


@pytest.mark.parametrize(
    ("age", "conditions", "flags", "verdict"),
    [
        (35, [], ["minor_trauma"], OK),
        (35, ["osteoporosis"], ["minor_trauma"], DOCTOR),
        (49, [], ["minor_trauma"], OK),
        (50, [], ["minor_trauma"], DOCTOR),
        (51, [], ["minor_trauma"], DOCTOR),
        (35, ["osteoporosis"], [], CAUTION),
    ],
)
def test_a_fall_or_knock_with_fragile_bones_sends_the_person_to_a_doctor(
    age: int, conditions: list[str], flags: list[str], verdict: Verdict
) -> None:
    # Examined and improving: the onset and persistence rules stay quiet.
    result = screen(answers(age=age, pain_duration_days=100, conditions=conditions,
                            red_flags=flags, assessed_by_clinician=True))  # fmt: skip
    assert result.verdict is verdict
    if verdict is DOCTOR:
        assert reason_ids(result) == ["trauma_fragile_bones"]


def test_a_fall_with_long_term_steroids_names_both_the_steroids_and_the_fall() -> None:
    result = screen(answers(red_flags=["minor_trauma", "steroids"]))
    assert reason_ids(result) == ["steroids", "trauma_fragile_bones"]
    assert "long-term steroids" in result.reasons[1].message


@pytest.mark.parametrize("condition", [c for c in Condition if c != "recent_spine_surgery"])
def test_each_condition_alone_is_a_caution_naming_how_the_plan_adapts(
    condition: Condition,
) -> None:
    result = screen(answers(conditions=[condition]))
    assert result.verdict is CAUTION
    extra = ["bp_unchecked"] if condition is Condition.HIGH_BLOOD_PRESSURE else []
    assert reason_ids(result) == [condition.value, *extra]
    assert result.reasons[0].message.startswith(CONDITION_LABELS[condition])
    assert "the plan leaves out" in result.reasons[0].message
    assert result.conditions == [condition]


def test_high_blood_pressure_caution_gives_the_breathing_cue() -> None:
    result = screen(answers(conditions=["high_blood_pressure"]))
    assert "Breathe out on the effort; never hold your breath." in result.reasons[0].message


# --- first match wins, all reasons of the winning level -----------------------------


@pytest.mark.parametrize(
    ("changes", "verdict", "ids"),
    [
        (
            {"red_flags": ["fever", "chest_pain", "saddle_numbness"], "pain_now": 9},
            EMERGENCY,
            ["chest_pain", "saddle_numbness"],
        ),
        (
            {"red_flags": ["night_pain"], "conditions": ["knee_pain"], "pain_now": 8},
            DOCTOR,
            ["night_pain", "severe_pain"],
        ),
        (
            {"age": 60, "pain_duration_days": 30, "improving": False, "conditions": ["pregnancy"]},
            DOCTOR,
            ["onset_over_50", "persistent_over_60", "not_improving"],
        ),
        (
            {"conditions": ["wrist_pain", "knee_pain", "wrist_pain"]},
            CAUTION,
            ["wrist_pain", "knee_pain"],
        ),
    ],
)
def test_the_most_urgent_level_wins_and_keeps_all_its_reasons(
    changes: dict[str, Any], verdict: Verdict, ids: list[str]
) -> None:
    result = screen(answers(**changes))
    assert result.verdict is verdict
    assert reason_ids(result) == ids


def test_conditions_are_reported_whatever_the_verdict() -> None:
    result = screen(answers(red_flags=["chest_pain"], conditions=["pregnancy", "pregnancy"]))
    assert result.conditions == [Condition.PREGNANCY]


# --- advice ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "persistent"),
    [
        ({"pain_duration_days": 3}, False),
        ({"pain_duration_days": 4}, True),
        ({"pain_duration_days": 4, "conditions": ["knee_pain"]}, True),
        ({"pain_duration_days": 4, "red_flags": ["fever"]}, True),
        ({"pain_duration_days": 3, "red_flags": ["fever"]}, False),
        ({"pain_duration_days": 4, "red_flags": ["chest_pain"]}, False),
    ],
)
def test_pain_lasting_more_than_a_few_days_adds_see_a_doctor_if_it_goes_on(
    changes: dict[str, Any], persistent: bool
) -> None:
    result = screen(answers(**changes))
    assert (ADVICE_PERSISTENT in result.advice) is persistent


def test_pain_lasting_more_than_a_few_days_does_not_block_on_its_own() -> None:
    result = screen(answers(pain_duration_days=20))
    assert result.verdict is OK
    check_allowed(result, cleared=False)


def test_emergency_advice_says_call_emergency_services_and_do_not_exercise() -> None:
    advice = screen(answers(red_flags=["tearing_pain"])).advice
    assert "Call emergency services now" in advice[0]
    assert "aorta" in advice[0]
    assert "Do not exercise." in advice


def test_doctor_advice_says_see_a_gp_before_exercising() -> None:
    advice = screen(answers(red_flags=["fever"])).advice
    assert "GP" in advice[0]


def test_screen_result_json_has_the_documented_keys() -> None:
    data = screen(answers(red_flags=["fever"], conditions=["knee_pain"])).to_json()
    assert data == {
        "verdict": "doctor",
        "reasons": [{"id": "fever", "message": RED_FLAG_REASONS[RedFlag.FEVER]}],
        "conditions": ["knee_pain"],
        "advice": data["advice"],
        "gentle": False,
        "pregnancy_weeks": None,
    }
    assert data["advice"][-1] == DISCLAIMER


def test_every_red_flag_and_condition_has_plain_words() -> None:
    assert set(RED_FLAG_QUESTIONS) == set(RedFlag)
    assert all(q.endswith("?") for q in RED_FLAG_QUESTIONS.values())
    assert set(RED_FLAG_REASONS) == set(RedFlag)
    assert set(CONDITION_LABELS) == set(Condition)


# --- properties over random valid answers -----------------------------------------------

valid_answers = st.builds(
    Answers,
    age=st.integers(1, 120),
    pain_now=st.integers(0, 10),
    pain_duration_days=st.integers(0, 1000),
    improving=st.booleans(),
    assessed_by_clinician=st.booleans(),
    red_flags=st.lists(st.sampled_from(RedFlag), max_size=5),
    conditions=st.lists(st.sampled_from(Condition), max_size=4),
)


@given(valid_answers, st.sampled_from(EMERGENCY_FLAGS))
def test_any_emergency_flag_makes_any_answers_an_emergency(
    given_answers: Answers, flag: RedFlag
) -> None:
    with_flag = given_answers.model_copy(update={"red_flags": [*given_answers.red_flags, flag]})
    assert screen(with_flag).verdict is EMERGENCY


@given(valid_answers)
def test_every_verdict_has_reasons_and_ends_with_the_disclaimer(given_answers: Answers) -> None:
    result = screen(given_answers)
    assert result.reasons
    assert result.advice[-1] == DISCLAIMER


@given(valid_answers, st.booleans())
def test_check_allowed_blocks_emergencies_always_and_doctor_verdicts_unless_cleared(
    given_answers: Answers, cleared: bool
) -> None:
    result = screen(given_answers)
    blocks = result.verdict is EMERGENCY or (result.verdict in (URGENT, DOCTOR) and not cleared)
    if blocks:
        with pytest.raises(ScreenBlocked) as caught:
            check_allowed(result, cleared=cleared)
        assert caught.value.verdict == result.verdict.value
        assert caught.value.reasons == [(r.id, r.message) for r in result.reasons]
    else:
        check_allowed(result, cleared=cleared)


@given(valid_answers)
def test_answers_survive_a_round_trip_through_json(given_answers: Answers) -> None:
    assert parse_answers(given_answers.model_dump(mode="json")) == given_answers


# --- parse_answers names the first bad field ---------------------------------------------


def raw(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"age": 42, "pain_now": 4, "pain_duration_days": 10}
    data.update(changes)
    return data


def test_parse_answers_reads_the_documented_example() -> None:
    parsed = parse_answers(
        raw(improving=True, red_flags=["fever"], conditions=["knee_pain"])
        | {"assessed_by_clinician": False}
    )
    assert parsed.red_flags == [RedFlag.FEVER]
    assert parsed.conditions == [Condition.KNEE_PAIN]


def test_parse_answers_fills_the_documented_defaults() -> None:
    parsed = parse_answers(raw())
    assert (parsed.improving, parsed.assessed_by_clinician) == (False, False)
    assert (parsed.red_flags, parsed.conditions) == ([], [])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            raw(red_flags=["fever", "feverr"]),
            "red_flags[1]: unknown red flag 'feverr' (did you mean fever?)",
        ),
        (raw(conditions=["knee"]), "conditions[0]: unknown condition 'knee' (did you mean"),
        (raw(conditions=["zzz"]), "conditions[0]: unknown condition 'zzz' (expected one of:"),
        ({"pain_now": 4, "pain_duration_days": 10}, "age: missing"),
        (raw(pain_now=11), "pain_now: 11 is out of range 0-10"),
        (raw(pain_now=-1), "pain_now: -1 is out of range 0-10"),
        (raw(age=0), "age: 0 is out of range 1-120"),
        (raw(age=121), "age: 121 is out of range 1-120"),
        (raw(pain_duration_days=-1), "pain_duration_days: -1 is out of range 0-43920"),
        (raw(age="forty"), "age: expected a whole number, got 'forty'"),
        (raw(age=True), "age: expected a whole number, got true"),
        (raw(age=42.5), "age: expected a whole number, got 42.5"),
        (raw(improving="yes"), "improving: expected true or false, got 'yes'"),
        (raw(red_flags="fever"), "red_flags: expected a list of red flag ids, got 'fever'"),
        (raw(red_flags=[3]), "red_flags[0]: expected a red flag id, got 3"),
        (raw(agee=42), "agee: unknown question (did you mean age?)"),
        ([1, 2], "answers: expected an object of answers, got [1, 2]"),
    ],
)
def test_parse_answers_names_the_field_and_the_bad_value(data: object, expected: str) -> None:
    with pytest.raises(AnswersError) as caught:
        parse_answers(data)
    assert str(caught.value).startswith(expected)


def test_parse_answers_reports_the_first_problem_only() -> None:
    with pytest.raises(AnswersError) as caught:
        parse_answers({"pain_now": 11, "red_flags": ["nope"]})
    assert caught.value.field == "age"


# --- new answer fields, derived limits, headlines, the 30-day rule -----------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (raw(pregnancy_weeks=12), "pregnancy_weeks: given without the pregnancy condition"),
        (raw(conditions=["pregnancy"], pregnancy_weeks=0), "pregnancy_weeks: 0 is out of range"),
        (raw(conditions=["pregnancy"], pregnancy_weeks=43), "pregnancy_weeks: 43 is out of range"),
        (raw(conditions=["pregnancy"], pregnancy_weeks=True), "pregnancy_weeks: expected a whole"),
        (raw(bp_controlled=True), "bp_controlled: given without the high_blood_pressure"),
        (raw(conditions=["high_blood_pressure"], bp_controlled="no"), "bp_controlled: expected"),
    ],
)  # fmt: skip
def test_the_condition_questions_are_checked(data: object, expected: str) -> None:
    with pytest.raises(AnswersError) as caught:
        parse_answers(data)
    assert str(caught.value).startswith(expected)


@pytest.mark.parametrize("weeks", [1, 42])
def test_pregnancy_weeks_at_the_bounds_are_kept_on_the_result(weeks: int) -> None:
    parsed = parse_answers(raw(conditions=["pregnancy"], pregnancy_weeks=weeks))
    assert screen(parsed).pregnancy_weeks == weeks


def test_pregnancy_without_weeks_says_it_plans_as_for_20_weeks() -> None:
    result = screen(answers(conditions=["pregnancy"]))
    assert result.pregnancy_weeks is None
    assert "20 weeks or more" in result.reasons[0].message


@pytest.mark.parametrize(
    ("controlled", "verdict", "ids"),
    [
        (False, DOCTOR, ["uncontrolled_bp"]),
        (None, CAUTION, ["high_blood_pressure", "bp_unchecked"]),
        (True, CAUTION, ["high_blood_pressure"]),
    ],
)
def test_blood_pressure_not_under_control_needs_a_doctor_and_unknown_says_check_it(
    controlled: bool | None, verdict: Verdict, ids: list[str]
) -> None:
    result = screen(answers(conditions=["high_blood_pressure"], bp_controlled=controlled))
    assert result.verdict is verdict
    assert reason_ids(result) == ids


@pytest.mark.parametrize(
    ("age", "flags", "fragile"),
    [(40, ["steroids"], True), (49, ["minor_trauma"], False), (50, ["minor_trauma"], True),
     (70, [], False)],
)  # fmt: skip
def test_steroids_or_a_fall_at_50_or_over_add_fragile_bones_to_the_conditions(
    age: int, flags: list[str], fragile: bool
) -> None:
    result = screen(answers(age=age, red_flags=flags, assessed_by_clinician=True))
    assert (Condition.FRAGILE_BONES in result.conditions) is fragile


def test_every_verdict_has_a_headline_in_both_faces() -> None:
    from midback.domain.safety import HEADLINES

    assert set(HEADLINES) == set(Verdict)


@pytest.mark.parametrize(
    ("age_days", "verdict"), [(None, "unscreened"), (0, None), (30, None), (31, "expired")]
)
def test_a_stored_screen_counts_for_30_days(age_days: int | None, verdict: str | None) -> None:
    from datetime import UTC, datetime, timedelta

    from midback.domain.safety import check_current
    from midback.errors import ScreenRequired

    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    taken = None if age_days is None else now - timedelta(days=age_days)
    if verdict is None:
        check_current(taken, now)
    else:
        with pytest.raises(ScreenRequired) as caught:
            check_current(taken, now)
        assert caught.value.verdict == verdict
