"""Dose unit conversion. Mass units convert for every substance; `standard_drink` only to itself."""

from __future__ import annotations

from morrow.catalog.model import CatalogError

_MICROGRAMS = {"g": 1_000_000.0, "mg": 1_000.0, "mcg": 1.0}
UNITS = frozenset({*_MICROGRAMS, "standard_drink"})


def convert_amount(amount: float, from_unit: str, to_unit: str, *, field: str = "unit") -> float:
    """`amount` in `from_unit` expressed in `to_unit`; refuses units that cannot be converted."""
    if from_unit == to_unit:
        if from_unit not in UNITS:
            raise CatalogError(f"unknown unit {from_unit!r}; use one of {', '.join(sorted(UNITS))}", field=field)
        return amount
    if from_unit not in _MICROGRAMS or to_unit not in _MICROGRAMS:
        raise CatalogError(f"cannot convert {from_unit!r} to {to_unit!r}", field=field)
    return amount * _MICROGRAMS[from_unit] / _MICROGRAMS[to_unit]
