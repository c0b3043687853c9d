"""`parse_situation` refuses a malformed situation whole, naming the field at fault."""

from __future__ import annotations

from typing import Any

import pytest

from morrow.domain.errors import ValidationError
from morrow.safety import SituationError, parse_situation
from tests.safety.conftest import NOW, at, dose, situation


def _refusal(raw: Any) -> SituationError:
    with pytest.raises(SituationError) as caught:
        parse_situation(raw)
    return caught.value


def _without_now() -> dict[str, Any]:
    raw = situation()
    del raw["now"]
    return raw


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        (_without_now(), "missing_field", "now"),
        (situation(now="yesterday"), "invalid_time", "now"),
        (situation(now="2026-11-20T23:00:00"), "naive_time", "now"),
        (situation(timezone="Mars/Olympus"), "invalid_timezone", "patient.timezone"),
        (situation(pregnant="yes"), "invalid_type", "patient.pregnant"),
        (situation(opioid_abstinent_since="2026-13-01"), "invalid_date", "patient.opioid_abstinent_since"),
        (situation(taper_completed_on="2026-11-20T00:00:00Z"), "invalid_date", "patient.taper_completed_on"),
        (situation(typo=True), "unknown_field", "patient.typo"),
        (situation() | {"symptom": []}, "unknown_field", "symptom"),
        (situation([dose("xanax", 1, "mg", at(1))]), "unknown_substance", "doses[0].substance"),
        (situation([dose("kratom", -3, "g", at(1))]), "invalid_amount", "doses[0].amount"),
        (situation([dose("kratom", 0, "g", at(1))]), "invalid_amount", "doses[0].amount"),
        (situation([dose("kratom", True, "g", at(1))]), "invalid_amount", "doses[0].amount"),
        (situation([dose("kratom", 3, "g", at(1)) | {"amount": "3"}]), "invalid_amount", "doses[0].amount"),
        (situation([dose("kratom", 3, "g", "2026-11-20T20:00:00")]), "naive_time", "doses[0].taken_at"),
        (situation([dose("kratom", 3, "g", "soon")]), "invalid_time", "doses[0].taken_at"),
        (situation([dose("kratom", 3, "g", at(1), form="tea_bag")]), "unknown_form", "doses[0].form"),
        (situation([dose("melatonin", 3, "mg", at(1), release="slow")]), "unknown_form", "doses[0].release"),
        (situation([dose("clonazepam", 1, "mg", at(1), form="tablet")]), "unknown_form", "doses[0].form"),
        (situation([dose("kratom", 3, "standard_drink", at(1))]), "unit_not_convertible", "doses[0].unit"),
        (situation([dose("alcohol", 2, "g", at(1))]), "unit_not_convertible", "doses[0].unit"),
        (situation([dose("kratom", 3, "kg", at(1))]), "unit_not_convertible", "doses[0].unit"),
        (situation([dose("kratom", 3, "g", at(1), strain="red")]), "unknown_field", "doses[0].strain"),
        (situation(symptoms=[{"code": "hiccups", "at": at(1)}]), "unknown_symptom", "symptoms[0].code"),
        (situation(symptoms=[{"code": "seizure", "at": "now"}]), "invalid_time", "symptoms[0].at"),
        (
            situation(checkins=[{"instrument": "phq9", "answers": {"items": [0, 0, 0, 0, 4, 0, 0, 0, 0]}, "at": NOW}]),
            "illegal_value",
            "checkins[0].answers.appetite",
        ),
        (situation(checkins=[{"instrument": "kds", "answers": {}, "at": NOW}]), "unknown_instrument",
         "checkins[0].instrument"),
        (situation(regimen=[{"substance": "kratom", "max_dose": 3, "unit": "standard_drink"}]), "unit_not_convertible",
         "regimen[0].unit"),
        (situation(regimen=[{"substance": "kratom", "max_doses_per_day": 0}]), "invalid_amount",
         "regimen[0].max_doses_per_day"),
        (situation() | {"doses": {}}, "invalid_type", "doses"),
        (situation() | {"doses": [3]}, "invalid_type", "doses[0]"),
    ],
)  # fmt: skip
def test_it_refuses_a_malformed_situation_naming_the_field(raw: Any, code: str, field: str) -> None:
    error = _refusal(raw)
    assert (error.code, error.field) == (code, field), error.message
    assert isinstance(error, ValidationError)
    assert error.message


def test_it_defaults_a_missing_form_to_the_substance_default() -> None:
    parsed = parse_situation(situation([dose("kratom", 3, "g", at(1)), dose("melatonin", 1, "mg", at(1))]))
    assert [d.form for d in parsed.doses] == ["leaf_powder", "immediate"]


def test_it_reads_a_melatonin_release_as_its_form() -> None:
    parsed = parse_situation(situation([dose("melatonin", 2, "mg", at(1), release="prolonged")]))
    assert parsed.doses[0].form == "prolonged"


def test_it_converts_amounts_to_the_form_unit() -> None:
    parsed = parse_situation(situation([dose("kratom", 2500, "mg", at(2)), dose("kratom", 0.02, "g", at(1),
                                                                              form="7oh_concentrate")]))  # fmt: skip
    assert [(d.amount, d.unit, d.agent) for d in parsed.doses] == [(2.5, "g", "kratom"), (20.0, "mg", "kratom@7oh")]


def test_it_reads_fentanyl_in_micrograms() -> None:
    parsed = parse_situation(situation([dose("fentanyl", 0.1, "mg", at(1))]))
    assert (parsed.doses[0].amount, parsed.doses[0].unit) == (100.0, "mcg")
