"""Red flags: symptoms and check-ins in the last 24 hours, read against what was active at the time."""

from __future__ import annotations

from typing import Any

import pytest

from tests.safety.conftest import NOW, at, dose, findings, only, rule_ids, situation


def _symptom(code: str, hours_ago: float = 0.5) -> dict[str, Any]:
    return {"code": code, "at": at(hours_ago)}


def _checkin(instrument: str, answers: dict[str, Any], hours_ago: float = 1) -> dict[str, Any]:
    return {"instrument": instrument, "answers": answers, "at": at(hours_ago)}


COWS_ZERO = dict.fromkeys(["pulse", "sweating", "restlessness", "pupil_size", "bone_joint_aches", "runny_nose_tearing",
                           "gi_upset", "tremor", "yawning", "anxiety_irritability", "gooseflesh"], 0)  # fmt: skip


def _cows(total: int) -> dict[str, Any]:
    """A legal COWS response adding up to `total` (24 or 25 here)."""
    items = COWS_ZERO | {"pulse": 4, "sweating": 4, "restlessness": 5, "pupil_size": 5, "bone_joint_aches": 4}
    return {"items": items | ({"yawning": 2} if total == 24 else {"yawning": 2, "tremor": 1})}


def _sows(total: int) -> dict[str, Any]:
    return {"items": [4] * (total // 4) + [total % 4] + [0] * (15 - total // 4)}


@pytest.mark.parametrize("code", ["slow_breathing", "unresponsive", "blue_lips", "pinpoint_pupils"])
def test_it_gives_emergency_steps_first_for_overdose_signs(code: str) -> None:
    finding = only(situation([dose("oxycodone", 10, "mg", at(1))], symptoms=[_symptom(code)]), "RF-OVERDOSE")
    assert finding.severity == "urgent"
    first_sentence = finding.patient_message.split(". ")[0]
    assert "naloxone" in first_sentence
    assert "911" in first_sentence
    assert "stay with" in finding.patient_message


@pytest.mark.parametrize(
    ("raw", "rule_id", "severity"),
    [
        (situation(symptoms=[_symptom("seizure")]), "RF-SEIZURE", "urgent"),
        (situation(symptoms=[_symptom("vomiting")]), "RF-DEHYDRATION", "caution"),
        (situation(symptoms=[_symptom("diarrhea")]), "RF-DEHYDRATION", "caution"),
        (situation(symptoms=[_symptom("suicidal_thoughts")]), "RF-SUICIDALITY", "urgent"),
        (situation([dose("kratom", 2, "g", at(24 * 59))], symptoms=[_symptom("jaundice")]), "RF-KRATOM-LIVER",
         "warning"),
        (situation([dose("kratom", 2, "g", at(24 * 3))], symptoms=[_symptom("dark_urine")]), "RF-KRATOM-LIVER",
         "warning"),
        (situation([dose("kratom", 2, "g", at(5))], symptoms=[_symptom("fainting")]), "RF-CARDIAC-QT", "warning"),
        (situation([dose("methadone", 60, "mg", at(5))], symptoms=[_symptom("palpitations")]), "RF-CARDIAC-QT",
         "warning"),
        (situation([dose("sertraline", 100, "mg", at(5)), dose("tramadol", 50, "mg", at(2))],
                   symptoms=[_symptom("hyperthermia")]), "RF-SEROTONIN-TOXICITY", "urgent"),
        (situation([dose("kratom", 3, "g", at(5)), dose("melatonin", 3, "mg", at(2))],
                   symptoms=[_symptom("confusion")]), "RF-SEDATION", "warning"),
    ],
)  # fmt: skip
def test_it_raises_a_red_flag(raw: dict[str, Any], rule_id: str, severity: str) -> None:
    finding = only(raw, rule_id)
    assert (finding.severity, finding.category) == (severity, "red_flag")
    assert finding.sources


@pytest.mark.parametrize(
    ("raw", "rule_id"),
    [
        (situation([dose("kratom", 2, "g", at(24 * 61))], symptoms=[_symptom("jaundice")]), "RF-KRATOM-LIVER"),
        (situation(symptoms=[_symptom("jaundice")]), "RF-KRATOM-LIVER"),
        (situation([dose("sertraline", 100, "mg", at(5))], symptoms=[_symptom("fainting")]), "RF-CARDIAC-QT"),
        (situation([dose("sertraline", 100, "mg", at(5))], symptoms=[_symptom("agitation")]), "RF-SEROTONIN-TOXICITY"),
        (situation([dose("kratom", 3, "g", at(5))], symptoms=[_symptom("severe_drowsiness")]), "RF-SEDATION"),
        (situation(symptoms=[_symptom("seizure", hours_ago=25)]), "RF-SEIZURE"),
        (situation(symptoms=[_symptom("seizure", hours_ago=-1)]), "RF-SEIZURE"),
    ],
)  # fmt: skip
def test_it_does_not_raise_a_red_flag_without_its_context(raw: dict[str, Any], rule_id: str) -> None:
    assert rule_id not in rule_ids(raw)


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_it_names_988_and_911_when_phq9_item9_is_positive(item9: int) -> None:
    raw = situation(checkins=[_checkin("phq9", {"items": [0, 0, 0, 0, 0, 0, 0, 0, item9]})])
    finding = only(raw, "RF-SUICIDALITY")
    assert finding.severity == "urgent"
    assert "988" in finding.patient_message
    assert "911" in finding.patient_message
    assert "Suicide & Crisis Lifeline" in finding.patient_message
    assert finding.patient_message.index("911") < finding.patient_message.index("What happened")


def test_it_raises_nothing_for_phq9_item9_zero() -> None:
    raw = situation(checkins=[_checkin("phq9", {"items": [3, 3, 3, 3, 3, 3, 3, 3, 0]})])
    assert rule_ids(raw) == set()


def test_it_asks_for_follow_up_when_phq9_item9_is_unanswered() -> None:
    raw = situation(checkins=[_checkin("phq9", {"items": [1, 1, 1, 1, 1, 1, 1, 1, None]})])
    finding = only(raw, "RF-PHQ9-ITEM9-UNANSWERED")
    assert finding.severity == "caution"
    assert "988" in finding.patient_message


@pytest.mark.parametrize(
    ("instrument", "answers", "rule_id", "fires"),
    [
        ("cows", _cows(24), "RF-COWS-SEVERE", False),
        ("cows", _cows(25), "RF-COWS-SEVERE", True),
        ("sows", _sows(20), "RF-SOWS-SEVERE", False),
        ("sows", _sows(21), "RF-SOWS-SEVERE", True),
    ],
)
def test_it_flags_severe_withdrawal_at_its_threshold(
    instrument: str, answers: dict[str, Any], rule_id: str, fires: bool
) -> None:
    assert (rule_id in rule_ids(situation(checkins=[_checkin(instrument, answers)]))) is fires


@pytest.mark.parametrize(
    ("items", "doses", "fires"),
    [
        ([2, 2, 1, 1, 1, 1, 1, 1], 2, False),  # ESS 10
        ([2, 2, 2, 1, 1, 1, 1, 1], 2, True),  # ESS 11
        ([2, 2, 2, 1, 1, 1, 1, 1], 1, False),  # one sedating agent only
    ],
)
def test_it_flags_daytime_sleepiness_with_two_sedating_agents(items: list[int], doses: int, fires: bool) -> None:
    active = [dose("kratom", 3, "g", at(5)), dose("gabapentin", 300, "mg", at(3))][:doses]
    raw = situation(active, checkins=[_checkin("ess", {"items": items})])
    assert ("RF-ESS-SEDATION" in rule_ids(raw)) is fires


def test_it_keeps_one_finding_per_rule_for_repeated_symptoms() -> None:
    raw = situation(symptoms=[_symptom("vomiting", 5), _symptom("diarrhea", 2), _symptom("vomiting", 1)])
    assert [f.rule_id for f in findings(raw)] == ["RF-DEHYDRATION"]
    assert NOW.startswith("2026-11-20")
