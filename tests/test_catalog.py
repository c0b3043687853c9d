"""The substance catalog: complete, sourced, and refused with a clear message when malformed."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from morrow.catalog import CatalogError, convert_amount, load_catalog, parse_catalog

REQUIRED = [
    "morphine",
    "oxycodone",
    "hydrocodone",
    "hydromorphone",
    "oxymorphone",
    "codeine",
    "fentanyl",
    "heroin",
    "tramadol",
    "tapentadol",
    "methadone",
    "buprenorphine",
    "naloxone",
    "naltrexone",
    "lofexidine",
    "clonidine",
    "alprazolam",
    "clonazepam",
    "diazepam",
    "lorazepam",
    "zolpidem",
    "eszopiclone",
    "gabapentin",
    "pregabalin",
    "diphenhydramine",
    "doxylamine",
    "hydroxyzine",
    "sertraline",
    "fluoxetine",
    "paroxetine",
    "citalopram",
    "escitalopram",
    "fluvoxamine",
    "venlafaxine",
    "duloxetine",
    "phenelzine",
    "amphetamine",
    "methylphenidate",
    "cocaine",
    "caffeine",
    "trazodone",
    "mirtazapine",
    "quetiapine",
    "warfarin",
    "alcohol",
    "kratom",
    "melatonin",
]

SYMPTOMS = [
    "slow_breathing",
    "unresponsive",
    "blue_lips",
    "pinpoint_pupils",
    "seizure",
    "jaundice",
    "dark_urine",
    "fainting",
    "palpitations",
    "severe_drowsiness",
    "disorientation",
    "confusion",
    "vomiting",
    "diarrhea",
    "agitation",
    "hyperthermia",
    "muscle_rigidity",
    "suicidal_thoughts",
]

# CDC Clinical Practice Guideline for Prescribing Opioids for Pain, 2022 (MMWR Recomm Rep 71(3)), Table.
CDC_2022_MME = {
    "codeine": 0.15,
    "fentanyl": 2.4,
    "hydrocodone": 1.0,
    "hydromorphone": 5.0,
    "methadone": 4.7,
    "morphine": 1.0,
    "oxycodone": 1.5,
    "oxymorphone": 3.0,
    "tapentadol": 0.4,
    "tramadol": 0.2,
}


def raw_catalog() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("morrow.data").joinpath("substances.json").read_text())
    return data


def test_it_holds_every_substance_the_contracts_name() -> None:
    catalog = load_catalog()
    missing = [s for s in REQUIRED if not catalog.has_substance(s)]
    assert missing == []


def test_it_holds_every_symptom_code_the_contracts_name() -> None:
    codes = {s.code for s in load_catalog().symptoms}
    assert set(SYMPTOMS) <= codes


def test_every_substance_and_half_life_has_a_source() -> None:
    for substance in load_catalog().substances:
        assert substance.sources, substance.id
        assert all("http" in source or "UNCONFIRMED" in source for source in substance.sources), substance.id
        if substance.half_life is None:
            assert substance.active_hours_per_unit is not None, substance.id
        else:
            assert substance.half_life.source, substance.id


def test_mme_factors_are_the_cdc_2022_ones() -> None:
    catalog = load_catalog()
    factors = {s.id: s.mme[0].factor for s in catalog.substances if s.mme}
    assert factors == CDC_2022_MME
    assert catalog.substance("fentanyl").mme[0].unit == "mcg_per_h"
    assert catalog.substance("buprenorphine").mme == []


def test_kratom_melatonin_and_alcohol_have_the_shapes_the_contracts_use() -> None:
    catalog = load_catalog()
    kratom = catalog.substance("kratom")
    assert [f.id for f in kratom.forms] == ["leaf_powder", "capsule", "extract", "7oh_concentrate"]
    assert kratom.default_form == "leaf_powder"
    concentrate = kratom.form("7oh_concentrate")
    assert concentrate is not None
    assert concentrate.default_unit == "mg"
    melatonin = catalog.substance("melatonin")
    assert {f.id for f in melatonin.forms} == {"immediate", "prolonged"}
    assert melatonin.default_form == "immediate"
    alcohol = catalog.substance("alcohol")
    assert (alcohol.default_unit, alcohol.active_hours_per_unit, alcohol.active_hours_extra) == ("standard_drink", 1, 2)


def test_every_interaction_group_is_an_item_of_the_interaction_rules() -> None:
    rules = json.loads(resources.files("morrow.data").joinpath("interactions.json").read_text())
    items = set(rules["meta"]["items"])
    groups = {c.interaction_group for c in load_catalog().classes if c.interaction_group}
    assert groups <= items
    # Every rule item is reachable from a class, except the CYP row, matched on the CYP profile instead.
    assert items - groups == {"CYP2D6/CYP3A4 substrates"}


def test_the_shipped_interaction_rules_match_the_shared_research_copy() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "clinical" / "interactions.json"
    if not shared.exists():
        pytest.skip("the shared research folder is not beside this checkout")
    shipped = resources.files("morrow.data").joinpath("interactions.json").read_text()
    assert json.loads(shipped) == json.loads(shared.read_text())


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["substances"][1]["half_life"].update(low_h=-1), "(id 'oxycodone').half_life.low_h"),
        (lambda d: d["substances"][0].update(classes=["wizardry"]), "unknown classes: wizardry"),
        (lambda d: d["substances"].append(copy.deepcopy(d["substances"][0])), "duplicate substance ids: morphine"),
        (lambda d: d["substances"][0].pop("sources"), "(id 'morphine').sources: Field required"),
        (
            lambda d: d["substances"][0].update(id="Morphine!"),
            "substances[0] (id 'Morphine!').id: String should match pattern",
        ),
        (lambda d: d["substances"][0].update(colour="blue"), "colour: Extra inputs are not permitted"),
        (lambda d: d["symptoms"][0].update(kind="bad"), "symptoms[0] (id 'slow_breathing').kind"),
    ],
)
def test_it_refuses_a_malformed_entry_naming_it(mutate: Any, expected: str) -> None:
    data = raw_catalog()
    assert data["substances"][0]["id"] == "morphine"
    assert data["substances"][1]["id"] == "oxycodone"
    mutate(data)
    with pytest.raises(CatalogError) as caught:
        parse_catalog(data)
    assert expected in caught.value.message
    assert "\n" not in caught.value.message


def test_it_refuses_a_file_that_is_not_json(tmp_path: Path) -> None:
    broken = tmp_path / "substances.json"
    broken.write_text('{"version": "x",')
    with pytest.raises(CatalogError, match=r"substances.json is not valid JSON"):
        load_catalog(broken)


def test_an_unknown_id_is_a_clear_error() -> None:
    with pytest.raises(CatalogError, match="unknown substance id 'unicorn'") as caught:
        load_catalog().substance("unicorn")
    assert caught.value.field == "substance"
    with pytest.raises(CatalogError, match="unknown symptom code 'sneezing_fit'"):
        load_catalog().symptom("sneezing_fit")


@pytest.mark.parametrize(
    ("amount", "source", "target", "expected"),
    [
        (1, "g", "mg", 1000),
        (250, "mcg", "mg", 0.25),
        (0.5, "mg", "mcg", 500),
        (2, "standard_drink", "standard_drink", 2),
    ],
)
def test_it_converts_mass_units(amount: float, source: str, target: str, expected: float) -> None:
    assert convert_amount(amount, source, target) == pytest.approx(expected)


@pytest.mark.parametrize(("source", "target"), [("mg", "standard_drink"), ("standard_drink", "g"), ("ml", "ml")])
def test_it_refuses_units_that_do_not_convert(source: str, target: str) -> None:
    with pytest.raises(CatalogError):
        convert_amount(1, source, target)
