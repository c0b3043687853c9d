"""Exact arithmetic for doses: a float is read as the decimal a person typed, so 0.1 + 0.2 is 0.3.

Binary floating point would make boundaries ("exactly +1 mg", "SE exactly 85 %") depend on luck.
"""

from __future__ import annotations

import math
from fractions import Fraction

Number = int | float


def exact(value: Number | Fraction) -> Fraction:
    """`value` as an exact fraction; a float is taken at its shortest repr (0.1 -> 1/10)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        return Fraction(repr(value))
    return Fraction(value)


def as_number(value: Fraction) -> int | float:
    """A JSON-friendly number: an int when whole, else the nearest float."""
    if value.denominator == 1:
        return int(value)
    return float(value)


def half_up_2(value: Fraction) -> float:
    """`value` rounded half-up to 2 decimals, as a float (Python's round() rounds half to even)."""
    return float(Fraction(math.floor(value * 100 + Fraction(1, 2)), 100))


def ceil_to_multiple(value: Fraction, step: Fraction) -> Fraction:
    return math.ceil(value / step) * step


def floor_to_multiple(value: Fraction, step: Fraction) -> Fraction:
    return math.floor(value / step) * step


def fmt(value: Number | Fraction) -> str:
    """A dose for product text: `2.5`, `40`, never `40.0` or `0.30000000000000004`."""
    number = as_number(exact(value))
    return str(number)
