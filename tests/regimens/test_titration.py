"""Titration rule: decreases are free, the ceiling is hard, "+X per Y days" is exact at its boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from morrow.regimens import DoseChange, RegimenError, TitrationRule, assess_change

TODAY = date(2027, 3, 10)
RULE = TitrationRule(max_increase=1, period_days=7)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def test_it_never_needs_approval_for_a_decrease() -> None:
    assessment = assess_change(5, 3, 6, None, [], TODAY, unit="mg")
    assert (assessment.kind, assessment.needs_approval, assessment.allowed) == ("decrease", False, True)
    assert "3 mg" in assessment.explanation


def test_it_says_when_nothing_changes() -> None:
    assessment = assess_change(5, 5, 6, RULE, [], TODAY)
    assert (assessment.kind, assessment.needs_approval, assessment.allowed) == ("no_change", False, True)


def test_it_needs_approval_for_every_increase_without_a_rule() -> None:
    assessment = assess_change(2, 2.5, None, None, [], TODAY)
    assert (assessment.needs_approval, assessment.allowed) == (True, True)


def test_it_lets_exactly_the_allowed_increase_through_but_never_silently() -> None:
    assessment = assess_change(2, 3, 10, RULE, [], TODAY, unit="mg")
    assert (assessment.needs_approval, assessment.allowed) == (False, True)
    assert assessment.shown_to_clinician
    assert "recorded and shown to the clinician" in assessment.explanation


def test_it_needs_approval_just_above_the_allowed_increase() -> None:
    assert assess_change(2, 3.01, 10, RULE, [], TODAY).needs_approval


def test_it_counts_earlier_increases_in_the_window() -> None:
    earlier = [DoseChange(days_ago(6), 1.5, 2)]
    assert assess_change(2, 2.5, 10, RULE, earlier, TODAY).needs_approval is False
    assert assess_change(2, 2.6, 10, RULE, earlier, TODAY).needs_approval is True


def test_it_adds_decimals_exactly() -> None:
    rule = TitrationRule(max_increase=0.3, period_days=7)
    earlier = [DoseChange(days_ago(1), 1.0, 1.1), DoseChange(days_ago(2), 0.9, 1.0)]
    assert assess_change(1.1, 1.2, None, rule, earlier, TODAY).needs_approval is False


def test_it_forgets_an_increase_made_exactly_period_days_ago() -> None:
    assert assess_change(3, 4, 10, RULE, [DoseChange(days_ago(7), 2, 3)], TODAY).needs_approval is False
    assert assess_change(3, 4, 10, RULE, [DoseChange(days_ago(6), 2, 3)], TODAY).needs_approval is True


def test_it_does_not_let_a_decrease_make_room_for_more_increase() -> None:
    earlier = [DoseChange(days_ago(3), 2, 3), DoseChange(days_ago(2), 3, 2)]
    assert assess_change(2, 3, 10, RULE, earlier, TODAY).needs_approval is True


def test_it_allows_the_ceiling_itself_but_nothing_above_it() -> None:
    at = assess_change(5, 6, 6, RULE, [], TODAY)
    above = assess_change(5, 6.5, 6, None, [], TODAY, unit="mg")
    assert (at.allowed, at.needs_approval) == (True, False)
    assert (above.allowed, above.needs_approval) == (False, True)
    assert "changes the ceiling" in above.explanation


@pytest.mark.parametrize(
    ("current", "proposed", "rule"),
    [(-1, 2, RULE), (1, float("nan"), RULE), (1, 2, TitrationRule(0, 7)), (1, 2, TitrationRule(1, 0))],
)
def test_it_refuses_impossible_values(current: float, proposed: float, rule: TitrationRule) -> None:
    with pytest.raises(RegimenError):
        assess_change(current, proposed, None, rule, [], TODAY)
