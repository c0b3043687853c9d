"""PHQ-9 (INSTRUMENTS.md §6): bands, the item 9 flag apart from the band, and NHS proration."""

from __future__ import annotations

from typing import Any

import pytest

from morrow.instruments import InstrumentError, score
from tests.instruments.builders import uniform


def phq9(items: list[Any], **extra: Any) -> dict[str, Any]:
    return score("phq9", {"items": items, **extra})


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
     (15, "moderately_severe"), (19, "moderately_severe"), (20, "severe"), (27, "severe")],
)  # fmt: skip
def test_it_bands_every_boundary_on_both_sides(total: int, band: str) -> None:
    result = phq9(uniform(9, range(4), total))
    assert (result["total"], result["band"], result["prorated"]) == (total, band, False)


@pytest.mark.parametrize(("item9", "flag"), [(0, False), (1, True), (2, True), (3, True)])
def test_it_flags_item_9_whenever_it_is_above_not_at_all(item9: int, flag: bool) -> None:
    assert phq9([0] * 8 + [item9])["item9_positive"] is flag


def test_it_keeps_the_item_9_flag_apart_from_a_minimal_band() -> None:
    result = phq9([0] * 8 + [1])
    assert (result["total"], result["band"], result["item9_positive"]) == (1, "minimal", True)


def test_it_reports_an_unknown_flag_when_item_9_is_unanswered() -> None:
    result = phq9([1, 1, 1, 1, 1, 1, 1, 1, None])
    assert result["item9_positive"] is None
    assert (result["total"], result["total_prorated"], result["prorated"]) == (9, 9.0, True)


@pytest.mark.parametrize(
    ("items", "total_prorated", "total", "band"),
    [
        ([1, 1, None, 1, 1, 1, 1, 1, 0], 7.88, 8, "mild"),  # 7 x 9 / 8 = 7.875
        ([1, 1, 1, 1, 1, 1, 1, None, None], 9.0, 9, "mild"),  # 7 x 9 / 7
        ([3, 3, 3, 3, 3, 3, 3, None, None], 27.0, 27, "severe"),
        ([0, 0, 0, 0, 0, 0, 0, None, None], 0.0, 0, "minimal"),
        ([2, 2, 2, 2, 2, 2, 2, 2, None], 18.0, 18, "moderately_severe"),
    ],
)
def test_it_prorates_one_or_two_missing_items(items: list[Any], total_prorated: float, total: int, band: str) -> None:
    result = phq9(items)
    assert result["total_prorated"] == pytest.approx(total_prorated, abs=0.01)
    assert (result["total"], result["band"], result["prorated"]) == (total, band, True)


def test_it_rounds_a_prorated_half_up_by_convention() -> None:
    # 4 x 9 / 8 = 4.5: half-up gives 5 (mild); Python's round() would give 4 (minimal).
    result = phq9([1, 1, 1, 1, None, 0, 0, 0, 0])
    assert (result["total_prorated"], result["total"], result["band"]) == (4.5, 5, "mild")


def test_it_leaves_total_prorated_out_when_nothing_is_missing() -> None:
    assert "total_prorated" not in phq9([1] * 9)


def test_it_disregards_the_questionnaire_with_more_than_two_missing_items() -> None:
    with pytest.raises(InstrumentError) as caught:
        phq9([1, 1, 1, 1, 1, 1, None, None, None])
    assert caught.value.code == "too_many_missing"


def test_it_records_difficulty_without_scoring_it() -> None:
    result = phq9([1] * 9, difficulty=3)
    assert (result["total"], result["difficulty"]) == (9, 3)
    assert "difficulty" not in phq9([1] * 9, difficulty=None)


@pytest.mark.parametrize("difficulty", [4, -1, True, 1.0, "2"])
def test_it_refuses_an_illegal_difficulty(difficulty: object) -> None:
    with pytest.raises(InstrumentError) as caught:
        phq9([1] * 9, difficulty=difficulty)
    assert caught.value.item == "difficulty"


def test_it_reports_the_phq2_subscale() -> None:
    assert phq9([2, 2] + [0] * 7)["subscales"] == {"phq2": 4}
    assert phq9([None, 2] + [0] * 7)["subscales"] == {"phq2": None}


@pytest.mark.parametrize(
    ("items", "code", "item"),
    [
        ([0] * 8, "wrong_item_count", None),
        ([0] * 10, "wrong_item_count", None),
        ([0, 0, 0, 0, 4, 0, 0, 0, 0], "illegal_value", "appetite"),
        ([-1] + [0] * 8, "illegal_value", "anhedonia"),
        (["1"] + [0] * 8, "illegal_value", "anhedonia"),
        ([1.5] + [0] * 8, "illegal_value", "anhedonia"),
        ([0] * 8 + [True], "illegal_value", "self_harm"),
    ],
)
def test_it_refuses_wrong_counts_and_illegal_values(items: list[Any], code: str, item: str | None) -> None:
    with pytest.raises(InstrumentError) as caught:
        phq9(items)
    assert (caught.value.code, caught.value.item) == (code, item)
