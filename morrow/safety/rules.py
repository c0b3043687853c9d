"""The catalogue of rule ids the engine can emit, for docs and tests: data rules plus every pair rule."""

from __future__ import annotations

from morrow.safety.interactions import slug_id
from morrow.safety.knowledge import interaction_table, rule_book


def rule_ids() -> list[str]:
    """Every rule id `evaluate` can return, sorted."""
    pairs = {slug_id(row.a, row.b) for row in interaction_table().interactions}
    return sorted(pairs | {rule.id for rule in rule_book().rules})
