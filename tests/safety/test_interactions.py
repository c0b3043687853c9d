"""Interaction rules: every interactions.json row through catalog classes, subtypes, own rows and 7-OH."""

from __future__ import annotations

from itertools import combinations

import pytest

from morrow.catalog import load_catalog
from morrow.safety.interactions import pair_rule, slug_id
from morrow.safety.knowledge import interaction_table, matching
from morrow.safety.matching import agent, row_matches
from tests.safety.conftest import at, dose, findings, situation

AGENTS = [s.id for s in load_catalog().substances] + [f"{v.substance}@{v.id}" for v in matching().variants]


def _pair(a: str, b: str, amount_a: float = 1, amount_b: float = 1) -> list[tuple[str, str, tuple[str, ...]]]:
    def one(key: str, amount: float) -> dict[str, object]:
        substance, _, variant = key.partition("@")
        unit = load_catalog().substance(substance).default_unit
        extra = {"form": "7oh_concentrate"} if variant == "7oh" else {}
        return dose(substance, amount, "mg" if variant == "7oh" else unit, at(1), **extra)

    raw = situation([one(a, amount_a), one(b, amount_b)])
    return [(f.rule_id, f.severity, f.substances) for f in findings(raw) if f.category == "interaction"]


@pytest.mark.parametrize(
    ("a", "b", "rule_id", "severity"),
    [
        ("kratom", "clonazepam", "INT-KRATOM-BENZODIAZEPINE", "urgent"),
        ("kratom", "alcohol", "INT-KRATOM-ALCOHOL", "urgent"),
        ("kratom", "oxycodone", "INT-KRATOM-OPIOID", "urgent"),
        ("kratom", "methadone", "INT-KRATOM-METHADONE", "warning"),
        ("kratom", "buprenorphine", "INT-KRATOM-CYP", "warning"),
        ("kratom", "melatonin", "INT-KRATOM-MELATONIN", "caution"),
        ("kratom", "cocaine", "INT-KRATOM-STIMULANT", "urgent"),
        ("kratom", "amphetamine", "INT-KRATOM-STIMULANT", "caution"),
        ("kratom", "phenelzine", "INT-KRATOM-MAOI", "caution"),
        ("kratom", "quetiapine", "INT-KRATOM-CYP", "warning"),
        ("kratom", "warfarin", "INT-KRATOM-CYP", "caution"),
        ("methadone", "oxycodone", "INT-OPIOID-METHADONE", "urgent"),
        ("methadone", "sertraline", "INT-METHADONE-SSRI", "caution"),
        ("methadone", "fluvoxamine", "INT-METHADONE-SSRI", "warning"),
        ("methadone", "fluoxetine", "INT-METHADONE-CYP", "warning"),
        ("buprenorphine", "alcohol", "INT-BUPRENORPHINE-ALCOHOL", "urgent"),
        ("melatonin", "zolpidem", "INT-MELATONIN-ZDRUG", "caution"),
        ("melatonin", "fluvoxamine", "INT-MELATONIN-SSRI", "caution"),
        ("melatonin", "warfarin", "INT-MELATONIN-ANTICOAGULANT", "caution"),
        ("melatonin", "caffeine", "INT-MELATONIN-CYP1A2", "caution"),
        ("tramadol", "sertraline", "INT-OPIOID-SSRI", "urgent"),
        ("oxycodone", "fluoxetine", "INT-OPIOID-SSRI", "caution"),
        ("oxycodone", "ketoconazole", "INT-OPIOID-CYP", "warning"),
        ("tramadol", "phenelzine", "INT-OPIOID-MAOI", "urgent"),
        ("morphine", "phenelzine", "INT-OPIOID-MAOI", "caution"),
        ("lofexidine", "methadone", "INT-LOFEXIDINE-DEPRESSANT", "caution"),
        ("melatonin", "sertraline", "INT-MELATONIN-SSRI", "info"),
        ("lofexidine", "alprazolam", "INT-LOFEXIDINE-DEPRESSANT", "caution"),
        ("kratom@7oh", "methadone", "INT-7OH-METHADONE", "urgent"),
        ("kratom@7oh", "buprenorphine", "INT-7OH-BUPRENORPHINE", "warning"),
        ("kratom@7oh", "kratom", "INT-KRATOM-7OH", "urgent"),
        ("diphenhydramine@high_dose", "sertraline", "INT-ANTIHISTAMINE-SSRI", "urgent"),
        ("diphenhydramine", "sertraline", "INT-ANTIHISTAMINE-SSRI", "caution"),
        ("phenelzine", "sertraline", "INT-MAOI-SSRI", "urgent"),
    ],
)
def test_it_rates_a_pair_through_catalog_classes(a: str, b: str, rule_id: str, severity: str) -> None:
    rule = pair_rule(a, b)
    assert rule is not None
    assert (rule.rule_id, rule.severity) == (rule_id, severity)
    assert rule.sources


