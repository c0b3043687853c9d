"""ISI (INSTRUMENTS.md §3): 7 items 0-4, total 0-28, four bands, no missing items."""

from __future__ import annotations

from typing import Any

import pytest

from morrow.instruments import InstrumentError, score
from tests.instruments.builders import uniform


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "no_clinically_significant_insomnia"),
        (7, "no_clinically_significant_insomnia"),
        (8, "subthreshold_insomnia"),
        (14, "subthreshold_insomnia"),
        (15, "clinical_insomnia_moderate"),
        (21, "clinical_insomnia_moderate"),
        (22, "clinical_insomnia_severe"),
        (28, "clinical_insomnia_severe"),
    ],
)
def test_it_bands_every_boundary_on_both_sides(total: int, band: str) -> None:
    result = score("isi", {"items": uniform(7, range(5), total)})
    assert (result["total"], result["band"]) == (total, band)


def test_it_gives_the_same_total_whatever_the_printing_order() -> None:
    answers = [2, 3, 1, 3, 2, 2, 3]
    assert score("isi", {"items": answers})["total"] == score("isi", {"items": answers[::-1]})["total"] == 16


@pytest.mark.parametrize(
    ("items", "code"),
    [([1] * 6, "wrong_item_count"), ([1] * 8, "wrong_item_count"), ([1] * 6 + [5], "illegal_value"),
     ([None] + [1] * 6, "missing_item"), ("1111111", "wrong_type")],
)  # fmt: skip
def test_it_refuses_wrong_counts_illegal_values_and_missing_items(items: Any, code: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        score("isi", {"items": items})
    assert caught.value.code == code
