"""The substance catalog: every substance, class, form and symptom code Morrow knows, read from data.

`load_catalog()` reads and validates `morrow/data/substances.json` once; every other layer asks the
returned `Catalog` for ids and never hard-codes them.
"""

from morrow.catalog.loader import CatalogError, load_catalog, parse_catalog
from morrow.catalog.model import (
    Catalog,
    HalfLife,
    MmeFactor,
    Substance,
    SubstanceClass,
    SubstanceForm,
    SymptomCode,
)
from morrow.catalog.units import convert_amount

__all__ = [
    "Catalog",
    "CatalogError",
    "HalfLife",
    "MmeFactor",
    "Substance",
    "SubstanceClass",
    "SubstanceForm",
    "SymptomCode",
    "convert_amount",
    "load_catalog",
    "parse_catalog",
]
