"""DSM-5 SUD criteria count applied to kratom (§8a): 11 yes/no criteria, four severity bands."""

from __future__ import annotations

from typing import Any

import pytest

from morrow.instruments import InstrumentError, score


@pytest.mark.parametrize(
    ("met", "band"),
    [(0, "none"), (1, "none"), (2, "mild"), (3, "mild"), (4, "moderate"), (5, "moderate"), (6, "severe"),
     (11, "severe")],
)  # fmt: skip
def test_it_counts_criteria_met_and_bands_every_boundary(met: int, band: str) -> None:
    result = score("dsm5-sud", {"criteria": [True] * met + [False] * (11 - met)})
    assert (result["total"], result["band"]) == (met, band)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"criteria": [1] + [False] * 10}, "illegal_value"),
        ({"criteria": ["yes"] + [False] * 10}, "illegal_value"),
        ({"criteria": [None] + [False] * 10}, "missing_item"),
        ({"criteria": [False] * 10}, "wrong_item_count"),
        ({"items": [False] * 11}, "unknown_field"),
        ({}, "missing_field"),
    ],
)
def test_it_refuses_anything_but_eleven_booleans(payload: dict[str, Any], code: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        score("dsm5-sud", payload)
    assert caught.value.code == code