def test_it_reports_the_pair_with_catalog_ids_only() -> None:
    assert _pair("kratom@7oh", "alprazolam") == [("INT-7OH-BENZODIAZEPINE", "urgent", ("alprazolam", "kratom"))]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("sertraline", "citalopram"),  # two SSRIs: no row pairs a group with itself
        ("oxycodone", "sertraline"),  # two CYP substrates: neither is a listed inhibitor
        ("alprazolam", "quetiapine"),  # two CYP3A4 substrates
        ("naloxone", "naltrexone"),
        ("zolpidem", "clonazepam"),
        ("methadone", "sertraline"),
    ],
)
def test_it_does_not_raise_cyp_rows_between_two_substrates(a: str, b: str) -> None:
    matched = {(m.row.a, m.row.b) for m in row_matches(agent(a), agent(b))}
    assert not any("CYP2D6/CYP3A4 substrates" in pair for pair in matched)


@pytest.mark.parametrize(
    ("a", "b"), [("gabapentin", "sertraline"), ("alcohol", "oxycodone"), ("melatonin", "fentanyl")]
)
def test_it_rates_cyp_rows_of_cyp_neutral_agents_at_most_info(a: str, b: str) -> None:
    cyp = [m for m in row_matches(agent(a), agent(b)) if "CYP2D6/CYP3A4 substrates" in (m.row.a, m.row.b)]
    assert cyp
    assert all(m.rating not in {"dangerous", "unsafe", "caution"} for m in cyp)


def test_it_lets_a_substances_own_row_replace_its_class_row() -> None:
    matched = {(m.row.a, m.row.b) for m in row_matches(agent("methadone"), agent("alprazolam"))}
    assert ("methadone", "benzodiazepines") in matched
    assert ("opioids (full agonists)", "benzodiazepines") not in matched


def test_it_lets_7oh_rows_take_precedence_over_kratom_rows() -> None:
    matched = {(m.row.a, m.row.b) for m in row_matches(agent("kratom@7oh"), agent("alprazolam"))}
    assert ("7-OH concentrates", "benzodiazepines") in matched
    assert ("kratom", "benzodiazepines") not in matched
    assert ("kratom", "CYP2D6/CYP3A4 substrates") not in matched


def test_it_keeps_kratom_rows_without_a_7oh_counterpart() -> None:
    matched = {(m.row.a, m.row.b) for m in row_matches(agent("kratom@7oh"), agent("lofexidine"))}
    assert ("kratom", "QT-prolonging drugs (methadone, lofexidine, some antipsychotics/antidepressants)") in matched


@pytest.mark.parametrize(
    ("a", "b"),
    [("melatonin", "buprenorphine"), ("melatonin", "methadone"), ("melatonin", "caffeine@none"),
     ("kratom", "caffeine"), ("kratom@7oh", "warfarin"), ("sertraline", "amphetamine"), ("alprazolam", "sertraline")],
)  # fmt: skip
def test_it_gives_at_most_info_for_unknown_and_low_risk_ratings(a: str, b: str) -> None:
    b = b.removesuffix("@none")
    rule = pair_rule(a, b)
    if a == "melatonin" and b == "caffeine":
        assert rule is not None
        assert rule.severity == "caution"
        return
    assert rule is None or rule.severity == "info"


def test_it_never_rates_a_pair_of_the_same_agent() -> None:
    assert pair_rule("kratom", "kratom") is None


def test_it_can_reach_every_interactions_row_from_some_pair_of_catalog_substances() -> None:
    reached: set[int] = set()
    for a, b in combinations(AGENTS, 2):
        reached |= {m.index for m in row_matches(agent(a), agent(b))}
    missing = [(r.a, r.b) for i, r in enumerate(interaction_table().interactions) if i not in reached]
    assert missing == []


def test_it_can_reach_every_subtype_from_some_pair() -> None:
    reached: set[tuple[int, str]] = set()
    for a, b in combinations(AGENTS, 2):
        reached |= {(m.index, m.subtype) for m in row_matches(agent(a), agent(b)) if m.subtype}
    wanted = {(i, key) for i, row in enumerate(interaction_table().interactions) for key in row.subtypes}
    assert sorted(wanted - reached) == []


def test_it_gives_every_row_a_documented_rule_id() -> None:
    ids = {slug_id(r.a, r.b) for r in interaction_table().interactions}
    assert len(ids) == len(interaction_table().interactions)


def test_it_words_every_pair_with_sources_and_a_severity() -> None:
    for a, b in combinations(AGENTS, 2):
        rule = pair_rule(a, b)
        if rule is not None:
            assert rule.sources
            assert rule.patient_message
            assert rule.title
            assert rule.severity in {"urgent", "warning", "caution", "info"}
