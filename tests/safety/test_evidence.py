"""The evidence library: graded claims, look-ups, the `morrow evidence` command, and honest product text."""

from __future__ import annotations

import json
import re
from itertools import combinations
from pathlib import Path

import pytest

from morrow.catalog import load_catalog
from morrow.domain.errors import NotFound
from morrow.evidence import claim, claims, find_claims
from morrow.safety.interactions import pair_rule
from morrow.safety.knowledge import matching, rule_book
from tests.safety.conftest import RunCli

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path("/work/shared/clinical/claims.json")


def test_it_ships_the_shared_claims_with_stable_ids() -> None:
    shipped = json.loads((ROOT / "morrow" / "data" / "claims.json").read_text())
    assert len(claims()) == 24
    if SHARED.exists():
        source = json.loads(SHARED.read_text())
        assert [{k: v for k, v in c.items() if k != "id"} for c in shipped["claims"]] == source["claims"]


def test_it_finds_claims_by_every_word_of_the_query() -> None:
    assert [c.id for c in find_claims("boosts melatonin")] == ["kratom-boosts-melatonin"]
    assert {c.verdict for c in find_claims("contradicted")} == {"contradicted"}
    assert len(find_claims("")) == 24


def test_it_looks_up_a_claim_by_id_or_says_it_does_not_exist() -> None:
    assert claim("kratom-avoid-alcohol").verdict == "supported"
    with pytest.raises(NotFound):
        claim("kratom-cures-everything")


def test_it_marks_unconfirmed_entries() -> None:
    assert claim("kratom-avoid-opioids").unconfirmed
    assert not claim("kratom-avoid-alcohol").unconfirmed


def test_it_links_findings_only_to_known_supported_claims() -> None:
    linked = {c for rule in rule_book().rules for c in rule.evidence}
    linked |= {c for link in matching().evidence for c in link.claims}
    assert all(claim(c).verdict == "supported" for c in linked)


def test_it_prints_claims_as_json_for_scripts(run_cli: RunCli) -> None:
    outcome = run_cli("evidence", "diuretic", "--json")
    assert outcome.exit_code == 0
    (found,) = outcome.body["claims"]
    assert (found["id"], found["verdict"]) == ("kratom-diuretic", "insufficient")
    assert set(found) == {"id", "claim", "verdict", "summary", "sources", "unconfirmed"}


def test_it_prints_a_table_for_people(run_cli: RunCli) -> None:
    outcome = run_cli("evidence", "alcohol")
    assert outcome.exit_code == 0
    assert "kratom-avoid-alcohol" in outcome.stdout
    assert "supported" in outcome.stdout


# Affirmative wordings of claims graded insufficient or contradicted; product text must never contain them.
FORBIDDEN = [
    r"kratom (is|are) (safe|harmless|non-?addictive)",
    r"(kratom|it) (is )?not addictive",
    r"without the addictive",
    r"kratom (boosts|increases|raises) (your )?melatonin",
    r"(increase|raise) (the |your )?(kratom )?dose gradually",
    r"(?<!present as )synergistic",
    r"kratom (reduces|relieves|eases|treats) (opioid )?(withdrawal|cravings|anxiety|pain)",
    r"melatonin (improves|lifts|boosts) (your )?mood",
    r"(red|white) vein",
    r"kratom is a diuretic",
]


def _product_text() -> list[str]:
    texts = [t for r in rule_book().rules for t in (r.title, r.patient, r.clinician)]
    texts += list(rule_book().interaction_wording.patient.values())
    agents = [s.id for s in load_catalog().substances] + ["kratom@7oh", "diphenhydramine@high_dose"]
    for a, b in combinations(agents, 2):
        rule = pair_rule(a, b)
        if rule is not None:
            texts += [rule.title, rule.patient_message, rule.clinician_template]
    texts += [p.read_text() for p in sorted((ROOT / "docs" / "safety").glob("*.md"))]
    return texts


def test_it_never_presents_an_insufficient_or_contradicted_claim_as_fact() -> None:
    texts = _product_text()
    for pattern in FORBIDDEN:
        offending = [t[:120] for t in texts if re.search(pattern, t, re.IGNORECASE)]
        assert offending == [], pattern
