"""Properties over generated answers: totals stay in range, bands rise with the total, and any JSON-ish
payload is either scored or refused with an InstrumentError (never another exception)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from morrow.instruments import InstrumentError, instrument_ids, score, validate_symptom_report

# (items, legal values, total range, band labels in rising order): from the spec, not the data files.
SUM_SCALES: dict[str, tuple[int, range, tuple[int, int], list[str]]] = {
    "sows": (16, range(5), (0, 64), ["none", "mild", "moderate", "severe"]),
    "isi": (7, range(5), (0, 28), ["no_clinically_significant_insomnia", "subthreshold_insomnia",
                                   "clinical_insomnia_moderate", "clinical_insomnia_severe"]),
    "phq9": (9, range(4), (0, 27), ["minimal", "mild", "moderate", "moderately_severe", "severe"]),
    "gad7": (7, range(4), (0, 21), ["minimal", "mild", "moderate", "severe"]),
    "ess": (8, range(4), (0, 24), ["lower_normal", "higher_normal", "mild_excessive", "moderate_excessive",
                                   "severe_excessive"]),
    "promis-sd-8a": (8, range(1, 6), (8, 40), ["within_normal_limits", "mild", "moderate", "severe"]),
}  # fmt: skip
COWS_LEGAL = [(0, 1, 2, 4), (0, 1, 2, 3, 4), (0, 1, 3, 5), (0, 1, 2, 5), (0, 1, 2, 4), (0, 1, 2, 4),
              (0, 1, 2, 3, 5), (0, 1, 2, 4), (0, 1, 2, 4), (0, 1, 2, 4), (0, 3, 5)]  # fmt: skip
COWS_KEYS = ["pulse", "sweating", "restlessness", "pupil_size", "bone_joint_aches", "runny_nose_tearing", "gi_upset",
             "tremor", "yawning", "anxiety_irritability", "gooseflesh"]  # fmt: skip
COWS_BANDS = ["none", "mild", "moderate", "moderately_severe", "severe"]


@st.composite
def sum_scale_answers(draw: st.DrawFn) -> tuple[str, list[int]]:
    instrument = draw(st.sampled_from(sorted(SUM_SCALES)))
    n, values, _, _ = SUM_SCALES[instrument]
    return instrument, draw(st.lists(st.sampled_from(values), min_size=n, max_size=n))


def scored_value(instrument: str, result: dict[str, Any]) -> int:
    value: int = result["raw" if instrument == "promis-sd-8a" else "total"]
    return value


@given(sum_scale_answers())
def test_it_keeps_every_total_within_the_published_range(case: tuple[str, list[int]]) -> None:
    instrument, items = case
    result = score(instrument, {"items": items})
    low, high = SUM_SCALES[instrument][2]
    assert low <= scored_value(instrument, result) <= high
    assert scored_value(instrument, result) == sum(items)


@given(st.data())
def test_it_never_lowers_the_band_when_the_total_rises(data: st.DataObject) -> None:
    instrument = data.draw(st.sampled_from(sorted(SUM_SCALES)))
    n, values, _, bands = SUM_SCALES[instrument]
    answers = st.lists(st.sampled_from(values), min_size=n, max_size=n)
    first, second = data.draw(answers), data.draw(answers)
    a, b = score(instrument, {"items": first}), score(instrument, {"items": second})
    if scored_value(instrument, a) <= scored_value(instrument, b):
        assert bands.index(a["band"]) <= bands.index(b["band"])


@given(st.tuples(*(st.sampled_from(v) for v in COWS_LEGAL)), st.tuples(*(st.sampled_from(v) for v in COWS_LEGAL)))
def test_it_keeps_cows_in_range_with_monotone_bands(first: tuple[int, ...], second: tuple[int, ...]) -> None:
    a = score("cows", {"items": dict(zip(COWS_KEYS, first, strict=True))})
    b = score("cows", {"items": dict(zip(COWS_KEYS, second, strict=True))})
    assert 0 <= a["total"] <= 48
    if a["total"] <= b["total"]:
        assert COWS_BANDS.index(a["band"]) <= COWS_BANDS.index(b["band"])


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
json_values = st.recursive(
    json_scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=20,
)  # fmt: skip
FIELD_NAMES = ["items", "criteria", "value", "bpm", "difficulty", "into_bed", "try_sleep", "sol_min", "nwak",
               "waso_min", "final_wake", "out_of_bed", "quality", "nap_min", "q1_bedtime", "q3_getup",
               "q2_latency_min", "q4_sleep_hours", "q5a", "q6"]  # fmt: skip
clock_like = st.from_regex(r"\A[0-2]?[0-9]:[0-6][0-9]\Z") | json_values
near_valid = st.dictionaries(
    st.sampled_from(FIELD_NAMES),
    clock_like | st.lists(st.none() | st.integers(-1, 6) | st.booleans(), max_size=17),
    max_size=len(FIELD_NAMES),
)


def attempt(instrument: str, payload: Any) -> dict[str, Any] | InstrumentError:
    """The result, or the refusal; any other exception escapes and fails the test."""
    try:
        return score(instrument, payload)
    except InstrumentError as exc:
        return exc


def score_or_refuse(instrument: str, payload: Any) -> None:
    outcome = attempt(instrument, payload)
    if isinstance(outcome, InstrumentError):
        assert outcome.code
        assert outcome.message
    else:
        assert isinstance(outcome, dict)


@settings(max_examples=300)
@given(st.sampled_from(instrument_ids()), json_values)
def test_it_only_ever_refuses_arbitrary_json_with_an_instrument_error(instrument: str, payload: Any) -> None:
    score_or_refuse(instrument, payload)


@settings(max_examples=300)
@given(st.sampled_from(instrument_ids()), near_valid)
def test_it_only_ever_refuses_near_valid_payloads_with_an_instrument_error(instrument: str, payload: Any) -> None:
    score_or_refuse(instrument, payload)


@given(st.dictionaries(st.sampled_from(["nausea", "tremor", "x"]), json_values, max_size=3))
def test_it_only_ever_refuses_symptom_reports_with_an_instrument_error(answers: dict[str, Any]) -> None:
    try:
        report = validate_symptom_report(answers)
    except InstrumentError:
        return
    assert all(0 <= v <= 3 for v in report.values())


@pytest.mark.parametrize("instrument", ["Cows", "PSQI", "Promis-SD-8a"])
def test_it_treats_ids_case_insensitively(instrument: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        score(instrument, {})
    assert caught.value.code != "unknown_instrument"


clock = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
diaries = st.fixed_dictionaries(
    {"into_bed": clock, "try_sleep": clock, "final_wake": clock, "out_of_bed": clock, "sol_min": st.integers(0, 600),
     "nwak": st.integers(0, 10), "waso_min": st.integers(0, 600)},
    optional={"nap_min": st.integers(0, 300), "quality": st.integers(1, 5)},
)  # fmt: skip


@given(diaries)
def test_it_keeps_sleep_diary_metrics_consistent_or_refuses(night: dict[str, Any]) -> None:
    r = attempt("csd", night)
    if isinstance(r, InstrumentError):
        assert r.code in {"inconsistent_times", "inconsistent_durations"}
        return
    assert 0 <= r["tst_min"] <= r["sleep_window_min"] <= r["tib_min"] < 24 * 60
    assert r["tib_min"] == r["lights_out_lag_min"] + r["sleep_window_min"] + r["terminal_wake_min"]
    assert r["twt_min"] == r["tib_min"] - r["tst_min"]
    assert 0 <= r["se_pct"] <= 100
    assert r["total_24h_sleep_min"] == r["tst_min"] + night.get("nap_min", 0)


psqi_answers = st.fixed_dictionaries(
    {"q1_bedtime": clock, "q3_getup": clock, "q2_latency_min": st.integers(0, 240),
     "q4_sleep_hours": st.integers(0, 12) | st.floats(0, 24), **{q: st.integers(0, 3) for q in
     ["q5a", "q5b", "q5c", "q5d", "q5e", "q5f", "q5g", "q5h", "q5i", "q6", "q7", "q8", "q9"]}},
)  # fmt: skip


@given(psqi_answers)
def test_it_keeps_psqi_components_and_total_in_range(answers: dict[str, Any]) -> None:
    r = attempt("psqi", answers)
    if isinstance(r, InstrumentError):
        assert r.code == "inconsistent_times"
        return
    assert all(0 <= c <= 3 for c in r["components"])
    assert r["total"] == sum(r["components"])
    assert r["poor_sleeper"] is (r["total"] > 5)
