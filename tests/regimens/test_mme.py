"""MME per day from the catalog's CDC 2022 factors: arithmetic, units, and where no factor applies."""

from __future__ import annotations

import pytest

from morrow.catalog import Catalog
from morrow.regimens import RegimenError, mme_conversion, mme_per_day


@pytest.mark.parametrize(
    ("substance", "amount", "unit", "expected"),
    [
        ("morphine", 60, "mg", 60.0),
        ("hydrocodone", 30, "mg", 30.0),
        ("oxycodone", 30, "mg", 45.0),
        ("oxycodone", 7.5, "mg", 11.25),
        ("hydromorphone", 8, "mg", 40.0),
        ("oxymorphone", 20, "mg", 60.0),
        ("codeine", 240, "mg", 36.0),
        ("tramadol", 200, "mg", 40.0),
        ("tapentadol", 100, "mg", 40.0),
        ("methadone", 10, "mg", 47.0),
        ("methadone", 0.01, "g", 47.0),
        ("oxycodone", 30_000, "mcg", 45.0),
        ("oxycodone", 0, "mg", 0.0),
    ],
)
def test_it_multiplies_the_daily_amount_in_mg_by_the_cdc_factor(
    catalog: Catalog, substance: str, amount: float, unit: str, expected: float
) -> None:
    assert mme_per_day(substance, amount, unit, catalog) == expected


def test_it_rounds_half_up_to_two_decimals(catalog: Catalog) -> None:
    assert mme_per_day("codeine", 0.1, "mg", catalog) == 0.02  # 0.015 exactly, half up
    assert mme_per_day("oxycodone", 0.003, "mg", catalog) == 0.0  # 0.0045
    assert mme_per_day("oxycodone", 0.01, "mg", catalog) == 0.02  # 0.015


@pytest.mark.parametrize(("substance", "unit"), [("fentanyl", "mcg"), ("buprenorphine", "mg"), ("kratom", "g")])
def test_it_gives_no_mme_where_cdc_gives_no_factor(catalog: Catalog, substance: str, unit: str) -> None:
    assert mme_per_day(substance, 100, unit, catalog) is None


def test_it_explains_why_fentanyl_in_mcg_has_no_mme(catalog: Catalog) -> None:
    conversion = mme_conversion(catalog.substance("fentanyl"), "mcg")
    assert conversion.factor is None
    assert len(conversion.notes) == 1
    assert "mcg/h" in conversion.notes[0]


def test_it_carries_the_catalogs_methadone_caution_with_the_factor(catalog: Catalog) -> None:
    conversion = mme_conversion(catalog.substance("methadone"), "mg")
    assert conversion.factor == 4.7
    assert any("non-linear" in note for note in conversion.notes)


def test_it_has_no_mme_in_units_that_are_not_mass(catalog: Catalog) -> None:
    assert mme_per_day("alcohol", 2, "standard_drink", catalog) is None


@pytest.mark.parametrize(("substance", "amount"), [("unobtainium", 1), ("oxycodone", -1), ("oxycodone", float("nan"))])
def test_it_refuses_unknown_substances_and_impossible_amounts(catalog: Catalog, substance: str, amount: float) -> None:
    with pytest.raises(RegimenError):
        mme_per_day(substance, amount, "mg", catalog)
