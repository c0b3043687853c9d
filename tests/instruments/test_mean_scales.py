"""PEG (§5) and the Opioid Craving Scale (§9): means of 3 items 0-10, half-up to 2 decimals, no bands."""

from __future__ import annotations

from typing import Any

import pytest

from morrow.instruments import InstrumentError, score

MEAN_SCALES = ["peg", "ocs"]


@pytest.mark.parametrize("instrument", MEAN_SCALES)
@pytest.mark.parametrize(
    ("items", "mean"),
    [
        ([0, 0, 0], 0.0),
        ([10, 10, 10], 10.0),
        ([6, 5, 7], 6.0),
        ([1, 0, 0], 0.33),
        ([2, 0, 0], 0.67),
        ([5, 5, 6], 5.33),
        ([10, 10, 9], 9.67),
        ([7, 8, 9], 8.0),
    ],
)
def test_it_scores_the_mean_rounded_half_up(instrument: str, items: list[int], mean: float) -> None:
    result = score(instrument, {"items": items})
    assert result["score"] == pytest.approx(mean, abs=0.001)
    assert result["band"] is None


@pytest.mark.parametrize("instrument", MEAN_SCALES)
@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([5, 5, None], "missing_item"),
        ([5, 5, 11], "illegal_value"),
        ([5, 5, -1], "illegal_value"),
        ([5, 5, 5.5], "illegal_value"),
        ([5, 5, True], "illegal_value"),
        ([5, 5], "wrong_item_count"),
        ([5, 5, 5, 5], "wrong_item_count"),
    ],
)
def test_it_refuses_missing_non_integer_and_out_of_range_items(instrument: str, items: list[Any], code: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        score(instrument, {"items": items})
    assert caught.value.code == code
