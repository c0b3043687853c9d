"""ESS (INSTRUMENTS.md §12): Johns' bands and the excessive-sleepiness flag (total > 10) apart from them."""

from __future__ import annotations

from typing import Any

import pytest

from morrow.instruments import InstrumentError, score
from tests.instruments.builders import uniform


@pytest.mark.parametrize(
    ("total", "band", "excessive"),
    [
        (0, "lower_normal", False),
        (5, "lower_normal", False),
        (6, "higher_normal", False),
        (10, "higher_normal", False),
        (11, "mild_excessive", True),
        (12, "mild_excessive", True),
        (13, "moderate_excessive", True),
        (15, "moderate_excessive", True),
        (16, "severe_excessive", True),
        (24, "severe_excessive", True),
    ],
)
def test_it_bands_every_boundary_and_flags_above_ten(total: int, band: str, excessive: bool) -> None:
    result = score("ess", {"items": uniform(8, range(4), total)})
    assert (result["total"], result["band"], result["excessive_daytime_sleepiness"]) == (total, band, excessive)


@pytest.mark.parametrize(
    ("items", "code"),
    [([0] * 7, "wrong_item_count"), ([0] * 9, "wrong_item_count"), ([0] * 7 + [4], "illegal_value"),
     ([0] * 7 + [None], "missing_item")],
)  # fmt: skip
def test_it_refuses_wrong_counts_illegal_values_and_missing_items(items: list[Any], code: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        score("ess", {"items": items})
    assert caught.value.code == code
