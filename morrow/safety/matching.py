"""Which interactions.json rows apply to two agents: generic code over the matching data file.

An *agent* is a catalog substance, optionally narrowed by a variant (`kratom@7oh`, a 7-OH concentrate).
Its groups come from its classes' `interaction_group`, its own row and its variant. A specific group
(own row, variant) replaces the wider group it names, partner by partner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from morrow.catalog import Substance, load_catalog
from morrow.safety.knowledge import InteractionRow, Matcher, Rating, interaction_table, matching


@dataclass(frozen=True)
class Agent:
    key: str
    substance: Substance
    variant: str | None
    groups: frozenset[str]
    replaces: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.variant is None:
            return self.substance.id
        found = next(v for v in matching().variants if v.id == self.variant)
        return f"{self.substance.id} ({found.label})"


@dataclass(frozen=True)
class RowMatch:
    index: int
    row: InteractionRow
    agent_a: Agent
    agent_b: Agent
    rating: Rating
    subtype: str | None


@lru_cache(maxsize=512)
def agent(key: str) -> Agent:
    substance_id, _, variant_id = key.partition("@")
    substance = load_catalog().substance(substance_id)
    by_class = {c.id: c.interaction_group for c in load_catalog().classes}
    groups = {g for g in (by_class[c] for c in substance.classes) if g}
    replaces: dict[str, tuple[str, ...]] = {}
    for own in matching().own_rows:
        if own.substance == substance.id:
            groups.add(own.group)
            replaces[own.group] = tuple(own.replaces)
    for variant in matching().variants:
        if variant.id == variant_id and variant.substance == substance.id and variant.group:
            groups.add(variant.group)
            replaces[variant.group] = tuple(variant.replaces)
    return Agent(key, substance, variant_id or None, frozenset(groups), replaces)


def matches(matcher: Matcher, who: Agent) -> bool:
    s = who.substance
    checks = (
        not matcher.substances or s.id in matcher.substances,
        not matcher.classes or any(c in matcher.classes for c in s.classes),
        not matcher.flags or any(getattr(s, f) for f in matcher.flags),
        not matcher.cyp_substrate_of or any(e in s.cyp.substrate_of for e in matcher.cyp_substrate_of),
        not matcher.cyp_inhibits or any(e in s.cyp.inhibits for e in matcher.cyp_inhibits),
        not matcher.cyp_inhibits_strong or any(s.cyp.inhibits.get(e) == "strong" for e in matcher.cyp_inhibits_strong),
        not matcher.variants or who.variant in matcher.variants,
        not matcher.any or any(matches(m, who) for m in matcher.any),
    )
    return all(checks)


def inhibits_substrate(inhibitor: Agent, substrate: Agent) -> bool:
    """True when `inhibitor` is a listed CYP inhibitor of an enzyme that `substrate` is cleared by."""
    rule = matching().cyp
    i, s = inhibitor.substance, substrate.substance
    listed = i.id in rule.inhibitor_substances or any(
        i.cyp.inhibits.get(e) == "strong" for e in rule.strong_inhibitors_of
    )
    return listed and any(e in i.cyp.inhibits and e in s.cyp.substrate_of for e in rule.enzymes)


def cyp_involved(who: Agent) -> bool:
    """A listed inhibitor, or a substrate of an enzyme the CYP rows are about."""
    rule = matching().cyp
    s = who.substance
    inhibitor = s.id in rule.inhibitor_substances or any(
        s.cyp.inhibits.get(e) == "strong" for e in rule.strong_inhibitors_of
    )
    return inhibitor or any(e in s.cyp.substrate_of for e in rule.enzymes)


def side_matches(side: str, who: Agent, partner: Agent) -> bool:
    found = matching()
    if side == found.cyp.group:
        # A CYP-involved partner needs a true inhibitor-substrate pair; a CYP-neutral one (melatonin, alcohol,
        # gabapentin) has a row saying so ("low risk", "unknown"), which applies to any CYP-involved agent.
        if cyp_involved(partner):
            return inhibits_substrate(who, partner) or inhibits_substrate(partner, who)
        return cyp_involved(who)
    if side in found.side_matchers:
        return matches(found.side_matchers[side], who)
    return side in who.groups


def rate(row: InteractionRow, a: Agent, b: Agent) -> tuple[Rating, str | None]:
    """The subtype rating when one matches (prose keys; 'other' is the catch-all), else typical or risk."""
    if not row.subtypes:
        return row.risk, None
    fallback: tuple[Rating, str | None] | None = None
    for key, rating in row.subtypes.items():
        spec = matching().subtypes[key]
        if spec == "other":
            fallback = fallback or (rating, key)
        elif all(matches(m, a if side == row.a else b) for side, m in spec.items()):
            return rating, key
    return fallback or (row.typical or row.risk, None)


def row_matches(x: Agent, y: Agent) -> list[RowMatch]:
    """Every row matching the pair, after specific groups replace the wider groups they name."""
    found: list[RowMatch] = []
    for index, row in enumerate(interaction_table().interactions):
        for a, b in ((x, y), (y, x)):
            if side_matches(row.a, a, b) and side_matches(row.b, b, a):
                found.append(RowMatch(index, row, a, b, *rate(row, a, b)))
                break
    sides = {(m.agent_a.key, m.row.a, m.row.b) for m in found} | {(m.agent_b.key, m.row.b, m.row.a) for m in found}

    def replaced(who: Agent, mine: str, other: str) -> bool:
        return any(mine in wider and (who.key, g, other) in sides for g, wider in who.replaces.items())

    return [m for m in found if not replaced(m.agent_a, m.row.a, m.row.b) and not replaced(m.agent_b, m.row.b, m.row.a)]
