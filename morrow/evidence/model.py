"""Typed shape of the graded-claims file (`morrow/data/claims.json`), validated by Pydantic on load."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Verdict = Literal["supported", "mixed", "insufficient", "contradicted"]
ClaimId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
Source = Annotated[str, StringConstraints(min_length=10)]
UNCONFIRMED = "UNCONFIRMED"


class Claim(BaseModel):
    """One graded claim from the source articles, with the evidence summary and its citations."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: ClaimId
    claim: str = Field(min_length=5)
    verdict: Verdict
    summary: str = Field(min_length=10)
    sources: list[Source] = Field(min_length=1)

    @property
    def unconfirmed(self) -> bool:
        """True when the summary or a citation carries a detail marked UNCONFIRMED in the evidence base."""
        return UNCONFIRMED in self.summary or any(UNCONFIRMED in s for s in self.sources)

    @property
    def established(self) -> bool:
        """May product text present this claim as fact? Only when the evidence supports it."""
        return self.verdict == "supported"

    def to_json(self) -> dict[str, Any]:
        return {**self.model_dump(), "unconfirmed": self.unconfirmed}


class ClaimFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    meta: dict[str, Any]
    claims: list[Claim] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ClaimFile:
        ids = [c.id for c in self.claims]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate claim ids: {', '.join(dupes)}")
        return self
