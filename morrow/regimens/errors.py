"""The one refusal the regimens engine raises: a stable code, the field at fault, and plain words."""

from __future__ import annotations

from typing import Any

from morrow.domain.errors import ValidationError


class RegimenError(ValidationError):
    """Input the engine will not plan or assess. A refusal replaces the result entirely."""

    code = "invalid_value"

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, code=code)

    def to_contract_json(self) -> dict[str, Any]:
        """The refusal body of the JSON contracts (`morrow taper plan`)."""
        return {"error": {"code": self.code, "field": self.field, "message": self.message}}
