"""Plain-words pieces shared by refusal messages."""

from __future__ import annotations

import json
from collections.abc import Iterable


def shown(value: object) -> str:
    """A value as the user typed it in JSON (true, null, "3"), shortened when long."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def listed(values: Iterable[object]) -> str:
    return ", ".join(shown(v) for v in values)
