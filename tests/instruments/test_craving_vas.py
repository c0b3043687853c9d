"""Single-item craving VAS (§9): the value itself, 0-100, no bands."""

from __future__ import annotations

import pytest

from morrow.instruments import InstrumentError, score


@pytest.mark.parametrize(
    ("value", "expected"), [(0, 0), (100, 100), (63, 63), (42.5, 42.5), (33.335, 33.34), (0.004, 0.0)]
)
def test_it_scores_the_value_itself(value: float, expected: float) -> None:
    result = score("craving-vas", {"value": value})
    assert result["score"] == expected
    assert result["band"] is None


@pytest.mark.parametrize("value", [-1, -0.01, 100.01, 101, True, "50", None, float("nan"), float("inf")])
def test_it_refuses_values_outside_0_to_100_and_non_numbers(value: object) -> None:
    with pytest.raises(InstrumentError) as caught:
        score("craving-vas", {"value": value})
    assert caught.value.item == "value"
