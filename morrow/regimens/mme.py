"""Morphine milligram equivalents from the catalog's CDC 2022 factors.

A factor applies only when its unit is a mass unit the dose can be converted to: fentanyl's factor is
per mcg/h of a transdermal patch, so a fentanyl amount in mcg gets no MME and a note instead of an
invented number. A factor the catalog annotates (methadone: non-linear, not for conversion) is used,
and its annotation travels with the result so that no reader sees the number without the warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from morrow.catalog import Catalog, MmeFactor, Substance, convert_amount
from morrow.regimens.errors import RegimenError
from morrow.regimens.exact import Number, exact, half_up_2

__all__ = ["MmeConversion", "mme_conversion", "mme_per_day"]

_MASS_UNITS = ("g", "mg", "mcg")


@dataclass(frozen=True)
class MmeConversion:
    """How a daily amount of one substance in one unit becomes MME, or why it cannot."""

    substance: str
    unit: str
    factor: float | None
    factor_unit: str | None
    notes: tuple[str, ...] = ()

    def apply(self, daily_amount: Number | Fraction) -> float | None:
        """MME per day for `daily_amount` (in `unit`), half-up to 2 decimals; None without a factor."""
        if self.factor is None or self.factor_unit is None:
            return None
        in_factor_unit = exact(daily_amount) * _unit_ratio(self.unit, self.factor_unit)
        return half_up_2(in_factor_unit * exact(self.factor))


def mme_conversion(substance: Substance, unit: str) -> MmeConversion:
    """The CDC 2022 factor that applies to `substance` dosed in `unit`, with any caution attached."""
    if unit not in _MASS_UNITS:
        return MmeConversion(substance.id, unit, None, None)
    factor = next((f for f in substance.mme if f.unit in _MASS_UNITS), None)
    if factor is None:
        return MmeConversion(substance.id, unit, None, None, _missing_factor_notes(substance, unit))
    notes = (f"{substance.name}: {factor.note}",) if factor.note else ()
    return MmeConversion(substance.id, unit, factor.factor, factor.unit, notes)


def mme_per_day(substance: str, daily_amount: Number, unit: str, catalog: Catalog) -> float | None:
    """MME per day of `daily_amount` `unit` of `substance`, or None when CDC 2022 gives no factor for it."""
    if not catalog.has_substance(substance):
        raise RegimenError("unknown_substance", f"unknown substance {substance!r}", field="substance")
    try:
        amount = exact(daily_amount)
    except (TypeError, ValueError):
        raise RegimenError("invalid_value", "the daily amount must be a finite number", field="daily_amount") from None
    if amount < 0:
        raise RegimenError("invalid_value", "the daily amount must not be negative", field="daily_amount")
    return mme_conversion(catalog.substance(substance), unit).apply(amount)


def _missing_factor_notes(substance: Substance, unit: str) -> tuple[str, ...]:
    other = [f for f in substance.mme if f.unit not in _MASS_UNITS]
    if not other:
        return ()
    return tuple(_wrong_unit_note(substance, unit, f) for f in other)


def _wrong_unit_note(substance: Substance, unit: str, factor: MmeFactor) -> str:
    per = factor.unit.replace("_per_", "/")
    return (
        f"No MME is shown: CDC 2022 gives no factor for {substance.name} measured in {unit}. "
        f"Its factor ({factor.factor:g}) is per {per} for the {factor.route} route only."
    )


def _unit_ratio(from_unit: str, to_unit: str) -> Fraction:
    return exact(convert_amount(1.0, from_unit, to_unit))
