"""Half-up rounding on exact decimals (INSTRUMENTS.md §0); Python's round() rounds half to even."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")
_ONE = Decimal(1)


def as_decimal(value: int | float | Decimal) -> Decimal:
    """A float is read as its shortest repr, so 63.345 stays 63.345 rather than 63.34499..."""
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def ratio(numerator: int | float | Decimal, denominator: int | float | Decimal) -> Decimal:
    return as_decimal(numerator) / as_decimal(denominator)


def half_up_2(value: int | float | Decimal) -> float:
    """`value` rounded half-up to 2 decimals, as a float for JSON."""
    return float(as_decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP))


def half_up_int(value: int | float | Decimal) -> int:
    return int(as_decimal(value).quantize(_ONE, rounding=ROUND_HALF_UP))


def ceiling_int(value: int | float | Decimal) -> int:
    return int(as_decimal(value).quantize(_ONE, rounding=ROUND_CEILING))
