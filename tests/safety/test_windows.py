"""Time-aware interactions: active windows, the hour a window closes, long-past and future doses."""

from __future__ import annotations

import pytest

from tests.safety.conftest import at, dose, rule_ids, situation

MELATONIN_HOURS = 4 * 2.1  # four half-lives at the top of the catalog range
ONE_MINUTE = 1 / 60


@pytest.mark.parametrize(
    ("gap_hours", "fires"),
    [(0, True), (MELATONIN_HOURS - ONE_MINUTE, True), (MELATONIN_HOURS, False), (MELATONIN_HOURS + 1, False)],
)
def test_it_closes_a_window_four_half_lives_after_the_dose(gap_hours: float, fires: bool) -> None:
    raw = situation([dose("melatonin", 3, "mg", at(gap_hours)), dose("zolpidem", 5, "mg", at(0))])
    assert ("INT-MELATONIN-ZDRUG" in rule_ids(raw)) is fires


@pytest.mark.parametrize(
    ("drinks", "gap_hours", "fires"), [(2, 3.99, True), (2, 4, False), (3, 4.5, True), (3, 5, False)]
)
def test_it_keeps_alcohol_active_one_hour_per_drink_plus_two(drinks: float, gap_hours: float, fires: bool) -> None:
    raw = situation([dose("alcohol", drinks, "standard_drink", at(gap_hours)), dose("kratom", 2, "g", at(0))])
    assert ("INT-KRATOM-ALCOHOL" in rule_ids(raw)) is fires


def test_it_ignores_a_long_past_dose() -> None:
    raw = situation([dose("kratom", 3, "g", at(24 * 20)), dose("alcohol", 2, "standard_drink", at(1))])
    assert rule_ids(raw) == set()


def test_it_ignores_doses_after_now() -> None:
    raw = situation([dose("kratom", 3, "g", at(1)), dose("alcohol", 2, "standard_drink", at(-1))])
    assert rule_ids(raw) == set()


@pytest.mark.parametrize(("hours_ago", "fires"), [(24 + 8.4 - 0.01, True), (24 + 8.4, False), (72, False)])
def test_it_reports_only_overlaps_that_reach_into_the_last_24_hours(hours_ago: float, fires: bool) -> None:
    raw = situation([dose("melatonin", 3, "mg", at(hours_ago)), dose("zolpidem", 5, "mg", at(hours_ago))])
    assert ("INT-MELATONIN-ZDRUG" in rule_ids(raw)) is fires


def test_it_treats_daily_kratom_as_continuously_active() -> None:
    daily = [dose("kratom", 2, "g", at(24 * day + 10)) for day in range(1, 30)]
    raw = situation([*daily, dose("alprazolam", 0.5, "mg", at(0))])
    assert "INT-KRATOM-BENZODIAZEPINE" in rule_ids(raw)


@pytest.mark.parametrize(("hours_ago", "fires"), [(4 * 68 - 1, True), (4 * 68, False)])
def test_it_keeps_kratom_active_for_eleven_days_after_the_last_dose(hours_ago: float, fires: bool) -> None:
    raw = situation([dose("kratom", 2, "g", at(hours_ago)), dose("alcohol", 1, "standard_drink", at(0))])
    assert ("INT-KRATOM-ALCOHOL" in rule_ids(raw)) is fires
