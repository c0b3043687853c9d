"""PSQI (§10): the seven components at each boundary, the global score and the >5 poor-sleeper cut-off."""

from __future__ import annotations

from typing import Any

import pytest

from morrow.instruments import InstrumentError, score

DISTURBANCES = ["q5b", "q5c", "q5d", "q5e", "q5f", "q5g", "q5h", "q5i", "q5j"]


def psqi(**changes: Any) -> dict[str, Any]:
    """A good sleeper (every component 0) with `changes` applied."""
    answers: dict[str, Any] = {
        "q1_bedtime": "22:00",
        "q2_latency_min": 10,
        "q3_getup": "06:00",
        "q4_sleep_hours": 7.5,
        **dict.fromkeys(["q5a", *DISTURBANCES, "q6", "q7", "q8", "q9"], 0),
    }
    return answers | changes


def components(**changes: Any) -> list[int]:
    result: list[int] = score("psqi", psqi(**changes))["components"]
    return result


def test_it_scores_a_good_sleeper_zero() -> None:
    result = score("psqi", psqi())
    assert result["components"] == [0] * 7
    assert (result["total"], result["band"], result["poor_sleeper"], result["habitual_se_pct"]) == (
        0, "good_sleeper", False, 93.75
    )  # fmt: skip


def test_it_scores_the_worst_sleeper_21() -> None:
    worst = psqi(q2_latency_min=90, q3_getup="08:00", q4_sleep_hours=4, q5j_reason="noise",
                 q6=3, q7=3, q8=3, q9=3, **dict.fromkeys(["q5a", *DISTURBANCES], 3))  # fmt: skip
    result = score("psqi", worst)
    assert (result["components"], result["total"], result["band"]) == ([3] * 7, 21, "poor_sleeper")


@pytest.mark.parametrize(
    ("latency", "q5a", "c2"),
    [
        # Q2 boundaries (<=15 -> 0, <=30 -> 1, <=60 -> 2, else 3), each seen through the C2 mapping of Q2 + Q5a.
        (15, 0, 0), (16, 0, 1), (15, 2, 1), (16, 2, 2), (30, 1, 1), (31, 1, 2), (60, 2, 2), (61, 2, 3),
        # The C2 mapping of the sum: 0 -> 0, 1-2 -> 1, 3-4 -> 2, 5-6 -> 3.
        (0, 1, 1), (0, 2, 1), (0, 3, 2), (16, 3, 2), (31, 3, 3), (61, 3, 3),
    ],
)  # fmt: skip
def test_it_scores_latency_component_c2(latency: int, q5a: int, c2: int) -> None:
    assert components(q2_latency_min=latency, q5a=q5a)[1] == c2


@pytest.mark.parametrize(
    ("hours", "c3"), [(9, 0), (7.01, 0), (7.0, 1), (7, 1), (6, 1), (5.99, 2), (5, 2), (4.99, 3), (0, 3)]
)
def test_it_scores_duration_component_c3_with_exactly_seven_hours_scoring_one(hours: float, c3: int) -> None:
    assert components(q3_getup="08:00", q4_sleep_hours=hours)[2] == c3


@pytest.mark.parametrize(
    ("hours", "c4"), [(8, 0), (6.8, 0), (6.79, 1), (6.0, 1), (5.99, 2), (5.2, 2), (5.19, 3), (1, 3)]
)
def test_it_scores_efficiency_component_c4_over_eight_hours_in_bed(hours: float, c4: int) -> None:
    assert components(q4_sleep_hours=hours)[3] == c4


@pytest.mark.parametrize(("total", "c5"), [(0, 0), (1, 1), (9, 1), (10, 2), (18, 2), (19, 3), (27, 3)])
def test_it_scores_disturbance_component_c5(total: int, c5: int) -> None:
    answers = dict.fromkeys(DISTURBANCES, 0)
    for q in DISTURBANCES:
        answers[q] = min(3, total - sum(answers.values()))
    assert sum(answers.values()) == total
    assert components(q5j_reason="noise", **answers)[4] == c5


@pytest.mark.parametrize(("q7", "c6"), [(0, 0), (3, 3)])
def test_it_takes_medication_component_c6_from_q7(q7: int, c6: int) -> None:
    assert components(q7=q7)[5] == c6


@pytest.mark.parametrize(
    ("q8", "q9", "c7"), [(0, 0, 0), (1, 0, 1), (1, 1, 1), (2, 1, 2), (2, 2, 2), (3, 2, 3), (3, 3, 3)]
)
def test_it_scores_daytime_dysfunction_component_c7(q8: int, q9: int, c7: int) -> None:
    assert components(q8=q8, q9=q9)[6] == c7


@pytest.mark.parametrize(("total", "band", "poor"), [(5, "good_sleeper", False), (6, "poor_sleeper", True)])
def test_it_calls_a_global_score_above_five_a_poor_sleeper(total: int, band: str, poor: bool) -> None:
    result = score("psqi", psqi(q6=3, q7=2, q8=min(total - 5, 1)))
    assert (result["total"], result["band"], result["poor_sleeper"]) == (total, band, poor)


@pytest.mark.parametrize(("bedtime", "getup", "se"), [("23:30", "07:00", 100.0), ("01:00", "09:00", 93.75)])
def test_it_wraps_time_in_bed_across_midnight(bedtime: str, getup: str, se: float) -> None:
    assert score("psqi", psqi(q1_bedtime=bedtime, q3_getup=getup))["habitual_se_pct"] == se


def test_it_scores_other_reasons_zero_without_a_description() -> None:
    assert components(q5j=3)[4] == 0
    assert components(q5j=3, q5j_reason="dog barking")[4] == 1


def test_it_flags_more_sleep_than_time_in_bed_instead_of_capping() -> None:
    result = score("psqi", psqi(q4_sleep_hours=9))
    assert (result["habitual_se_pct"], result["inconsistent_sleep_hours"]) == (112.5, True)


@pytest.mark.parametrize(
    ("changes", "code", "item"),
    [
        ({"q6": None}, "missing_field", "q6"),
        ({"q5a": 4}, "out_of_range", "q5a"),
        ({"q9": -1}, "out_of_range", "q9"),
        ({"q4_sleep_hours": -1}, "out_of_range", "q4_sleep_hours"),
        ({"q4_sleep_hours": 25}, "out_of_range", "q4_sleep_hours"),
        ({"q4_sleep_hours": True}, "wrong_type", "q4_sleep_hours"),
        ({"q2_latency_min": 12.5}, "wrong_type", "q2_latency_min"),
        ({"q1_bedtime": "25:00"}, "invalid_time", "q1_bedtime"),
        ({"q1_bedtime": "10pm"}, "invalid_time", "q1_bedtime"),
        ({"q3_getup": "22:00"}, "inconsistent_times", "q3_getup"),
        ({"q10": 1}, "unknown_field", "q10"),
    ],
)
def test_it_refuses_incomplete_or_illegal_answers(changes: dict[str, Any], code: str, item: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        score("psqi", psqi(**changes))
    assert (caught.value.code, caught.value.item) == (code, item)
