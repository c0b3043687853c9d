"""Who is acting, and from where: every service call names its actor so the audit trail is complete."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None
    label: str
    role: str
    origin: str

    @classmethod
    def system(cls, origin: str) -> Actor:
        """Morrow itself (the CLI, the demo loader, the worker): no user, named by origin."""
        return cls(user_id=None, label="system", role="system", origin=origin)
