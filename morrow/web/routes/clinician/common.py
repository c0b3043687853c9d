"""What every clinician route shares: the role check, the patient's local day, and form helpers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from morrow.domain.errors import PermissionDenied, ValidationError
from morrow.services.actors import Actor
from morrow.web.deps import CurrentUser, client_ip


def clinician_actor(request: Request, user: CurrentUser) -> Actor:
    """The signed-in clinician; patients and admins are refused (403) before anything is read."""
    if user.role != "clinician":
        raise PermissionDenied("this page is for clinicians", field="role")
    return user.actor(origin=client_ip(request))


Clinician = Annotated[Actor, Depends(clinician_actor)]


def form_int(value: str, field: str, *, optional: bool = False) -> int | None:
    """A whole number typed into a form, or a 422 naming the field."""
    text = value.strip()
    if not text and optional:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValidationError(f"{field}: enter a whole number", field=field) from None


def form_float(value: str, field: str, *, optional: bool = False) -> float | None:
    text = value.strip()
    if not text and optional:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValidationError(f"{field}: enter a number", field=field) from None
