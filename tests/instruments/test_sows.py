"""SOWS (INSTRUMENTS.md §2): 16 items 0-4, CTN-0051 bands, every total >= 21 severe, no missing items."""

from __future__ import annotations

from typing import Any

import pytest

from morrow.instruments import InstrumentError, score
from tests.instruments.builders import uniform

VALUES = (0, 1, 2, 3, 4)


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "none"), (1, "mild"), (10, "mild"), (11, "moderate"), (20, "moderate"), (21, "severe"), (30, "severe"),
     (31, "severe"), (64, "severe")],
)  # fmt: skip
def test_it_bands_every_boundary_on_both_sides(total: int, band: str) -> None:
    result = score("sows", {"items": uniform(16, VALUES, total)})
    assert (result["total"], result["band"]) == (total, band)


def test_it_scores_all_minimum_and_all_maximum() -> None:
    assert score("sows", {"items": [0] * 16})["band"] == "none"
    assert score("sows", {"items": [4] * 16})["total"] == 64


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([1] * 15, "wrong_item_count"),
        ([1] * 17, "wrong_item_count"),
        ([1] * 15 + [5], "illegal_value"),
        ([-1] + [1] * 15, "illegal_value"),
        ([1] * 15 + [None], "missing_item"),
        ([1] * 15 + [True], "illegal_value"),
        ([1] * 15 + [2.0], "illegal_value"),
    ],
)
def test_it_refuses_wrong_counts_illegal_values_and_missing_items(items: list[Any], code: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        score("sows", {"items": items})
    assert caught.value.code == code


def test_it_names_the_sixteenth_item_when_it_is_illegal() -> None:
    with pytest.raises(InstrumentError) as caught:
        score("sows", {"items": [0] * 15 + [5]})
    assert caught.value.item == "feel_like_using"
    assert "(number 16)" in caught.value.message
