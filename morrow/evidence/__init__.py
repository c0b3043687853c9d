"""The evidence library: graded claims about kratom and melatonin, each with its verdict and citations.

Product text may present a claim as fact only when its verdict is `supported`; `insufficient` and
`contradicted` claims are named only to say so. Entries whose details are unverified say UNCONFIRMED.
"""

from __future__ import annotations

from morrow.evidence.library import claim, claims, find_claims
from morrow.evidence.model import Claim, Verdict

__all__ = ["Claim", "Verdict", "claim", "claims", "find_claims"]
