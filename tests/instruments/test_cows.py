"""COWS (INSTRUMENTS.md §1): non-contiguous anchors, bands with the CTN 'none' label, no missing items."""

from __future__ import annotations

from typing import Any

import pytest

from morrow.instruments import InstrumentError, score
from tests.instruments.builders import compose

# The published anchors, copied from the spec table rather than read from the data file.
LEGAL: dict[str, tuple[int, ...]] = {
    "pulse": (0, 1, 2, 4),
    "sweating": (0, 1, 2, 3, 4),
    "restlessness": (0, 1, 3, 5),
    "pupil_size": (0, 1, 2, 5),
    "bone_joint_aches": (0, 1, 2, 4),
    "runny_nose_tearing": (0, 1, 2, 4),
    "gi_upset": (0, 1, 2, 3, 5),
    "tremor": (0, 1, 2, 4),
    "yawning": (0, 1, 2, 4),
    "anxiety_irritability": (0, 1, 2, 4),
    "gooseflesh": (0, 3, 5),
}


def cows_items(total: int) -> dict[str, int]:
    return dict(zip(LEGAL, compose(list(LEGAL.values()), total), strict=True))


def refusal(payload: Any) -> InstrumentError:
    with pytest.raises(InstrumentError) as caught:
        score("cows", payload)
    return caught.value


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none"),
        (4, "none"),
        (5, "mild"),
        (12, "mild"),
        (13, "moderate"),
        (24, "moderate"),
        (25, "moderately_severe"),
        (36, "moderately_severe"),
        (37, "severe"),
        (48, "severe"),
    ],
)
def test_it_bands_every_boundary_on_both_sides(total: int, band: str) -> None:
    result = score("cows", {"items": cows_items(total)})
    assert (result["total"], result["band"]) == (total, band)


def test_it_scores_all_minimum_and_all_maximum() -> None:
    assert score("cows", {"items": dict.fromkeys(LEGAL, 0)})["total"] == 0
    top = score("cows", {"items": {k: v[-1] for k, v in LEGAL.items()}})
    assert (top["total"], top["band"]) == (48, "severe")


@pytest.mark.parametrize(("item", "value"), [(k, v) for k, values in LEGAL.items() for v in values])
def test_it_accepts_every_published_anchor(item: str, value: int) -> None:
    items = dict.fromkeys(LEGAL, 0) | {item: value}
    assert score("cows", {"items": items})["total"] == value


@pytest.mark.parametrize(
    ("item", "value"),
    [
        ("restlessness", 2),
        ("restlessness", 4),
        ("pupil_size", 3),
        ("pupil_size", 4),
        ("gooseflesh", 1),
        ("gooseflesh", 2),
        ("gooseflesh", 4),
        ("pulse", 3),
        ("gi_upset", 4),
        ("sweating", 5),
        ("bone_joint_aches", 3),
        ("tremor", -1),
        ("yawning", True),
        ("anxiety_irritability", 1.0),
        ("runny_nose_tearing", "1"),
    ],
)
def test_it_refuses_values_between_or_outside_the_anchors(item: str, value: object) -> None:
    error = refusal({"items": dict.fromkeys(LEGAL, 0) | {item: value}})
    assert (error.code, error.item) == ("illegal_value", item)


def test_it_names_the_item_and_the_legal_values_in_plain_words() -> None:
    error = refusal({"items": dict.fromkeys(LEGAL, 0) | {"restlessness": 2}})
    assert error.message == "item 'restlessness': 2 is not a legal value (allowed: 0, 1, 3, 5)"


@pytest.mark.parametrize("how", ["absent", "null"])
def test_it_computes_no_total_from_fewer_than_eleven_items(how: str) -> None:
    items: dict[str, object] = dict.fromkeys(LEGAL, 1)
    if how == "absent":
        del items["gooseflesh"]
    else:
        items["gooseflesh"] = None
    error = refusal({"items": items})
    assert (error.code, error.item) == ("missing_item", "gooseflesh")


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"items": dict.fromkeys(LEGAL, 0) | {"heart_rate": 1}}, "unknown_item"),
        ({"items": [0] * 11}, "wrong_type"),
        ({}, "missing_field"),
        ({"items": dict.fromkeys(LEGAL, 0), "at": "now"}, "unknown_field"),
        ([0] * 11, "not_an_object"),
    ],
)
def test_it_refuses_malformed_payloads(payload: Any, code: str) -> None:
    assert refusal(payload).code == code


@pytest.mark.parametrize(
    ("bpm", "points"),
    [(1, 0), (60, 0), (80, 0), (81, 1), (100, 1), (101, 2), (104, 2), (120, 2), (121, 4), (180, 4), (300, 4)],
)
def test_it_converts_pulse_to_points(bpm: int, points: int) -> None:
    assert score("cows-pulse", {"bpm": bpm})["points"] == points


@pytest.mark.parametrize("bpm", [0, -5, 72.5, 80.0, True, "80", None, 301])
def test_it_refuses_a_pulse_that_is_not_a_positive_whole_number(bpm: object) -> None:
    with pytest.raises(InstrumentError) as caught:
        score("cows-pulse", {"bpm": bpm})
    assert caught.value.item == "bpm"
