"""Shared helpers for the patient pages and API."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from morrow.domain.errors import PermissionDenied
from morrow.services.auth import SignedIn

EMERGENCY_STEPS = (
    "If someone is very sleepy, cannot be woken, or is breathing slowly or not at all: call 911 "
    "(or your local emergency number) now.",
    "Give naloxone (Narcan) if you have it. If they do not wake up after 2 to 3 minutes, give a second dose.",
    "Stay with them. If they are breathing, lay them on their side.",
    "If you are thinking about harming yourself, call or text 988 (Suicide & Crisis Lifeline), any time.",
)


def own_patient(user: SignedIn) -> int:
    """The signed-in patient's own record id; these pages are for patients."""
    if user.role != "patient" or user.patient_id is None:
        raise PermissionDenied("these pages are for patients; clinicians see patients from Triage", field="role")
    return user.patient_id


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_key(prefix: str) -> str:
    """A fresh idempotency key for one form: a resubmitted form sends the same key, so it stores once."""
    return f"{prefix}-{secrets.token_hex(10)}"
