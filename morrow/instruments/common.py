"""Checks every scorer makes on the outer payload."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from morrow.instruments.describe import listed, shown
from morrow.instruments.errors import InstrumentError


def require_object(payload: object) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise InstrumentError("not_an_object", f"the answers must be a JSON object, not {shown(payload)}")
    return payload


def reject_unknown_fields(payload: Mapping[str, Any], allowed: Collection[str]) -> None:
    for key in payload:
        if key not in allowed:
            raise InstrumentError(
                "unknown_field",
                f"unknown field {shown(key)} (expected: {listed(sorted(allowed))})",
                item=str(key),
            )
