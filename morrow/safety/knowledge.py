"""The safety engine's knowledge as typed data: interactions.json, the matching file and the rules file.

Each file is validated by Pydantic once, and cross-checked against the others: every subtype key and
every row side the matcher must understand is listed, every rule id is unique, every claim id exists.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from morrow.domain.errors import ConfigurationError

Enzyme = Literal["CYP3A4", "CYP2D6", "CYP1A2"]
Flag = Literal["sedating", "serotonergic", "qt_prolonging"]
Rating = Literal[
    "dangerous", "unsafe", "caution", "unknown", "low risk & synergy", "low risk & no synergy", "low risk & decrease"
]
Severity = Literal["urgent", "warning", "caution", "info"]
Category = Literal["interaction", "red_flag", "dose", "dependence", "product", "taper"]
Source = Annotated[str, StringConstraints(min_length=10)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Matcher(_Strict):
    """Conditions on one substance; all given conditions must hold, each list matches any of its values."""

    substances: list[str] = []
    classes: list[str] = []
    flags: list[Flag] = []
    cyp_substrate_of: list[Enzyme] = []
    cyp_inhibits: list[Enzyme] = []
    cyp_inhibits_strong: list[Enzyme] = []
    variants: list[str] = []
    any: list[Matcher] = []


class InteractionRow(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    a: str
    b: str
    risk: Rating
    typical: Rating | None = None
    subtypes: dict[str, Rating] = {}
    mechanism: str
    advice: str
    sources: list[Source] = Field(min_length=1)
    basis: str = "unstated"
    confidence: str = "unstated"


class InteractionTable(_Strict):
    meta: dict[str, Any]
    interactions: list[InteractionRow]


class OwnRow(_Strict):
    substance: str
    group: str
    replaces: list[str] = []
    note: str | None = None


class Variant(_Strict):
    id: str
    label: str
    substance: str
    form: str | None = None
    min_amount: float | None = None
    unit: str | None = None
    group: str | None = None
    replaces: list[str] = []
    note: str | None = None


class CypRule(_Strict):
    group: str
    enzymes: list[Enzyme]
    inhibitor_substances: list[str]
    strong_inhibitors_of: list[Enzyme]
    note: str | None = None


class EvidenceLink(_Strict):
    a: str
    b: str
    claims: list[str]


class Matching(_Strict):
    meta: dict[str, Any]
    group_slugs: dict[str, str]
    own_rows: list[OwnRow]
    variants: list[Variant]
    cyp: CypRule
    side_matchers: dict[str, Matcher]
    subtypes: dict[str, dict[str, Matcher] | Literal["other"]]
    evidence: list[EvidenceLink]


class RuleText(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]+(-[A-Z0-9]+)*$")]
    severity: Severity
    category: Category
    title: str
    patient: str
    clinician: str
    sources: list[Source] = Field(min_length=1)
    evidence: list[str] = []


class InteractionWording(_Strict):
    title: str
    patient: dict[str, str]
    clinician: str


class Thresholds(_Strict):
    half_lives_active: float = Field(gt=0)
    lookback_hours: float = Field(gt=0)
    liver_window_days: float = Field(gt=0)
    abstinent_days: int = Field(ge=1)
    cows_severe: int
    sows_severe: int
    ess_excessive_above: int
    kratom_high_dose_g: float = Field(gt=0)
    kratom_weekly_doses: int = Field(ge=1)
    escalation_ratio: float = Field(gt=1)
    escalation_min_days: int = Field(ge=1)
    sedative_load_agents: int = Field(ge=2)
    sedation_symptom_agents: int = Field(ge=1)
    ess_sedating_agents: int = Field(ge=1)
    serotonergic_agents: int = Field(ge=2)
    overdose_symptoms: list[str]
    seizure_symptoms: list[str]
    liver_symptoms: list[str]
    cardiac_symptoms: list[str]
    serotonin_symptoms: list[str]
    suicidality_symptoms: list[str]
    sedation_symptoms: list[str]
    dehydration_symptoms: list[str]
    opioid_classes: list[str]
    opioid_variants: list[str]
    taper_extra_substances: list[str]
    kratom_substance: str
    concentrate_variant: str
    pregnancy_classes: list[str]


class RuleBook(_Strict):
    meta: dict[str, Any]
    thresholds: Thresholds
    rules: list[RuleText]
    interaction_wording: InteractionWording

    def rule(self, rule_id: str) -> RuleText:
        return next(r for r in self.rules if r.id == rule_id)


def _read(name: str) -> Any:
    text = resources.files("morrow.data").joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


def _validated(model: type[BaseModel], name: str) -> Any:
    try:
        return model.model_validate(_read(name))
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigurationError(f"{name}: {where}: {first['msg']}", field=where) from None


@lru_cache(maxsize=1)
def interaction_table() -> InteractionTable:
    table: InteractionTable = _validated(InteractionTable, "interactions.json")
    return table


@lru_cache(maxsize=1)
def matching() -> Matching:
    found: Matching = _validated(Matching, "safety/interaction_matching.json")
    _cross_check(found, interaction_table())
    return found


@lru_cache(maxsize=1)
def rule_book() -> RuleBook:
    book: RuleBook = _validated(RuleBook, "safety/rules.json")
    ids = [r.id for r in book.rules]
    if len(set(ids)) != len(ids):
        raise ConfigurationError("safety/rules.json: duplicate rule ids", field="rules")
    return book


def _cross_check(found: Matching, table: InteractionTable) -> None:
    """Refuse a matching file that leaves any row side or subtype key of interactions.json unexplained."""
    items = set(table.meta.get("items", []))
    for index, row in enumerate(table.interactions):
        for side in (row.a, row.b):
            if side not in found.group_slugs:
                raise ConfigurationError(f"interaction_matching.json: no slug for {side!r}", field="group_slugs")
            known = side in items or side in found.side_matchers or side == found.cyp.group
            if not known:
                raise ConfigurationError(
                    f"interactions[{index}]: side {side!r} is neither a group nor a side matcher", field="side_matchers"
                )
        for key in row.subtypes:
            spec = found.subtypes.get(key)
            if spec is None:
                raise ConfigurationError(f"interactions[{index}]: no matcher for subtype {key!r}", field="subtypes")
            if spec != "other" and not set(spec) <= {row.a, row.b}:
                raise ConfigurationError(f"subtype {key!r} names a side not in row {row.a!r} + {row.b!r}", field=key)
