"""One typed error hierarchy. The web and CLI layers map these to responses in one place each."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the user can act on: a stable code, the field at fault (if any), and plain words."""

    code: str = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "message": self.message}


class ValidationError(DomainError):
    """Input that breaks a rule: wrong type, out of range, unknown id."""

    code = "invalid_input"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """The request is well-formed but clashes with stored state (duplicate e-mail, stale edit)."""

    code = "conflict"


class PermissionDenied(DomainError):
    code = "forbidden"


class ConfigurationError(DomainError):
    """Settings or data files that Morrow cannot start with."""

    code = "configuration"
