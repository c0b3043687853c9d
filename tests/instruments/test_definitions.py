"""Definition files: every shipped instrument loads, carries its provenance, and bad definitions never load."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from morrow.domain.errors import ConfigurationError
from morrow.instruments import InstrumentError, get_instrument, instrument_ids, score
from morrow.instruments.loader import parse_definition
from morrow.instruments.model import ScaleDefinition
from morrow.instruments.registry import compile_definition

EXPECTED_IDS = ["cows", "cows-pulse", "craving-vas", "csd", "dsm5-sud", "ess", "gad7", "isi", "ocs", "peg", "phq9",
                "promis-sd-8a", "psqi", "sows"]  # fmt: skip


def test_it_ships_every_instrument_of_the_spec() -> None:
    assert instrument_ids() == EXPECTED_IDS


@pytest.mark.parametrize(
    ("instrument", "rater", "recall"),
    [("cows", "clinician", "now"), ("sows", "self", "now"), ("isi", "self", "last 2 weeks"),
     ("peg", "self", "past week"), ("phq9", "self", "last 2 weeks"), ("gad7", "self", "last 2 weeks"),
     ("psqi", "self", "past month"), ("promis-sd-8a", "self", "past 7 days")],
)  # fmt: skip
def test_it_records_rater_and_recall_period(instrument: str, rater: str, recall: str) -> None:
    definition = get_instrument(instrument.upper())
    assert (definition.id, definition.rater) == (instrument, rater)
    assert definition.recall_period.startswith(recall)
    assert definition.version
    assert definition.title
    assert definition.source
    assert definition.licence


def test_it_stores_loinc_codes_only_where_the_spec_marks_them_verified() -> None:
    with_loinc = {
        i for i in instrument_ids()
        if (d := get_instrument(i)).loinc or (isinstance(d, ScaleDefinition) and any(it.loinc for it in d.items))
    }  # fmt: skip
    assert with_loinc == {"phq9", "gad7"}
    phq9 = get_instrument("phq9")
    assert isinstance(phq9, ScaleDefinition)
    assert phq9.loinc["total"] == "44261-6"
    assert phq9.items[8].loinc == "44260-8"


def test_it_never_uses_the_pain_scale_code_for_cows() -> None:
    assert "72514-3" not in json.dumps(get_instrument("cows").model_dump(exclude={"notes"}))


@pytest.mark.parametrize("instrument", ["isi", "psqi", "ess"])
def test_it_keeps_copyrighted_wording_out(instrument: str) -> None:
    definition = get_instrument(instrument)
    assert "not reproduced" in definition.licence
    labels = [f.label for f in getattr(definition, "fields", ())] + [i.label for i in getattr(definition, "items", ())]
    assert labels
    assert all(len(label) <= 60 for label in labels)


def test_it_refuses_an_unknown_instrument_id() -> None:
    with pytest.raises(InstrumentError) as caught:
        score("kds", {"items": []})
    assert caught.value.code == "unknown_instrument"
    with pytest.raises(InstrumentError):
        get_instrument("nope")


def _phq9_raw() -> dict[str, Any]:
    text = resources.files("morrow.data").joinpath("instruments/phq9.json").read_text(encoding="utf-8")
    raw: dict[str, Any] = json.loads(text)
    return raw


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"scoring": {"method": "sum", "output": "total", "range": [0, 26]}}, "range"),
        ({"bands": [{"label": "low", "min": 0, "max": 9}, {"label": "high", "min": 11, "max": 27}]}, "gap"),
        ({"bands": [{"label": "low", "min": 0, "max": 10}, {"label": "high", "min": 10, "max": 27}]}, "overlap"),
        ({"bands": [{"label": "low", "min": 0, "max": 10}, {"label": "high", "min": 11, "max": 26}]}, "run from"),
        ({"flags": [{"id": "x", "source": "item10", "op": ">=", "threshold": 1}]}, "neither"),
        ({"subscales": [{"id": "x", "label": "x", "items": ["item10"]}]}, "unknown items"),
        ({"missing": {"rule": "prorate", "max_missing": 0}}, "prorate"),
        ({"missing": {"rule": "refuse", "max_missing": 2}}, "refuse"),
        ({"rater": "parent"}, "rater"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_it_refuses_to_load_an_inconsistent_definition(change: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_definition(_phq9_raw() | change, name="phq9.json")
    assert complaint in caught.value.message
    assert caught.value.message.startswith("phq9.json")


def test_it_refuses_items_whose_values_are_not_increasing() -> None:
    raw = _phq9_raw()
    raw["items"][0]["values"] = [3, 2, 1, 0]
    with pytest.raises(ConfigurationError):
        parse_definition(raw)


def test_it_scores_a_reverse_keyed_item_as_min_plus_max_minus_the_answer() -> None:
    definition = parse_definition(
        {
            "id": "mini", "version": "1", "title": "Mini", "measures": "x", "rater": "self", "recall_period": "now",
            "source": ["test"], "licence": "test", "kind": "scale", "input": "list",
            "items": [{"id": "a", "label": "A", "values": [0, 1, 2, 3]},
                      {"id": "b", "label": "B", "values": [0, 1, 2, 3], "reverse": True}],
            "scoring": {"method": "sum", "output": "total", "range": [0, 6]},
            "missing": {"rule": "refuse"},
        }
    )  # fmt: skip
    assert compile_definition(definition).score({"items": [1, 0]})["total"] == 4
