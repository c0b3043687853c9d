"""Whole situations: what a clinician should see, and the safe ones that must raise nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from morrow.safety import evaluate, parse_situation
from tests.safety.conftest import NOW, at, dose, findings, rule_ids, situation


def test_it_raises_nothing_for_sertraline_alone() -> None:
    assert findings(situation([dose("sertraline", 50, "mg", at(15))])) == []


def test_it_rates_melatonin_with_buprenorphine_at_most_info() -> None:
    found = findings(situation([dose("buprenorphine", 8, "mg", at(15)), dose("melatonin", 3, "mg", at(1))]))
    assert all(f.severity == "info" for f in found)


def test_it_raises_nothing_for_long_past_doses() -> None:
    old = [dose("kratom", 3, "g", at(24 * 40)), dose("alprazolam", 1, "mg", at(24 * 40)),
           dose("alcohol", 4, "standard_drink", at(24 * 40))]  # fmt: skip
    assert findings(situation(old)) == []


def test_it_describes_a_typical_evening_of_kratom_melatonin_and_alcohol() -> None:
    raw = situation(
        [dose("kratom", 4, "g", at(3), form="leaf_powder"), dose("melatonin", 3, "mg", at(1)),
         dose("alcohol", 2, "standard_drink", at(2))],
        regimen=[{"substance": "kratom", "form": "leaf_powder", "max_dose": 3, "unit": "g", "max_doses_per_day": 3}],
        checkins=[{"instrument": "phq9", "answers": {"items": [0, 0, 0, 0, 0, 0, 0, 0, 1]}, "at": at(0.5)}],
        symptoms=[{"code": "severe_drowsiness", "at": at(0.2)}],
    )  # fmt: skip
    assert rule_ids(raw) == {"INT-KRATOM-ALCOHOL", "INT-MELATONIN-ALCOHOL", "INT-KRATOM-MELATONIN",
                             "INT-SEDATIVE-LOAD", "RF-SUICIDALITY", "RF-SEDATION", "DOSE-ABOVE-MAX"}  # fmt: skip
    first = findings(raw)[0]
    assert first.severity == "urgent"


def test_it_keeps_the_fingerprint_of_an_ongoing_condition_stable() -> None:
    doses = [dose("kratom", 3, "g", at(5)), dose("alcohol", 2, "standard_drink", at(1))]
    early = {f.fingerprint for f in findings(situation(doses))}
    parsed = parse_situation(situation(doses))
    later = {f.fingerprint for f in evaluate(parsed, datetime.fromisoformat(NOW) + timedelta(minutes=30))}
    assert early == later == {"INT-KRATOM-ALCOHOL:alcohol,kratom"}


SUBSTANCES = ["kratom", "melatonin", "alcohol", "alprazolam", "sertraline", "methadone", "gabapentin", "oxycodone"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(SUBSTANCES), st.floats(min_value=0.1, max_value=8), st.integers(0, 24 * 14)),
        max_size=12,
    ),
    st.randoms(use_true_random=False),
)
def test_it_is_deterministic_whatever_the_input_order(doses: list[tuple[str, float, int]], rng: object) -> None:
    built = [dose(s, round(a, 2), "standard_drink" if s == "alcohol" else "g" if s == "kratom" else "mg", at(h))
             for s, a, h in doses]  # fmt: skip
    shuffled = list(built)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    once = [f.to_json() for f in findings(situation(built))]
    assert once == [f.to_json() for f in findings(situation(shuffled))]
    severities = [("urgent", "warning", "caution", "info").index(f["severity"]) for f in once]
    assert severities == sorted(severities)
    assert all(f["sources"] for f in once if f["severity"] != "info")
