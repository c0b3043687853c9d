"""Consensus Sleep Diary (§4): wrapping clock arithmetic, naps, early waking, zero-sleep nights, refusals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from morrow.instruments import InstrumentError, night_of, score


def diary(into: str, try_: str, sol: int, waso: int, final: str, out: str, **extra: Any) -> dict[str, Any]:
    return {
        "into_bed": into,
        "try_sleep": try_,
        "sol_min": sol,
        "nwak": 1 if waso else 0,
        "waso_min": waso,
        "final_wake": final,
        "out_of_bed": out,
        **extra,
    }


FIELDS = ("tib_min", "sleep_window_min", "tst_min", "twt_min", "se_pct", "se_from_attempt_pct",
          "lights_out_lag_min", "terminal_wake_min", "total_24h_sleep_min")  # fmt: skip


@pytest.mark.parametrize(
    ("night", "expected"),
    [
        pytest.param(
            diary("23:40", "00:10", 45, 50, "05:50", "06:30", quality=2),
            (410, 340, 245, 165, 59.76, 64.47, 30, 40, 245),
            id="worked-example-across-midnight",
        ),
        pytest.param(
            diary("22:30", "22:45", 15, 30, "06:30", "06:45"),
            (495, 465, 420, 75, 84.85, 87.5, 15, 15, 420),
            id="bedtime-before-midnight",
        ),
        pytest.param(
            diary("01:30", "01:45", 20, 0, "08:00", "08:30"),
            (420, 375, 355, 65, 84.52, 87.65, 15, 30, 355),
            id="bedtime-after-midnight",
        ),
        pytest.param(
            diary("08:00", "08:10", 10, 0, "15:10", "15:30"),
            (450, 420, 410, 40, 91.11, 93.18, 10, 20, 410),
            id="daytime-shift-work-sleep",
        ),
        pytest.param(
            diary("03:00", "03:00", 0, 0, "12:30", "13:00"),
            (600, 570, 570, 30, 95.0, 95.0, 0, 30, 570),
            id="rising-after-noon",
        ),
        pytest.param(
            diary("23:00", "23:00", 400, 80, "07:00", "07:30"),
            (510, 480, 0, 510, 0.0, 0.0, 0, 30, 0),
            id="zero-sleep-night",
        ),
        pytest.param(
            diary("22:30", "22:45", 15, 30, "06:30", "06:45", nap_count=2, nap_min=45),
            (495, 465, 420, 75, 84.85, 87.5, 15, 15, 465),
            id="naps-count-only-in-24h-sleep",
        ),
        pytest.param(
            diary("22:30", "22:45", 15, 30, "06:30", "06:45", ema_min=60),
            (495, 465, 420, 75, 84.85, 87.5, 15, 15, 420),
            id="early-waking-never-subtracted",
        ),
    ],
)
def test_it_derives_every_metric_by_the_primary_formulas(night: dict[str, Any], expected: tuple[Any, ...]) -> None:
    result = score("csd", night)
    assert tuple(result[f] for f in FIELDS) == pytest.approx(expected, abs=0.01)


def test_it_reports_no_attempt_efficiency_when_the_patient_rose_at_once() -> None:
    result = score("csd", diary("23:00", "06:00", 0, 0, "06:00", "06:00"))
    assert (result["tib_min"], result["tst_min"], result["se_pct"]) == (420, 0, 0.0)
    assert result["se_from_attempt_pct"] is None


@pytest.mark.parametrize("quality", [1, 5, None])
def test_it_accepts_quality_1_to_5_or_none(quality: int | None) -> None:
    assert score("csd", diary("23:00", "23:10", 10, 0, "06:00", "06:10", quality=quality))["tst_min"] == 400


def test_it_warns_about_wake_time_without_awakenings_without_refusing() -> None:
    night = diary("23:00", "23:10", 10, 20, "06:00", "06:10") | {"nwak": 0}
    assert score("csd", night)["warnings"] == ["waso_without_awakenings"]


@pytest.mark.parametrize(
    ("changes", "code", "item"),
    [
        ({"sol_min": -5}, "out_of_range", "sol_min"),
        ({"waso_min": -1}, "out_of_range", "waso_min"),
        ({"nwak": -1}, "out_of_range", "nwak"),
        ({"sol_min": 1.5}, "wrong_type", "sol_min"),
        ({"sol_min": True}, "wrong_type", "sol_min"),
        ({"into_bed": "23:60"}, "invalid_time", "into_bed"),
        ({"into_bed": "24:00"}, "invalid_time", "into_bed"),
        ({"final_wake": "7am"}, "invalid_time", "final_wake"),
        ({"out_of_bed": 630}, "invalid_time", "out_of_bed"),
        ({"out_of_bed": None}, "missing_field", "out_of_bed"),
        ({"quality": 0}, "out_of_range", "quality"),
        ({"quality": 6}, "out_of_range", "quality"),
        ({"quality": 2.5}, "wrong_type", "quality"),
        ({"nap_min": -10}, "out_of_range", "nap_min"),
        ({"bedtime": "23:00"}, "unknown_field", "bedtime"),
        ({"sol_min": 400, "waso_min": 60}, "inconsistent_durations", "waso_min"),
        ({"sol_min": 500}, "inconsistent_durations", "sol_min"),
    ],
)
def test_it_refuses_bad_fields(changes: dict[str, Any], code: str, item: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        score("csd", diary("23:00", "23:10", 10, 0, "06:00", "06:10") | changes)
    assert (caught.value.code, caught.value.item) == (code, item)


# Upper bounds are a Morrow convention (docs/instruments.md): the spec gives none.
@pytest.mark.parametrize(("field", "bound"), [("nwak", 50), ("nap_count", 24), ("nap_min", 1440), ("ema_min", 1440)])
def test_it_accepts_a_count_or_duration_up_to_its_bound_and_refuses_one_more(field: str, bound: int) -> None:
    night = diary("23:00", "23:10", 10, 0, "06:00", "06:10")
    assert score("csd", night | {field: bound})["tst_min"] == 400
    with pytest.raises(InstrumentError) as caught:
        score("csd", night | {field: bound + 1})
    assert (caught.value.code, caught.value.item) == ("out_of_range", field)
    assert str(caught.value) == f"'{field}': {bound + 1} is outside 0-{bound}"


@pytest.mark.parametrize("field", ["sol_min", "waso_min"])
def test_it_refuses_minutes_beyond_a_day_as_out_of_range_before_comparing_with_the_night(field: str) -> None:
    night = diary("23:00", "23:10", 10, 0, "06:00", "06:10")
    with pytest.raises(InstrumentError) as at_bound:
        score("csd", night | {field: 1440})  # within the field's bound, longer than any sleep window
    assert (at_bound.value.code, at_bound.value.item) == ("inconsistent_durations", field)
    with pytest.raises(InstrumentError) as above:
        score("csd", night | {field: 1441})
    assert (above.value.code, above.value.item) == ("out_of_range", field)


@pytest.mark.parametrize(
    "night",
    [
        pytest.param(diary("23:00", "23:00", 0, 0, "23:00", "23:00"), id="no-time-in-bed"),
        pytest.param(diary("23:00", "22:50", 10, 0, "06:00", "06:10"), id="tried-to-sleep-before-bed"),
        pytest.param(diary("23:00", "23:10", 10, 0, "06:30", "06:00"), id="got-up-before-final-wake"),
    ],
)
def test_it_refuses_times_that_are_out_of_order(night: dict[str, Any]) -> None:
    with pytest.raises(InstrumentError) as caught:
        score("csd", night)
    assert caught.value.code == "inconsistent_times"


@pytest.mark.parametrize(
    ("into_bed", "night"),
    [
        (datetime(2026, 11, 20, 23, 40), date(2026, 11, 20)),
        (datetime(2026, 11, 21, 1, 30), date(2026, 11, 20)),
        (datetime(2026, 11, 21, 11, 59), date(2026, 11, 20)),
        (datetime(2026, 11, 21, 12, 0), date(2026, 11, 21)),
    ],
)
def test_it_keys_a_night_to_the_evening_it_started(into_bed: datetime, night: date) -> None:
    assert night_of(into_bed) == night
