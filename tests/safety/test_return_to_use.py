"""Return to use after abstinence or a completed taper, and kratom or opioids in pregnancy."""

from __future__ import annotations

import pytest

from tests.safety.conftest import dose, only, rule_ids, situation

LATE_EVENING = "2026-11-20T23:30:00-05:00"  # already 21 November in UTC


@pytest.mark.parametrize(("since", "fires"), [("2026-11-14", False), ("2026-11-13", True), ("2026-11-21", False)])
def test_it_counts_days_abstinent_from_the_local_date_of_the_dose(since: str, fires: bool) -> None:
    raw = situation([dose("heroin", 10, "mg", "2026-11-20T23:30:00-05:00")], now="2026-11-21T00:15:00-05:00",
                    opioid_abstinent_since=since)  # fmt: skip
    assert ("RF-RETURN-TO-USE" in rule_ids(raw)) is fires


def test_it_warns_about_lost_tolerance_and_naloxone() -> None:
    raw = situation([dose("oxycodone", 10, "mg", "2026-11-20T22:00:00-05:00")], opioid_abstinent_since="2026-11-01")
    finding = only(raw, "RF-RETURN-TO-USE")
    assert finding.severity == "warning"
    assert "naloxone" in finding.patient_message
    assert "alone" in finding.patient_message
    assert "19 days" in finding.patient_message


def test_it_does_not_treat_a_prescribed_medication_as_return_to_use() -> None:
    regimen = [{"substance": "buprenorphine", "max_dose": 16, "unit": "mg"}]
    raw = situation([dose("buprenorphine", 8, "mg", "2026-11-20T08:00:00-05:00")], regimen=regimen,
                    opioid_abstinent_since="2026-10-01")  # fmt: skip
    assert "RF-RETURN-TO-USE" not in rule_ids(raw)


def test_it_does_not_treat_kratom_leaf_as_opioid_return_to_use() -> None:
    raw = situation([dose("kratom", 2, "g", "2026-11-20T08:00:00-05:00")], opioid_abstinent_since="2026-10-01")
    assert "RF-RETURN-TO-USE" not in rule_ids(raw)


@pytest.mark.parametrize(
    ("substance", "taken_at", "completed", "fires"),
    [
        ("oxycodone", "2026-11-20T20:00:00-05:00", "2026-11-20", False),
        ("oxycodone", "2026-11-20T20:00:00-05:00", "2026-11-19", True),
        ("kratom", "2026-11-20T20:00:00-05:00", "2026-11-19", True),
        ("melatonin", "2026-11-20T20:00:00-05:00", "2026-11-19", False),
    ],
)
def test_it_flags_use_after_a_completed_taper(substance: str, taken_at: str, completed: str, fires: bool) -> None:
    unit = "g" if substance == "kratom" else "mg"
    raw = situation([dose(substance, 5, unit, taken_at)], taper_completed_on=completed)
    assert ("TAPER-RETURN-TO-USE" in rule_ids(raw)) is fires
    if fires:
        assert only(raw, "TAPER-RETURN-TO-USE").category == "taper"


@pytest.mark.parametrize(("substance", "unit", "fires"), [("kratom", "g", True), ("methadone", "mg", True),
                                                          ("sertraline", "mg", False)])  # fmt: skip
def test_it_flags_kratom_or_opioids_in_pregnancy(substance: str, unit: str, fires: bool) -> None:
    raw = situation([dose(substance, 2, unit, "2026-11-20T20:00:00-05:00")], pregnant=True)
    assert ("RF-PREGNANCY" in rule_ids(raw)) is fires
    assert "RF-PREGNANCY" not in rule_ids(situation([dose(substance, 2, unit, "2026-11-20T20:00:00-05:00")]))
