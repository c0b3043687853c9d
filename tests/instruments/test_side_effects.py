"""The kratom and melatonin side-effect checklist: a validated symptom report, never a score."""

from __future__ import annotations

from typing import Any

import pytest

from morrow.instruments import InstrumentError, instrument_ids, symptom_codes, validate_symptom_report

CODES = ["drowsiness", "disorientation", "stomach_upset", "nausea", "jitteriness", "constipation", "dizziness",
         "headache", "dry_mouth", "itching", "sweating", "tremor", "vivid_dreams", "severe_drowsiness", "confusion",
         "vomiting", "diarrhea"]  # fmt: skip


def test_it_lists_every_symptom_code() -> None:
    assert symptom_codes() == CODES


def test_it_is_not_a_scored_instrument() -> None:
    assert "side_effects" not in instrument_ids()


def test_it_returns_the_reported_symptoms_in_checklist_order() -> None:
    assert validate_symptom_report({"vomiting": 3, "drowsiness": 0, "nausea": 2}) == {
        "drowsiness": 0,
        "nausea": 2,
        "vomiting": 3,
    }
    assert validate_symptom_report({}) == {}


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_it_accepts_none_mild_moderate_severe(level: int) -> None:
    assert validate_symptom_report(dict.fromkeys(CODES, level)) == dict.fromkeys(CODES, level)


@pytest.mark.parametrize(
    ("answers", "code", "item"),
    [
        ({"nausea": 4}, "illegal_value", "nausea"),
        ({"nausea": -1}, "illegal_value", "nausea"),
        ({"nausea": True}, "illegal_value", "nausea"),
        ({"nausea": 1.0}, "illegal_value", "nausea"),
        ({"nausea": None}, "illegal_value", "nausea"),
        ({"slow_breathing": 3}, "unknown_symptom", "slow_breathing"),
    ],
)
def test_it_refuses_unknown_codes_and_illegal_levels(answers: dict[str, Any], code: str, item: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        validate_symptom_report(answers)
    assert (caught.value.code, caught.value.item) == (code, item)


def test_it_refuses_a_report_that_is_not_an_object() -> None:
    with pytest.raises(InstrumentError):
        validate_symptom_report(["nausea"])  # type: ignore[arg-type]
