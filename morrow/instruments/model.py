"""Pydantic models for instrument definition files: a definition that breaks these rules never loads."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from morrow.instruments.consistency import check_form, check_scale, check_value

SnakeId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
InstrumentId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*[a-z0-9]$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(Strict):
    """One question. `values` are the legal answers; `reverse` scores an answer as min + max - answer."""

    id: SnakeId
    label: str = Field(min_length=1, max_length=120)
    values: tuple[int, ...] = ()
    reverse: bool = False
    loinc: str | None = None


class Band(Strict):
    """A severity label for scores from `min` to `max`, both inclusive."""

    label: SnakeId
    min: float
    max: float


class Flag(Strict):
    """A safety signal kept apart from the band: `source` (the total or an item) compared to a threshold."""

    id: SnakeId
    source: str
    op: Literal[">=", ">"]
    threshold: float
    note: str = ""


class Subscale(Strict):
    id: SnakeId
    label: str
    items: tuple[str, ...] = Field(min_length=1)


class MissingRule(Strict):
    """`refuse`: every item must be answered. `prorate`: up to `max_missing` items may be null."""

    rule: Literal["refuse", "prorate"]
    max_missing: int = Field(default=0, ge=0)
    rounding: Literal["half_up", "ceiling"] = "half_up"
    note: str = ""


class ExtraField(Strict):
    """A recorded, never scored answer beside the items (PHQ-9's difficulty question)."""

    id: SnakeId
    label: str
    values: tuple[int, ...] = Field(min_length=1)


class Scoring(Strict):
    """`sum` gives an integer total; `mean` a 2-decimal score; `sum_lookup` a raw sum and a table value."""

    method: Literal["sum", "mean", "sum_lookup"]
    output: SnakeId
    range: tuple[float, float]
    lookup_output: SnakeId | None = None
    lookup: dict[int, float] | None = None


class InputField(Strict):
    """One named answer of a form-shaped instrument (sleep diary, PSQI)."""

    id: SnakeId
    label: str
    type: Literal["clock", "minutes", "count", "ordinal", "hours", "text"]
    required: bool = True
    min: float | None = None
    max: float | None = None


class ValueMap(Strict):
    """Inputs from `min` to `max` (inclusive) score `points`."""

    min: float
    max: float
    points: int


class Common(Strict):
    id: InstrumentId
    version: str = Field(min_length=1)
    title: str
    measures: str
    rater: Literal["self", "clinician"]
    recall_period: str
    source: tuple[str, ...] = Field(min_length=1)
    licence: str = Field(min_length=1)
    loinc: dict[str, str] = Field(default_factory=dict)
    notes: str = ""


class ScaleDefinition(Common):
    """A questionnaire whose answers are items scored by one generic rule."""

    kind: Literal["scale"]
    input: Literal["list", "mapping"]
    items_key: SnakeId = "items"
    answer_type: Literal["integer", "boolean"] = "integer"
    items: tuple[Item, ...] = Field(min_length=1)
    scoring: Scoring
    bands: tuple[Band, ...] = ()
    missing: MissingRule
    flags: tuple[Flag, ...] = ()
    subscales: tuple[Subscale, ...] = ()
    extra_fields: tuple[ExtraField, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_scale(self)
        return self


class ValueDefinition(Common):
    """A single number in, scored as itself or mapped to points."""

    kind: Literal["value"]
    field: SnakeId
    integer: bool
    min: float
    max: float
    output: SnakeId
    points: tuple[ValueMap, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_value(self)
        return self


class FormDefinition(Common):
    """Named answers whose arithmetic is code (`sleep_diary`, `psqi`); bands and flags stay data."""

    kind: Literal["sleep_diary", "psqi"]
    fields: tuple[InputField, ...] = Field(min_length=1)
    outputs: tuple[SnakeId, ...] = Field(min_length=1)
    bands: tuple[Band, ...] = ()
    flags: tuple[Flag, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_form(self)
        return self


Definition = Annotated[ScaleDefinition | ValueDefinition | FormDefinition, Field(discriminator="kind")]


class SymptomLevel(Strict):
    value: int
    label: str


class Symptom(Strict):
    code: SnakeId
    label: str


class SymptomChecklist(Strict):
    """A side-effect report: each symptom rated on `levels`; recorded, never totalled."""

    id: SnakeId
    version: str
    title: str
    substances: tuple[str, ...]
    levels: tuple[SymptomLevel, ...] = Field(min_length=2)
    symptoms: tuple[Symptom, ...] = Field(min_length=1)
    source: tuple[str, ...] = Field(min_length=1)
    licence: str
    notes: str = ""
