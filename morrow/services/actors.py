"""Who is acting, and from where: every service call names its actor so the audit trail is complete."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None
    label: str
    role: str
    origin: str
    # A patient's own record, as read with their account when this actor was made (the web request's
    # sign-in look-up); the access check then needs no second look-up. None: look it up.
    patient_id: int | None = None

    @classmethod
    def system(cls, origin: str) -> Actor:
        """Morrow itself (the CLI, the demo loader, the worker): no user, named by origin."""
        return cls(user_id=None, label="system", role="system", origin=origin)
