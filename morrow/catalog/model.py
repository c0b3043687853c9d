"""Typed shape of the substance catalog. Pydantic validates the data file against it at start-up."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

from morrow.domain.errors import ValidationError

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=64)]
Source = Annotated[str, StringConstraints(min_length=10)]
MassUnit = Literal["g", "mg", "mcg"]
Unit = Literal["g", "mg", "mcg", "standard_drink"]


class CatalogError(ValidationError):
    """A catalog that cannot be loaded, or a lookup of an id the catalog does not hold."""

    code = "catalog"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HalfLife(_Strict):
    """Elimination half-life range in hours for typical adults, with where it comes from."""

    low_h: float = Field(gt=0)
    high_h: float = Field(gt=0)
    source: Source
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> HalfLife:
        if self.high_h < self.low_h:
            raise ValueError("high_h must be at least low_h")
        return self


class MmeFactor(_Strict):
    """CDC 2022 morphine-milligram-equivalent conversion factor for one route and dose unit."""

    route: str
    unit: Literal["mg", "mcg", "mcg_per_h"]
    factor: float = Field(gt=0)
    source: Source
    note: str | None = None


class SubstanceForm(_Strict):
    """A product form (kratom `capsule`) or release (melatonin `prolonged`), with its practical step."""

    id: Id
    label: str
    default_unit: Unit
    min_step: float = Field(gt=0, description="Smallest practical dose change, in default_unit.")
    note: str | None = None


class CypProfile(_Strict):
    """Metabolic roles that the CYP interaction rows of interactions.json are matched on."""

    substrate_of: list[Literal["CYP3A4", "CYP2D6", "CYP1A2"]] = []
    inhibits: dict[Literal["CYP3A4", "CYP2D6", "CYP1A2"], Literal["strong", "moderate", "weak"]] = {}


class Substance(_Strict):
    id: Id
    name: str
    classes: list[Id] = Field(min_length=1)
    default_unit: Unit
    forms: list[SubstanceForm] = []
    default_form: Id | None = None
    half_life: HalfLife | None = None
    active_hours_per_unit: float | None = Field(
        default=None, gt=0, description="For substances without a half-life (alcohol): hours active per unit."
    )
    active_hours_extra: float | None = Field(default=None, ge=0)
    mme: list[MmeFactor] = []
    sedating: bool = False
    serotonergic: bool = False
    qt_prolonging: bool = False
    cyp: CypProfile = CypProfile()
    aliases: list[str] = []
    sources: list[Source] = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Substance:
        form_ids = [f.id for f in self.forms]
        if len(set(form_ids)) != len(form_ids):
            raise ValueError("form ids must be unique")
        if self.default_form is not None and self.default_form not in form_ids:
            raise ValueError(f"default_form {self.default_form!r} is not one of its forms {form_ids}")
        if self.forms and self.default_form is None:
            raise ValueError("a substance with forms must name its default_form")
        if self.half_life is None and self.active_hours_per_unit is None:
            raise ValueError("needs a half_life, or active_hours_per_unit for substances without one")
        return self

    def form(self, form_id: str | None) -> SubstanceForm | None:
        wanted = form_id or self.default_form
        return next((f for f in self.forms if f.id == wanted), None)


class SubstanceClass(_Strict):
    """A pharmacological class; `interaction_group` names its item in interactions.json, if any."""

    id: Id
    label: str
    interaction_group: str | None = None
    sedating: bool = False
    note: str | None = None


class SymptomCode(_Strict):
    code: Id
    label: str
    patient_label: str
    kind: Literal["overdose_sign", "red_flag", "side_effect", "withdrawal", "mood"]
    note: str | None = None


class Catalog(_Strict):
    version: str
    classes: list[SubstanceClass]
    substances: list[Substance]
    symptoms: list[SymptomCode]
    sources_note: str | None = None
    _by_id: dict[str, Substance] = PrivateAttr(default_factory=dict)
    _symptoms: dict[str, SymptomCode] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._by_id = {s.id: s for s in self.substances}
        self._symptoms = {s.code: s for s in self.symptoms}

    @model_validator(mode="after")
    def _references(self) -> Catalog:
        for kind, ids in (
            ("class", [c.id for c in self.classes]),
            ("substance", [s.id for s in self.substances]),
            ("symptom", [s.code for s in self.symptoms]),
        ):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"duplicate {kind} ids: {', '.join(dupes)}")
        known = {c.id for c in self.classes}
        for substance in self.substances:
            unknown = [c for c in substance.classes if c not in known]
            if unknown:
                raise ValueError(f"substance {substance.id!r} names unknown classes: {', '.join(unknown)}")
        return self

    def substance(self, substance_id: str) -> Substance:
        """The substance with this id; a `CatalogError` naming the id when there is none."""
        found = self._by_id.get(substance_id)
        if found is None:
            raise CatalogError(f"unknown substance id {substance_id!r}", field="substance")
        return found

    def has_substance(self, substance_id: str) -> bool:
        return substance_id in self._by_id

    def symptom(self, code: str) -> SymptomCode:
        found = self._symptoms.get(code)
        if found is None:
            raise CatalogError(f"unknown symptom code {code!r}", field="symptoms")
        return found

    def of_class(self, class_id: str) -> list[Substance]:
        return [s for s in self.substances if class_id in s.classes]
