"""Interaction findings: pre-resolved pair rules (one per agent pair, cached) over overlapping active windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from morrow.safety.findings import Finding
from morrow.safety.knowledge import interaction_table, matching, rule_book
from morrow.safety.matching import Agent, RowMatch, agent, row_matches

SEVERITY_OF = {"dangerous": "urgent", "unsafe": "warning", "caution": "caution"}
Intervals = dict[str, list[tuple[float, float]]]


@dataclass(frozen=True)
class PairRule:
    """Everything about a pair that does not depend on time, worked out once per process."""

    rule_id: str
    severity: str
    substances: tuple[str, ...]
    title: str
    patient_message: str
    clinician_template: str
    sources: tuple[str, ...]
    evidence: tuple[str, ...]

    def finding(self, overlap: str) -> Finding:
        return Finding(
            rule_id=self.rule_id,
            severity=self.severity,
            category="interaction",
            substances=self.substances,
            title=self.title,
            patient_message=self.patient_message,
            clinician_message=self.clinician_template.replace("{overlap}", overlap),
            sources=self.sources,
            evidence=self.evidence,
        )


_CACHE: dict[tuple[str, str], PairRule | None] = {}


def pair_rule(key_a: str, key_b: str) -> PairRule | None:
    """The resolved rule for two agent keys (order-free), or None when no row applies."""
    pair = (key_a, key_b) if key_a <= key_b else (key_b, key_a)
    if pair not in _CACHE:
        _CACHE[pair] = _resolve(agent(pair[0]), agent(pair[1]))
    return _CACHE[pair]


def _rank(rating: str) -> int:
    order: list[str] = interaction_table().meta["risk_order"]
    return order.index(rating)


def slug_id(a: str, b: str) -> str:
    slugs = matching().group_slugs
    return f"INT-{slugs[a]}-{slugs[b]}"


def _evidence(matches: list[RowMatch]) -> tuple[str, ...]:
    claims: list[str] = []
    for m in matches:
        for link in matching().evidence:
            for a, b in ((m.row.a, m.row.b), (m.row.b, m.row.a)):
                if link.a == a and link.b in (b, "*"):
                    claims += [c for c in link.claims if c not in claims]
    return tuple(claims)


def _resolve(x: Agent, y: Agent) -> PairRule | None:
    if x.key == y.key:
        return None
    found = row_matches(x, y)
    if not found:
        return None
    cyp = matching().cyp.group
    found.sort(key=lambda m: (_rank(m.rating), cyp in (m.row.a, m.row.b), m.index))
    top = found[0]
    severity = SEVERITY_OF.get(top.rating, "info")
    names = f"{top.agent_a.label} and {top.agent_b.label}"
    wording = rule_book().interaction_wording
    both_sedating = top.agent_a.substance.sedating and top.agent_b.substance.sedating
    tone = "urgent_sedating" if severity == "urgent" and both_sedating else severity
    others = "".join(f" Also matched: '{m.row.a}' + '{m.row.b}' rated '{m.rating}'." for m in found[1:])
    clinician = wording.clinician.format(
        names=names,
        overlap="{overlap}",
        a=top.row.a,
        b=top.row.b,
        rating=top.rating,
        subtype=f" (subtype '{top.subtype}')" if top.subtype else "",
        confidence=top.row.confidence,
        basis=top.row.basis,
        mechanism=top.row.mechanism,
        advice=top.row.advice,
        others=others,
    )
    sources: list[str] = []
    for m in found:
        sources += [s for s in m.row.sources if s not in sources]
    return PairRule(
        rule_id=slug_id(top.row.a, top.row.b),
        severity=severity,
        substances=tuple(sorted({x.substance.id, y.substance.id})),
        title=wording.title.format(names=names, rating=top.rating),
        patient_message=wording.patient[tone].format(names=names, rating=top.rating),
        clinician_template=clinician,
        sources=tuple(sources),
        evidence=_evidence(found),
    )


def interaction_findings(intervals: Intervals, zone: ZoneInfo) -> list[Finding]:
    """One finding per agent pair whose active windows overlap (windows already cut to the look-back)."""
    keys = sorted(intervals)
    findings: list[Finding] = []
    for i, key_a in enumerate(keys):
        for key_b in keys[i + 1 :]:
            rule = pair_rule(key_a, key_b)
            if rule is None:
                continue
            start = _first_overlap(intervals[key_a], intervals[key_b])
            if start is not None:
                when = datetime.fromtimestamp(start, zone).isoformat(timespec="minutes")
                findings.append(rule.finding(f"both active from {when}"))
    return findings


def _first_overlap(xs: list[tuple[float, float]], ys: list[tuple[float, float]]) -> float | None:
    for xs_start, xs_end in xs:
        for ys_start, ys_end in ys:
            start = max(xs_start, ys_start)
            if start < min(xs_end, ys_end):
                return start
    return None
