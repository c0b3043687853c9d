"""Dose, product and dependence rules at their boundaries, counting days in the patient's zone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.safety.conftest import at, dose, findings, only, rule_ids, situation

KRATOM_REGIMEN = [{"substance": "kratom", "form": "leaf_powder", "max_dose": 3, "unit": "g", "max_doses_per_day": 3}]


@pytest.mark.parametrize(("amount", "unit", "fires"), [(4.9, "g", False), (5, "g", True), (5000, "mg", True)])
def test_it_flags_a_kratom_dose_of_5_g_or_more(amount: float, unit: str, fires: bool) -> None:
    assert ("DOSE-KRATOM-HIGH" in rule_ids(situation([dose("kratom", amount, unit, at(1))]))) is fires


@pytest.mark.parametrize(("count", "fires"), [(21, False), (22, True)])
def test_it_flags_22_or_more_kratom_doses_in_the_last_168_hours(count: int, fires: bool) -> None:
    doses = [dose("kratom", 1, "g", at(i * 7.5)) for i in range(count)]
    assert ("DOSE-KRATOM-FREQUENT" in rule_ids(situation(doses))) is fires


def test_it_does_not_count_a_dose_exactly_168_hours_old() -> None:
    doses = [dose("kratom", 1, "g", at(i * 7)) for i in range(21)] + [dose("kratom", 1, "g", at(168))]
    assert "DOSE-KRATOM-FREQUENT" not in rule_ids(situation(doses))


def _weeks(earlier: list[float], later: list[float]) -> list[dict[str, Any]]:
    """Doses of the given grams, one a day, in the week before last and in the last week."""
    return [dose("kratom", g, "g", at(168 + 12 + 24 * i)) for i, g in enumerate(earlier)] + [
        dose("kratom", g, "g", at(12 + 24 * i)) for i, g in enumerate(later)
    ]


@pytest.mark.parametrize(
    ("earlier", "later", "fires"),
    [
        ([2, 2, 2], [2.98, 3, 3], False),  # 8.98 g vs 6 g: 1.497x
        ([2, 2, 2], [3, 3, 3], True),  # 9 g vs 6 g: exactly 1.5x
        ([3, 3], [5, 5], False),  # earlier week on 2 days only
        ([2, 2, 2], [], False),
        ([], [9, 9, 9], False),  # no earlier doses, no finding
    ],
)
def test_it_flags_fast_escalation(earlier: list[float], later: list[float], fires: bool) -> None:
    raw = situation(_weeks(earlier, later))
    assert ("DEP-KRATOM-ESCALATION" in rule_ids(raw)) is fires
    if fires:
        finding = only(raw, "DEP-KRATOM-ESCALATION")
        assert (finding.category, finding.severity) == ("dependence", "caution")


def test_it_flags_any_7oh_concentrate_as_a_product_warning() -> None:
    finding = only(situation([dose("kratom", 15, "mg", at(2), form="7oh_concentrate")]), "PRODUCT-7OH")
    assert (finding.severity, finding.category, finding.substances) == ("warning", "product", ("kratom",))
    assert any("FDA" in s for s in finding.sources)


@pytest.mark.parametrize(("amount", "unit", "fires"), [(3, "g", False), (3000, "mg", False), (3.5, "g", True)])
def test_it_flags_a_dose_above_the_regimen_maximum(amount: float, unit: str, fires: bool) -> None:
    raw = situation([dose("kratom", amount, unit, at(1))], regimen=KRATOM_REGIMEN)
    assert ("DOSE-ABOVE-MAX" in rule_ids(raw)) is fires


@pytest.mark.parametrize(
    ("now", "times", "fires"),
    [
        # three doses on the same local day, the fourth after local midnight: no day has four
        ("2026-11-21T01:00:00-05:00", ["2026-11-20T08:00:00-05:00", "2026-11-20T14:00:00-05:00",
                                       "2026-11-20T23:30:00-05:00", "2026-11-21T00:30:00-05:00"], False),
        # the same instants written in UTC: still counted on the patient's New York day
        ("2026-11-21T06:00:00+00:00", ["2026-11-20T13:00:00+00:00", "2026-11-20T19:00:00+00:00",
                                       "2026-11-21T04:30:00+00:00", "2026-11-21T05:30:00+00:00"], False),
        ("2026-11-21T01:00:00-05:00", ["2026-11-20T08:00:00-05:00", "2026-11-20T14:00:00-05:00",
                                       "2026-11-20T20:00:00-05:00", "2026-11-20T23:59:00-05:00"], True),
        # fall-back day (25 hours long): four doses on 1 November local time
        ("2026-11-01T23:30:00-05:00", ["2026-11-01T00:30:00-04:00", "2026-11-01T01:30:00-04:00",
                                       "2026-11-01T01:30:00-05:00", "2026-11-01T23:00:00-05:00"], True),
        # spring-forward day (23 hours long): the 4th dose is after local midnight
        ("2026-03-09T01:00:00-04:00", ["2026-03-08T00:30:00-05:00", "2026-03-08T03:30:00-04:00",
                                       "2026-03-08T23:30:00-04:00", "2026-03-09T00:10:00-04:00"], False),
    ],
)  # fmt: skip
def test_it_counts_doses_per_local_day(now: str, times: list[str], fires: bool) -> None:
    raw = situation([dose("kratom", 1, "g", t) for t in times], now=now, regimen=KRATOM_REGIMEN)
    assert ("DOSE-TOO-MANY-PER-DAY" in rule_ids(raw)) is fires


def test_it_scopes_the_per_day_finding_to_its_local_date() -> None:
    times = ["2026-11-20T08:00:00-05:00", "2026-11-20T12:00:00-05:00", "2026-11-20T16:00:00-05:00",
             "2026-11-20T20:00:00-05:00"]  # fmt: skip
    finding = only(
        situation([dose("kratom", 1, "g", t) for t in times], regimen=KRATOM_REGIMEN), "DOSE-TOO-MANY-PER-DAY"
    )
    assert finding.fingerprint == "DOSE-TOO-MANY-PER-DAY:kratom:2026-11-20"


def test_it_reports_findings_in_a_stable_order() -> None:
    doses = [dose("kratom", 6, "g", at(2)), dose("alcohol", 2, "standard_drink", at(1)),
             dose("kratom", 10, "mg", at(1), form="7oh_concentrate"), dose("melatonin", 3, "mg", at(0.5))]  # fmt: skip
    found = findings(situation(doses, regimen=KRATOM_REGIMEN))
    ranks = [("urgent", "warning", "caution", "info").index(f.severity) for f in found]
    assert ranks == sorted(ranks)
    assert found == findings(situation(list(reversed(doses)), regimen=KRATOM_REGIMEN))
    assert len({f.fingerprint for f in found}) == len(found)
