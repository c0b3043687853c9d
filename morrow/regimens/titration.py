"""Titration rule: does a proposed dose change need a clinician's approval?

- A decrease never needs approval.
- Above the ceiling is not allowed at all until a clinician raises the ceiling (exactly at it is fine).
- Without a rule, every increase needs approval.
- With "at most +X per Y days", the increases already made in the Y days ending today (today and the
  Y - 1 days before; a change exactly Y days ago has left the window) plus this one may total X.
  Decreases in the window do not make room for more increase. Such an increase needs no approval but
  is never silent: it is recorded and shown to the clinician.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Literal

from morrow.regimens.errors import RegimenError
from morrow.regimens.exact import Number, exact, fmt

__all__ = ["Assessment", "DoseChange", "TitrationRule", "assess_change"]

Kind = Literal["decrease", "no_change", "increase"]


@dataclass(frozen=True)
class TitrationRule:
    max_increase: float
    period_days: int


@dataclass(frozen=True)
class DoseChange:
    """An earlier change that was approved or applied: on `on`, from one dose to another."""

    on: date
    from_dose: float
    to_dose: float


@dataclass(frozen=True)
class Assessment:
    kind: Kind
    needs_approval: bool
    allowed: bool
    explanation: str
    shown_to_clinician: bool = True


def assess_change(
    current_dose: Number,
    proposed_dose: Number,
    ceiling: Number | None,
    rule: TitrationRule | None,
    recent_changes: Sequence[DoseChange],
    today: date,
    *,
    unit: str = "",
) -> Assessment:
    current = _dose(current_dose, "current_dose")
    proposed = _dose(proposed_dose, "proposed_dose")
    u = f" {unit}" if unit else ""
    change = f"from {fmt(current)}{u} to {fmt(proposed)}{u}"
    if proposed == current:
        return Assessment("no_change", False, True, f"The dose stays at {fmt(current)}{u}.", False)
    if proposed < current:
        return Assessment("decrease", False, True, f"A decrease {change} does not need approval.")
    if ceiling is not None and proposed > _dose(ceiling, "ceiling"):
        return Assessment(
            "increase", True, False,
            f"An increase {change} is above the ceiling of {fmt(ceiling)}{u} the clinician set. "
            "It is not possible unless the clinician changes the ceiling.",
        )  # fmt: skip
    if rule is None:
        return Assessment("increase", True, True, f"An increase {change} needs the clinician's approval.")
    limit = _rule_value(rule)
    earlier = _increases_in_window(recent_changes, rule.period_days, today)
    total = earlier + proposed - current
    window = f"at most +{fmt(limit)}{u} in any {rule.period_days} days"
    so_far = f"{fmt(earlier)}{u} already added in the last {rule.period_days} days"
    if total <= limit:
        return Assessment(
            "increase", False, True,
            f"An increase {change} is within the rule of {window} ({so_far}). It does not need approval; "
            "it is recorded and shown to the clinician.",
        )  # fmt: skip
    return Assessment(
        "increase", True, True,
        f"An increase {change} goes beyond the rule of {window} ({so_far}), so it needs the clinician's approval.",
    )  # fmt: skip


def _increases_in_window(changes: Sequence[DoseChange], period_days: int, today: date) -> Fraction:
    total = Fraction(0)
    for change in changes:
        if (today - change.on).days < period_days:
            rise = exact(change.to_dose) - exact(change.from_dose)
            total += max(rise, Fraction(0))
    return total


def _rule_value(rule: TitrationRule) -> Fraction:
    if isinstance(rule.period_days, bool) or not isinstance(rule.period_days, int) or rule.period_days < 1:
        raise RegimenError("invalid_value", "period_days must be a whole number of at least 1", field="period_days")
    limit = _dose(rule.max_increase, "max_increase")
    if limit <= 0:
        raise RegimenError("invalid_value", "max_increase must be above 0", field="max_increase")
    return limit


def _dose(value: Number, field: str) -> Fraction:
    try:
        number = exact(value)
    except (TypeError, ValueError):
        raise RegimenError("invalid_value", f"{field} must be a finite number", field=field) from None
    if number < 0:
        raise RegimenError("invalid_value", f"{field} must not be negative", field=field)
    return number
