"""Definitions compiled to scorers once per process; `score` is a dictionary look-up and a call."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Protocol

from morrow.instruments.describe import shown
from morrow.instruments.errors import InstrumentError
from morrow.instruments.loader import load_definitions
from morrow.instruments.model import Definition, FormDefinition, ScaleDefinition
from morrow.instruments.psqi import PsqiScorer
from morrow.instruments.scales import ScaleScorer
from morrow.instruments.sleep_diary import SleepDiaryScorer
from morrow.instruments.value import ValueScorer


class Scorer(Protocol):
    @property
    def definition(self) -> Definition: ...

    def score(self, payload: Mapping[str, Any]) -> dict[str, Any]: ...


def compile_definition(definition: Definition) -> Scorer:
    if isinstance(definition, ScaleDefinition):
        return ScaleScorer(definition)
    if isinstance(definition, FormDefinition):
        return SleepDiaryScorer(definition) if definition.kind == "sleep_diary" else PsqiScorer(definition)
    return ValueScorer(definition)


@lru_cache(maxsize=1)
def scorers() -> dict[str, Scorer]:
    return {d.id: compile_definition(d) for d in load_definitions()}


def scorer_for(instrument_id: object) -> Scorer:
    found = scorers().get(instrument_id.lower()) if isinstance(instrument_id, str) else None
    if found is None:
        raise InstrumentError(
            "unknown_instrument",
            f"unknown instrument {shown(instrument_id)} (known: {', '.join(sorted(scorers()))})",
        )
    return found


def score(instrument_id: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Score one response; raises InstrumentError (never returns a number) when it must be refused."""
    return scorer_for(instrument_id).score(payload)


def get_instrument(instrument_id: str) -> Definition:
    return scorer_for(instrument_id).definition


def instrument_ids() -> list[str]:
    return sorted(scorers())
