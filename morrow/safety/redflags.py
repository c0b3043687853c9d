"""Red-flag rules: symptoms and check-ins in the look-back, read against what was active at the time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from morrow.catalog import load_catalog
from morrow.safety.findings import Finding, from_rule, names
from morrow.safety.knowledge import rule_book
from morrow.safety.situation import Checkin, Symptom
from morrow.safety.timeline import Timeline, sedating_ids

# The questionnaires the red-flag rules read. Callers building a situation from stored data may leave
# other check-ins out: they can never change a finding.
INSTRUMENTS_READ = frozenset({"phq9", "cows", "sows", "ess"})

DAY = 86400.0


def _flagged(ids: Iterable[str], flag: str) -> set[str]:
    catalog = load_catalog()
    return {i for i in ids if getattr(catalog.substance(i), flag)}


def _quoted(symptoms: list[Symptom]) -> str:
    catalog = load_catalog()
    labels = dict.fromkeys(f"\u201c{catalog.symptom(s.code).patient_label}\u201d" for s in symptoms)
    return " and ".join(labels)


def _at(tl: Timeline, t: float) -> str:
    return datetime.fromtimestamp(t, tl.zone).isoformat(timespec="minutes")


def symptom_findings(tl: Timeline) -> list[Finding]:
    th = rule_book().thresholds
    recent = tl.recent_of(tl.situation.symptoms)
    if not recent:
        return []
    found: list[Finding] = []

    def of(codes: list[str]) -> list[Symptom]:
        return [s for s in recent if s.code in codes]

    def simple(rule_id: str, codes: list[str], among: frozenset[str] | None) -> None:
        hits = of(codes)
        if hits:
            active = tl.active_at(hits[-1].t)
            shown = active if among is None else active & among
            found.append(
                from_rule(rule_id, symptoms=_quoted(hits), at=_at(tl, hits[-1].t), agents=names(shown) or "none")
            )

    simple("RF-OVERDOSE", th.overdose_symptoms, sedating_ids())
    simple("RF-SEIZURE", th.seizure_symptoms, None)
    simple("RF-DEHYDRATION", th.dehydration_symptoms, frozenset())
    if of(th.suicidality_symptoms):
        found.append(
            _suicidality(
                tl, "you reported thoughts of ending your life or harming yourself", of(th.suicidality_symptoms)[-1].t
            )
        )
    found += _with_agents(
        tl, of(th.serotonin_symptoms), "serotonergic", th.serotonergic_agents, "RF-SEROTONIN-TOXICITY"
    )
    found += _with_agents(tl, of(th.cardiac_symptoms), "qt_prolonging", 1, "RF-CARDIAC-QT")
    found += _with_agents(tl, of(th.sedation_symptoms), "sedating", th.sedation_symptom_agents, "RF-SEDATION")
    found += _liver(tl, of(th.liver_symptoms))
    return found


def _with_agents(tl: Timeline, hits: list[Symptom], flag: str, minimum: int, rule_id: str) -> list[Finding]:
    """One finding when a symptom came while at least `minimum` agents with `flag` were active."""
    for symptom in reversed(hits):
        agents = _flagged(tl.active_at(symptom.t), flag)
        if len(agents) >= minimum:
            return [
                from_rule(rule_id, sorted(agents), symptoms=_quoted(hits), at=_at(tl, symptom.t), agents=names(agents))
            ]
    return []


def _liver(tl: Timeline, hits: list[Symptom]) -> list[Finding]:
    th = rule_book().thresholds
    window = th.liver_window_days * DAY
    for symptom in reversed(hits):
        used = [d for d in tl.doses if d.substance == th.kratom_substance and symptom.t - window <= d.t <= symptom.t]
        if used:
            return [
                from_rule(
                    "RF-KRATOM-LIVER",
                    [th.kratom_substance],
                    symptoms=_quoted(hits),
                    at=_at(tl, symptom.t),
                    days=f"{th.liver_window_days:g}",
                    last=used[-1].taken_at,
                )
            ]
    return []


def _suicidality(tl: Timeline, what: str, t: float) -> Finding:
    return from_rule("RF-SUICIDALITY", what=what, at=_at(tl, t))


def checkin_findings(tl: Timeline) -> list[Finding]:
    th = rule_book().thresholds
    recent = tl.recent_of(tl.situation.checkins)
    found: list[Finding] = []
    phq9 = [c for c in recent if c.instrument == "phq9"]
    positive = [c for c in phq9 if c.result.get("item9_positive") is True]
    unknown = [c for c in phq9 if c.result.get("item9_positive") is None]
    if positive:
        what = "your mood check-in (PHQ-9) showed thoughts that you would be better off dead or of hurting yourself"
        found.append(_suicidality(tl, what, positive[-1].t))
    elif unknown:
        found.append(from_rule("RF-PHQ9-ITEM9-UNANSWERED", at=_at(tl, unknown[-1].t)))
    found += _scored(tl, recent, "cows", lambda total: total >= th.cows_severe, "RF-COWS-SEVERE")
    found += _scored(tl, recent, "sows", lambda total: total >= th.sows_severe, "RF-SOWS-SEVERE")
    for checkin in reversed([c for c in recent if c.instrument == "ess"]):
        agents = sedating_ids() & tl.active_at(checkin.t)
        if checkin.result["total"] > th.ess_excessive_above and len(agents) >= th.ess_sedating_agents:
            found.append(
                from_rule(
                    "RF-ESS-SEDATION",
                    sorted(agents),
                    score=checkin.result["total"],
                    at=_at(tl, checkin.t),
                    agents=names(agents),
                )
            )
            break
    return found


def _scored(
    tl: Timeline, recent: list[Checkin], instrument: str, fires: Callable[[int], bool], rule_id: str
) -> list[Finding]:
    hits = [c for c in recent if c.instrument == instrument and fires(c.result["total"])]
    if not hits:
        return []
    worst = max(hits, key=lambda c: (c.result["total"], c.t))
    return [from_rule(rule_id, score=worst.result["total"], at=_at(tl, worst.t))]
