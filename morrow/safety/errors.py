"""The refusal `parse_situation` raises: a stable code, the field at fault, and plain words."""

from __future__ import annotations

from typing import Any

from morrow.domain.errors import ValidationError


class SituationError(ValidationError):
    """A situation the safety engine will not evaluate. Never partially evaluated: refused whole."""

    code = "invalid_situation"

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message, field=field, code=code)

    def to_contract_json(self) -> dict[str, Any]:
        """The `morrow check` refusal body (ARCHITECTURE.md)."""
        return {"error": {"code": self.code, "field": self.field, "message": self.message}}
