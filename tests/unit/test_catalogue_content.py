"""The catalogue's content after a physiotherapist's read: cues, program blurbs, guide pages,
and doses that say which of their numbers are midback's own."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from midback.domain.assemble import plan_program
from midback.domain.catalogue import Catalogue, Exercise
from midback.domain.dose import Dose
from midback.domain.plans import PlanRequest
from midback.domain.vocab import Equipment, Level, Place, Position


def _texts(exercise: Exercise) -> list[str]:
    """Every sentence an exercise shows or speaks, its variants' included."""
    texts = [exercise.summary, *exercise.steps, *exercise.cues, *exercise.mistakes]
    texts += [c.text for c in exercise.cautions]
    texts += [exercise.dose.breath_pattern or "", exercise.dose.note or "", exercise.picture or ""]
    for variant in exercise.variants:
        texts += [variant.why, *variant.steps]
    return texts


def _doses(cat: Catalogue) -> list[tuple[str, Dose]]:
    found = [(f"exercises/{e.id}", e.dose) for e in cat.exercises.values()]
    for program in cat.programs.values():
        for i, entry in enumerate(program.entries):
            if entry.dose is not None:
                found.append((f"programs/{program.id}[{i}] {entry.exercise_id}", entry.dose))
    return found


# -- cues --------------------------------------------------------------------------------------


def test_the_core_breath_never_offers_a_domed_or_braced_belly(cat: Catalogue) -> None:
    texts = _texts(cat.exercise("core-breath"))
    texts += [
        e.dose.breath_pattern or ""
        for e in cat.program("core-foundation").entries
        if e.exercise_id == "core-breath" and e.dose is not None
    ]
    for text in texts:
        assert not re.search(r"\bdome|\bdomed|firm and rounded", text, re.I), text
    assert any("draw gently in" in c for c in cat.exercise("core-breath").cues)


def test_the_crunch_is_slow_and_keeps_the_lower_back_down(cat: Catalogue) -> None:
    crunch = cat.exercise("crunch")
    texts = _texts(crunch)
    assert not any(re.search(r"\b(brisk|fast|quick)\b", t, re.I) for t in texts)
    assert not any("back arch" in t for t in texts)
    assert any("sit-up" in m and "hip flexors" in m for m in crunch.mistakes)
    assert "slow, controlled" in crunch.summary


def test_the_band_assisted_pull_up_is_the_beginner_form(cat: Catalogue) -> None:
    pull_up = cat.exercise("pull-up")
    band = pull_up.variant("band-assisted")
    assert set(band.equipment) == {Equipment.PULL_UP_BAR, Equipment.RESISTANCE_BAND}
    assert "beginner" in band.why.lower()
    assert "band-assisted" in pull_up.steps[0] and "cable row" in pull_up.steps[0]
    assert any("band" in cue for cue in pull_up.cues)


def test_the_doorway_stretch_starts_at_shoulder_height_and_is_honest_about_sides(
    cat: Catalogue,
) -> None:
    doorway = cat.exercise("doorway-stretch")
    assert "shoulder height" in doorway.steps[0]
    assert not any("above the head" in s or "overhead" in s for s in doorway.steps)
    assert "both sides of the chest" in doorway.summary
    assert doorway.dose.note is not None and "each foot" in doorway.dose.note.lower()


def test_cobra_and_sphinx_give_the_same_buttock_cue(cat: Catalogue) -> None:
    cue = "Keep the buttocks relaxed, not clenched."
    for exercise_id in ("cobra", "sphinx"):
        exercise = cat.exercise(exercise_id)
        assert cue in exercise.cues, exercise_id
        assert not any(re.search(r"firm the buttocks|squeeze the buttocks", t, re.I)
                       for t in _texts(exercise)), exercise_id  # fmt: skip


# -- programs ----------------------------------------------------------------------------------


def test_the_gym_session_is_for_people_who_train_and_are_free_of_pain(cat: Catalogue) -> None:
    text = cat.program("mid-back-gym").description
    assert "already train" in text and "free of pain" in text
    assert "not a routine for relieving pain" in text


def test_the_strength_program_rows_on_all_fours_so_it_works_at_home(cat: Catalogue) -> None:
    entry = next(
        e for e in cat.program("mid-back-pain-strength").entries
        if e.exercise_id == "one-arm-dumbbell-row"
    )  # fmt: skip
    assert entry.variant == "all-fours"
    variant = cat.exercise("one-arm-dumbbell-row").variant("all-fours")
    assert variant.positions == [Position.ALL_FOURS]
    assert variant.places is not None and Place.HOME in variant.places
    assert Equipment.BENCH not in variant.equipment


_STATED = re.compile(r"about (\d+)(?: to (\d+))? minutes")


@pytest.mark.parametrize(
    "program_id",
    [
        "core-foundation", "four-directions", "mid-back-gym", "mid-back-pain-strength",
        "quick-stretches", "three-for-relief", "top-mobility", "upper-back-loosen",
    ],
)  # fmt: skip
def test_a_program_blurb_states_the_length_the_timeline_gives(
    cat: Catalogue, program_id: str
) -> None:
    program = cat.program(program_id)
    stated = _STATED.search(program.description)
    assert stated, f"{program_id}: no 'about N minutes' in the blurb"
    low = int(stated[1])
    high = int(stated[2] or stated[1])

    def minutes(level: Level) -> float:
        request = PlanRequest(
            minutes=240, place=Place.GYM, level=level, equipment=frozenset(Equipment)
        )
        return plan_program(cat, program, request).total_seconds / 60

    assert abs(minutes(Level.BEGINNER) - low) <= 1, program_id
    assert abs(minutes(Level.ADVANCED) - high) <= 1, program_id


