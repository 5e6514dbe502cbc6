from __future__ import annotations

import pytest
from pydantic import ValidationError

from midback.domain.dose import Dose, Range
from midback.domain.prescription import GET_READY_S, SWITCH_S, TRANSITION_S, Prescription
from midback.domain.vocab import Kind, Level


@pytest.mark.parametrize(
    ("raw", "low", "high"),
    [(30, 30, 30), ("20-30", 20, 30), ("20 - 30", 20, 30), ("2.5", 2.5, 2.5), ([8, 12], 8, 12)],
)
def test_a_quantity_reads_numbers_and_ranges(raw: object, low: float, high: float) -> None:
    dose = Dose.model_validate({"hold_s": raw, "source": "default"})
    assert dose.hold_s == Range(min=low, max=high)


@pytest.mark.parametrize("raw", ["thirty", "30-20", -5, True, {"min": 3}])
def test_a_bad_quantity_is_refused(raw: object) -> None:
    with pytest.raises(ValidationError):
        Dose.model_validate({"hold_s": raw, "source": "default"})


def test_a_dose_needs_some_work() -> None:
    with pytest.raises(ValidationError, match="reps, hold_s or breaths"):
        Dose.model_validate({"sets": 2, "source": "default"})


def test_ranges_serialise_as_number_or_min_max() -> None:
    dose = Dose.model_validate({"sets": 3, "hold_s": "20-30", "source": "top-ten"})
    data = dose.model_dump(mode="json")
    assert data["sets"] == 3
    assert data["hold_s"] == {"min": 20, "max": 30}


@pytest.mark.parametrize(
    ("level", "expected"),
    [(Level.BEGINNER, 20), (Level.INTERMEDIATE, 25), (Level.ADVANCED, 30)],
)
def test_a_level_picks_a_point_in_the_range(level: Level, expected: int) -> None:
    assert Range(min=20, max=30).at(level) == expected


def test_prescription_seconds_count_sides_switches_and_rests() -> None:
    dose = Dose.model_validate(
        {"sets": 3, "hold_s": 15, "per_side": True, "rest_s": 10, "source": "three-for-relief"}
    )
    p = Prescription.from_dose(dose, Kind.STRETCH, Level.BEGINNER)
    assert p.set_s == 15 + SWITCH_S + 15
    assert p.seconds == TRANSITION_S + 3 * p.set_s + 2 * 10
    assert GET_READY_S > 0


def test_reps_with_a_hold_take_tempo_plus_hold_each() -> None:
    dose = Dose.model_validate({"reps": 5, "hold_s": 10, "tempo_s": 2, "source": "top-ten"})
    p = Prescription.from_dose(dose, Kind.STRENGTH, Level.BEGINNER)
    assert p.work_s == 5 * 12


def test_a_single_set_has_no_rest_by_default() -> None:
    dose = Dose.model_validate({"reps": 10, "source": "default"})
    assert Prescription.from_dose(dose, Kind.STRENGTH, Level.BEGINNER).rest_s == 0
