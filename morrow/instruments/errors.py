"""The one refusal the questionnaire engine raises: a code, the item at fault, and plain words."""

from __future__ import annotations

from typing import Any

from morrow.domain.errors import ValidationError


class InstrumentError(ValidationError):
    """Input that cannot be scored. Never carries a number: a refusal replaces the score entirely."""

    code = "invalid_response"

    def __init__(self, code: str, message: str, *, item: str | None = None) -> None:
        super().__init__(message, field=item, code=code)

    @property
    def item(self) -> str | None:
        return self.field

    def to_contract_json(self) -> dict[str, Any]:
        """The `morrow score` refusal body (INSTRUMENTS.md §16)."""
        return {"error": {"code": self.code, "item": self.item, "message": self.message}}
