"""Properties of every plan the planner will make, whatever the clinician asks within the contract."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from morrow.catalog import load_catalog
from morrow.regimens import METHODS, RegimenError, TaperRequest, TaperSchedule, plan_taper
from morrow.regimens.exact import exact, half_up_2
from tests.regimens.builders import START

CATALOG = load_catalog()
MIN_STEPS = [0.5, 1, 2, 2.5, 5, 10]


@st.composite
def requests(draw: st.DrawFn) -> TaperRequest:
    min_step = draw(st.sampled_from(MIN_STEPS))
    multiples = draw(st.integers(min_value=1, max_value=200))
    current = float(exact(min_step) * multiples)
    floor = float(exact(min_step) * draw(st.integers(min_value=0, max_value=multiples - 1)))
    method = draw(st.sampled_from(METHODS))
    percent = draw(st.integers(min_value=1, max_value=100)) if method != "linear" else None
    step = float(exact(min_step) * draw(st.integers(min_value=1, max_value=20))) if method == "linear" else None
    return TaperRequest(
        substance="oxycodone",
        current_daily_dose=current,
        unit="mg",
        method=method,
        percent=percent,
        step=step,
        interval_days=draw(st.integers(min_value=1, max_value=35)),
        min_step=min_step,
        floor=floor,
        start=START + timedelta(days=draw(st.integers(min_value=0, max_value=3000))),
    )


def plan(request: TaperRequest) -> TaperSchedule:
    try:
        return plan_taper(request, CATALOG)
    except RegimenError as exc:
        assume(exc.code != "too_many_steps")
        raise


def largest_cut(request: TaperRequest, previous: Fraction) -> Fraction:
    min_step = exact(request.min_step or 0)
    if request.method == "linear":
        return exact(request.step or 0)
    base = previous if request.method == "percent_of_current" else exact(request.current_daily_dose)
    return max(base * exact(request.percent or 0) / 100, min_step)


@settings(max_examples=300, deadline=None)
@given(requests())
def test_it_only_ever_goes_down_and_ends_on_the_floor(request: TaperRequest) -> None:
    doses = [exact(step.daily_dose) for step in plan(request).steps]
    previous = [exact(request.current_daily_dose), *doses[:-1]]
    assert all(after < before for before, after in zip(previous, doses, strict=True))
    assert doses[-1] == exact(request.floor)
    assert all(dose > exact(request.floor) for dose in doses[:-1])


@settings(max_examples=300, deadline=None)
@given(requests())
def test_it_never_cuts_more_than_the_method_allows(request: TaperRequest) -> None:
    doses = [exact(step.daily_dose) for step in plan(request).steps]
    previous = [exact(request.current_daily_dose), *doses[:-1]]
    for before, after in zip(previous, doses, strict=True):
        assert before - after <= largest_cut(request, before)


@settings(max_examples=300, deadline=None)
@given(requests())
def test_it_keeps_every_dose_a_multiple_of_min_step(request: TaperRequest) -> None:
    min_step = exact(request.min_step or 0)
    for step in plan(request).steps:
        assert (exact(step.daily_dose) / min_step).denominator == 1


@settings(max_examples=200, deadline=None)
@given(requests())
def test_it_lays_equal_steps_end_to_end_with_mme_on_each(request: TaperRequest) -> None:
    schedule = plan(request)
    assert schedule.steps[0].start == request.start
    assert schedule.total_days == len(schedule.steps) * request.interval_days
    for index, step in enumerate(schedule.steps):
        assert step.days == request.interval_days
        assert step.start == request.start + timedelta(days=index * request.interval_days)
        assert step.mme_per_day == half_up_2(exact(step.daily_dose) * Fraction(3, 2))
