"""GAD-7 (INSTRUMENTS.md §7): Spitzer bands, the GAD-2 subscale, and no total with any item missing."""

from __future__ import annotations

from typing import Any

import pytest

from morrow.instruments import InstrumentError, score
from tests.instruments.builders import uniform


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
     (15, "severe"), (21, "severe")],
)  # fmt: skip
def test_it_bands_every_boundary_on_both_sides(total: int, band: str) -> None:
    result = score("gad7", {"items": uniform(7, range(4), total)})
    assert (result["total"], result["band"]) == (total, band)


def test_it_reports_the_gad2_subscale() -> None:
    assert score("gad7", {"items": [3, 2, 0, 0, 0, 0, 0]})["subscales"] == {"gad2": 5}


@pytest.mark.parametrize(
    ("items", "code"),
    [([0] * 6, "wrong_item_count"), ([0] * 8, "wrong_item_count"), ([0] * 6 + [4], "illegal_value"),
     ([0] * 6 + [None], "missing_item"), ([None] * 7, "missing_item")],
)  # fmt: skip
def test_it_refuses_any_missing_item_and_illegal_values(items: list[Any], code: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        score("gad7", {"items": items})
    assert caught.value.code == code
