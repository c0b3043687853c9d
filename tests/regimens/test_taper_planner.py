"""The taper planner: each method's arithmetic, the floor, min_step defaults, MME and notes, and refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from morrow.catalog import Catalog
from morrow.regimens import MAX_STEPS, RegimenError, TaperSchedule, plan_taper
from tests.regimens.builders import START, taper_request


def doses(schedule: TaperSchedule) -> list[int | float]:
    return [step.daily_dose for step in schedule.steps]


def test_it_cuts_one_min_step_when_the_percent_rounds_back_up_to_the_same_dose(catalog: Catalog) -> None:
    schedule = plan_taper(taper_request(), catalog)
    assert doses(schedule) == [35, 30, 25, 20, 15, 10, 5, 0]
    assert schedule.total_days == 8 * 14


def test_it_rounds_percent_of_current_up_to_a_multiple_of_min_step(catalog: Catalog) -> None:
    schedule = plan_taper(taper_request(current_daily_dose=100, percent=25, min_step=5), catalog)
    # 75; 56.25 -> 60; 45; 33.75 -> 35; 26.25 -> 30; 22.5 -> 25; 18.75 -> 20; 15; 11.25 -> 15 (no change) -> 10; ...
    assert doses(schedule) == [75, 60, 45, 35, 30, 25, 20, 15, 10, 5, 0]


def test_it_computes_fractional_doses_exactly(catalog: Catalog) -> None:
    schedule = plan_taper(taper_request(current_daily_dose=10, percent=25, min_step=0.5), catalog)
    assert doses(schedule)[:4] == [7.5, 6, 4.5, 3.5]
    assert doses(schedule)[-3:] == [1, 0.5, 0]


def test_it_cuts_a_fixed_share_of_the_original_dose_rounded_down(catalog: Catalog) -> None:
    schedule = plan_taper(
        taper_request(current_daily_dose=100, method="percent_of_original", min_step=10, percent=25), catalog
    )
    assert doses(schedule) == [80, 60, 40, 20, 0]


def test_it_never_cuts_less_than_min_step_of_the_original(catalog: Catalog) -> None:
    schedule = plan_taper(taper_request(method="percent_of_original", percent=10), catalog)
    assert doses(schedule) == [35, 30, 25, 20, 15, 10, 5, 0]


def test_it_cuts_the_same_step_in_a_linear_taper(catalog: Catalog) -> None:
    request = taper_request(method="linear", percent=None, step=7.5, current_daily_dose=30, min_step=2.5)
    assert doses(plan_taper(request, catalog)) == [22.5, 15, 7.5, 0]


def test_it_ends_on_the_floor_and_never_below_it(catalog: Catalog) -> None:
    request = taper_request(method="linear", percent=None, step=15, floor=5)
    schedule = plan_taper(request, catalog)
    assert doses(schedule) == [25, 10, 5]
    assert schedule.steps[-1].end - schedule.steps[-1].start == timedelta(days=13)


def test_it_goes_straight_to_the_floor_at_100_percent(catalog: Catalog) -> None:
    assert doses(plan_taper(taper_request(percent=100), catalog)) == [0]


def test_it_lays_steps_end_to_end_from_the_start_date(catalog: Catalog) -> None:
    schedule = plan_taper(taper_request(interval_days=7), catalog)
    assert schedule.steps[0].start == START
    assert schedule.steps[0].end == date(2027, 1, 10)
    for before, after in zip(schedule.steps, schedule.steps[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)
    assert schedule.total_days == len(schedule.steps) * 7


def test_it_takes_min_step_from_the_named_form_when_absent(catalog: Catalog) -> None:
    schedule = plan_taper(taper_request(form="er_tablet", min_step=None), catalog)
    assert doses(schedule) == [30, 20, 10, 0]


def test_it_converts_the_forms_min_step_into_the_requested_unit(catalog: Catalog) -> None:
    request = taper_request(substance="kratom", form="leaf_powder", unit="g", current_daily_dose=2, min_step=None)
    assert doses(plan_taper(request, catalog)) == [1.5, 1, 0.5, 0]
    concentrate = taper_request(
        substance="kratom", form="7oh_concentrate", unit="mcg", current_daily_dose=3000, min_step=None
    )
    assert doses(plan_taper(concentrate, catalog)) == [2000, 1000, 0]


def test_it_needs_min_step_when_no_form_is_named(catalog: Catalog) -> None:
    with pytest.raises(RegimenError) as refused:
        plan_taper(taper_request(min_step=None), catalog)
    assert (refused.value.code, refused.value.field) == ("missing_field", "min_step")


def test_it_plans_in_any_mass_unit_and_converts_for_mme(catalog: Catalog) -> None:
    in_mcg = plan_taper(taper_request(unit="mcg", current_daily_dose=40_000, min_step=5_000), catalog)
    in_g = plan_taper(taper_request(unit="g", current_daily_dose=0.04, min_step=0.005), catalog)
    assert [s.mme_per_day for s in in_mcg.steps] == [s.mme_per_day for s in in_g.steps]
    assert in_g.steps[0].mme_per_day == 52.5
    assert in_g.steps[0].daily_dose == 0.035


def test_it_gives_methadone_mme_with_the_single_cdc_factor_and_says_it_is_not_linear(catalog: Catalog) -> None:
    schedule = plan_taper(taper_request(substance="methadone", current_daily_dose=60, min_step=5), catalog)
    assert schedule.steps[0].mme_per_day == 258.5  # 55 mg x 4.7
    assert schedule.steps[-1].mme_per_day == 0.0
    assert any("non-linear" in note for note in schedule.notes)


def test_it_leaves_out_mme_for_fentanyl_in_mcg_and_says_why(catalog: Catalog) -> None:
    schedule = plan_taper(taper_request(substance="fentanyl", unit="mcg", current_daily_dose=400, min_step=50), catalog)
    assert all(step.mme_per_day is None for step in schedule.steps)
    assert any("mcg/h" in note and "transdermal" in note for note in schedule.notes)


@pytest.mark.parametrize(
    ("substance", "form"), [("buprenorphine", None), ("melatonin", "immediate"), ("gabapentin", None)]
)
def test_it_has_no_mme_for_substances_without_a_cdc_factor(catalog: Catalog, substance: str, form: str | None) -> None:
    request = taper_request(substance=substance, form=form, current_daily_dose=8, min_step=1)
    schedule = plan_taper(request, catalog)
    assert all(step.mme_per_day is None for step in schedule.steps)
    assert schedule.notes == ()


def test_it_allows_exactly_the_maximum_number_of_steps(catalog: Catalog) -> None:
    request = taper_request(method="linear", percent=None, step=1, min_step=1, current_daily_dose=MAX_STEPS)
    assert len(plan_taper(request, catalog).steps) == MAX_STEPS
    with pytest.raises(RegimenError) as refused:
        plan_taper(
            taper_request(method="linear", percent=None, step=1, min_step=1, current_daily_dose=MAX_STEPS + 1), catalog
        )
    assert refused.value.code == "too_many_steps"
    assert refused.value.field == "step"
