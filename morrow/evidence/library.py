"""Read the graded claims once; look them up by id or by words."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import pydantic

from morrow.domain.errors import ConfigurationError, NotFound
from morrow.evidence.model import Claim, ClaimFile

DEFAULT_FILE = "claims.json"


@lru_cache(maxsize=1)
def claims() -> tuple[Claim, ...]:
    """Every graded claim, in file order (validated on first use)."""
    text = resources.files("morrow.data").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
    try:
        return tuple(ClaimFile.model_validate(json.loads(text)).claims)
    except (pydantic.ValidationError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"{DEFAULT_FILE}: {exc}".splitlines()[0], field="claims") from None


def claim(claim_id: str) -> Claim:
    """The claim with this id; `NotFound` naming the id when there is none."""
    found = next((c for c in claims() if c.id == claim_id), None)
    if found is None:
        raise NotFound(f"unknown claim id {claim_id!r}", field="claim")
    return found


def find_claims(query: str = "") -> list[Claim]:
    """Claims whose id, wording, verdict or summary contain every word of `query` (case-insensitive)."""
    words = query.lower().split()
    return [c for c in claims() if all(w in f"{c.id} {c.claim} {c.verdict} {c.summary}".lower() for w in words)]
