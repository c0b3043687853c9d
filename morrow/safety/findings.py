"""What the engine returns: `Finding`, its stable order and fingerprint, and rule wording from data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from morrow.safety.knowledge import RuleText, rule_book

SEVERITIES = ("urgent", "warning", "caution", "info")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
CATEGORIES = ("interaction", "red_flag", "dose", "dependence", "product", "taper")


@dataclass(frozen=True, slots=True)
class Finding:
    """One safety finding. `substances` are catalog ids (a 7-OH concentrate is `kratom`), sorted."""

    rule_id: str
    severity: str
    category: str
    substances: tuple[str, ...]
    title: str
    patient_message: str
    clinician_message: str
    sources: tuple[str, ...]
    evidence: tuple[str, ...] = ()
    scope: str | None = None

    @property
    def fingerprint(self) -> str:
        """Stable de-duplication key: the same condition evaluated again gives the same fingerprint."""
        key = f"{self.rule_id}:{','.join(self.substances)}"
        return f"{key}:{self.scope}" if self.scope else key

    @property
    def sort_key(self) -> tuple[int, str, tuple[str, ...], str]:
        return SEVERITY_RANK[self.severity], self.rule_id, self.substances, self.scope or ""

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "category": self.category,
            "substances": list(self.substances),
            "title": self.title,
            "patient_message": self.patient_message,
            "clinician_message": self.clinician_message,
            "sources": list(self.sources),
            "evidence": list(self.evidence),
            "fingerprint": self.fingerprint,
        }


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def from_rule(
    rule_id: str, substances: list[str] | tuple[str, ...] = (), scope: str | None = None, **fields: object
) -> Finding:
    """A finding worded by the rule's templates in safety/rules.json, filled with `fields`."""
    rule: RuleText = rule_book().rule(rule_id)
    values = _Blank({k: _text(v) for k, v in fields.items()})
    return Finding(
        rule_id=rule.id,
        severity=rule.severity,
        category=rule.category,
        substances=tuple(sorted(set(substances))),
        title=rule.title.format_map(values),
        patient_message=rule.patient.format_map(values),
        clinician_message=rule.clinician.format_map(values),
        sources=tuple(rule.sources),
        evidence=tuple(rule.evidence),
        scope=scope,
    )


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def names(ids: Iterable[str]) -> str:
    """`kratom, melatonin and alcohol`: readable list of catalog ids, sorted."""
    ordered = sorted(ids)
    if len(ordered) <= 1:
        return "".join(ordered)
    return f"{', '.join(ordered[:-1])} and {ordered[-1]}"
