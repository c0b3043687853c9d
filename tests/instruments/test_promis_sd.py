"""PROMIS Sleep Disturbance 8a (§11): raw 8-40 to T-score by the published table, bands, proration."""

from __future__ import annotations

from typing import Any

import pytest

from morrow.instruments import InstrumentError, score
from tests.instruments.builders import uniform

# INSTRUMENTS.md §11, copied by hand so the data file is checked against the spec.
T_SCORES = dict(
    zip(
        range(8, 41),
        [28.9, 33.1, 35.9, 38.0, 39.8, 41.4, 42.9, 44.2, 45.5, 46.7, 47.9, 49.0, 50.1, 51.2, 52.2, 53.3, 54.3,
         55.3, 56.3, 57.3, 58.3, 59.4, 60.4, 61.5, 62.6, 63.7, 64.9, 66.1, 67.5, 69.0, 70.8, 73.0, 76.5],
        strict=True,
    )
)  # fmt: skip


@pytest.mark.parametrize(("raw", "t_score"), sorted(T_SCORES.items()))
def test_it_converts_every_raw_score_by_the_table(raw: int, t_score: float) -> None:
    result = score("promis-sd-8a", {"items": uniform(8, range(1, 6), raw)})
    assert (result["raw"], result["t_score"], result["prorated"]) == (raw, t_score, False)


@pytest.mark.parametrize(
    ("raw", "band"),
    [(8, "within_normal_limits"), (24, "within_normal_limits"), (25, "mild"), (29, "mild"), (30, "moderate"),
     (37, "moderate"), (38, "severe"), (40, "severe")],
)  # fmt: skip
def test_it_bands_the_t_score_on_both_sides_of_each_boundary(raw: int, band: str) -> None:
    assert score("promis-sd-8a", {"items": uniform(8, range(1, 6), raw)})["band"] == band


def test_it_never_reverses_items_that_arrive_already_keyed() -> None:
    assert score("promis-sd-8a", {"items": [5, 1, 1, 1, 1, 1, 1, 1]})["raw"] == 12


@pytest.mark.parametrize(
    ("items", "raw"),
    [
        ([3, 3, 3, 3, None, None, None, None], 24),  # 12 x 8 / 4
        ([2, 3, 2, 3, 2, 3, None, None], 20),  # 15 x 8 / 6
        ([2, 2, 2, 2, 2, 2, 2, None], 16),  # 14 x 8 / 7
        ([5, 5, 5, 5, None, None, None, None], 40),
    ],
)
def test_it_prorates_when_at_least_half_the_items_are_answered(items: list[Any], raw: int) -> None:
    result = score("promis-sd-8a", {"items": items})
    assert (result["raw"], result["t_score"], result["prorated"]) == (raw, T_SCORES[raw], True)


def test_it_rounds_a_fractional_prorated_raw_score_up_by_convention() -> None:
    result = score("promis-sd-8a", {"items": [2, 2, 2, 2, 2, 3, None, None]})  # 13 x 8 / 6 = 17.33
    assert (result["raw_prorated"], result["raw"]) == (17.33, 18)


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([3, 3, 3, None, None, None, None, None], "too_many_missing"),
        ([0] + [3] * 7, "illegal_value"),
        ([6] + [3] * 7, "illegal_value"),
        ([3] * 7, "wrong_item_count"),
    ],
)
def test_it_refuses_too_few_answers_and_illegal_values(items: list[Any], code: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        score("promis-sd-8a", {"items": items})
    assert caught.value.code == code