# -- doses: which numbers are midback's own --------------------------------------------------


def test_a_dose_names_its_default_fields_and_only_real_ones() -> None:
    dose = Dose.model_validate(
        {"reps": 10, "tempo_s": 6, "source": "three-for-relief", "defaults": ["tempo_s"]}
    )
    assert dose.is_default("tempo_s") and not dose.is_default("reps")
    with pytest.raises(ValidationError, match="not a dose field"):
        Dose.model_validate({"reps": 10, "source": "top-ten", "defaults": ["tempo"]})
    with pytest.raises(ValidationError, match="not a dose field"):
        Dose.model_validate({"reps": 10, "source": "top-ten", "defaults": ["source"]})


def test_a_dose_without_defaults_reads_as_before_and_a_default_source_is_all_defaults() -> None:
    old = Dose.model_validate_json('{"hold_s": 30, "source": "three-for-relief"}')
    assert old.defaults == []
    assert old.model_dump(mode="json")["defaults"] == []
    assert Dose.model_validate({"reps": 8, "source": "default"}).is_default("reps")


def test_no_article_dose_leaves_a_tempo_or_rest_for_the_timeline_to_invent(
    cat: Catalogue,
) -> None:
    """Where a dose names an article, every number the timeline uses is written in the dose."""
    for where, dose in _doses(cat):
        if dose.source == "default":
            continue
        if dose.reps is not None:
            assert dose.tempo_s is not None, f"{where}: tempo_s"
        if dose.sets is not None and dose.sets.max > 1:
            assert dose.rest_s is not None, f"{where}: rest_s"


@pytest.mark.parametrize(
    ("exercise_id", "fields"),
    [
        ("sphinx", {"sets", "rest_s"}),
        ("prone-chest-lift", {"sets", "rest_s"}),
        ("cobra", {"rest_s", "breath_pattern"}),
        ("side-reach", {"rest_s", "breath_pattern"}),
        ("cat-cow", {"tempo_s"}),
        ("crunch", {"tempo_s", "breath_pattern"}),
        ("seated-rotation", {"rest_s", "breath_pattern"}),
        ("bridge", {"rest_s", "tempo_s", "breath_pattern"}),
        ("core-breath", set()),
    ],
)
def test_numbers_the_article_does_not_give_are_marked_as_midbacks(
    cat: Catalogue, exercise_id: str, fields: set[str]
) -> None:
    assert set(cat.exercise(exercise_id).dose.defaults) == fields


def test_a_note_mentioning_midbacks_own_values_comes_with_defaults(cat: Catalogue) -> None:
    for where, dose in _doses(cat):
        if dose.source != "default" and dose.note and "midback" in dose.note:
            assert dose.defaults, where


# -- guide pages -------------------------------------------------------------------------------


def test_causes_names_pain_referred_from_other_organs(cat: Catalogue) -> None:
    body = cat.guide("causes").body
    for word in (
        "heart", "arm", "jaw", "aorta", "tearing", "lungs", "gallbladder", "pancreas",
        "stomach", "kidney", "eating", "Shingles", "72 hours",
    ):  # fmt: skip
        assert word in body, word


def test_when_to_see_a_doctor_says_where_to_go_for_every_sign(cat: Catalogue) -> None:
    body = cat.guide("when-to-see-a-doctor").body
    sections = re.split(r"^## ", body, flags=re.M)
    emergency = next(s for s in sections if s.startswith("Emergency"))
    urgent = next(s for s in sections if s.startswith("Urgent"))
    doctor = next(s for s in sections if s.startswith("See a doctor"))
    for phrase in (
        "chest pain", "tearing pain", "breathlessness", "both legs", "genitals", "bladder",
        "serious accident", "unsteady", "clumsy", "band of numbness", "arm, the jaw or the neck",
        "cold sweat",
    ):  # fmt: skip
        assert phrase in emergency, phrase
    for phrase in (
        "had cancer", "24 hours", "NICE NG234", "effort", "72 hours", "bleeding", "calf",
        "ACOG Committee Opinion 804", "inject drugs", "65 or over",
    ):  # fmt: skip
        assert phrase in urgent, phrase
    for phrase in (
        "suddenly and severely", "hump", "eating", "generally unwell", "fever", "losing weight",
        "night", "steroid", "immune system", "inject drugs", "50 or over", "8 out of 10",
        "before you were 20", "60 or over", "NICE NG12", "more than 4 weeks", "blood pressure",
        "spine surgery",
    ):  # fmt: skip
        assert phrase in doctor, phrase
    assert "6 or 7 out of 10" in body and "before every session" in body
    for guideline in ("NICE NG59", "Finucane", "NICE NG234", "NICE NG12", "ACOG", "ACSM"):
        assert guideline in body, guideline


def test_the_pain_monitoring_model_is_placed_in_achilles_rehabilitation(cat: Catalogue) -> None:
    body = cat.guide("pain-and-progress").body
    assert "Silbernagel" in body and "Achilles" in body and "widely used" in body
