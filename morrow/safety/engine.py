"""`evaluate(situation, now)`: every rule over one situation, in a stable order. Pure and deterministic."""

from __future__ import annotations

from datetime import datetime

from morrow.safety.doses import kratom_findings, product_findings, regimen_findings, use_findings
from morrow.safety.findings import Finding, from_rule, names
from morrow.safety.interactions import interaction_findings
from morrow.safety.knowledge import rule_book
from morrow.safety.redflags import checkin_findings, symptom_findings
from morrow.safety.situation import Situation
from morrow.safety.timeline import Timeline, sedative_load


def evaluate(situation: Situation, now: datetime) -> list[Finding]:
    """All findings for `situation` as of `now` (aware), ordered by severity, rule id, then substances.

    Only doses, check-ins and symptoms at or before `now` count. One finding per fingerprint.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    thresholds = rule_book().thresholds
    timeline = Timeline.build(situation, now, thresholds.lookback_hours)
    findings = interaction_findings(timeline.intervals, timeline.zone)
    load = sedative_load(timeline, thresholds.sedative_load_agents)
    if load:
        findings.append(from_rule("INT-SEDATIVE-LOAD", sorted(load), count=len(load), agents=names(load)))
    findings += symptom_findings(timeline)
    findings += checkin_findings(timeline)
    findings += product_findings(timeline)
    findings += regimen_findings(timeline)
    findings += kratom_findings(timeline)
    findings += use_findings(timeline)
    findings.sort(key=lambda f: f.sort_key)
    seen: set[str] = set()
    unique: list[Finding] = []
    for finding in findings:
        if finding.fingerprint not in seen:
            seen.add(finding.fingerprint)
            unique.append(finding)
    return unique
