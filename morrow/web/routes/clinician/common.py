"""What every clinician route shares: the role check, the patient's local day, and form helpers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from morrow.domain.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from morrow.services.actors import Actor
from morrow.web.deps import CurrentUser, client_ip
from morrow.web.forms import is_signed_whole


async def clinician_actor(request: Request, user: CurrentUser) -> Actor:
    """The signed-in clinician; patients and admins are refused (403) before anything is read."""
    if user.role != "clinician":
        raise PermissionDenied("this page is for clinicians", field="role")
    return user.actor(origin=client_ip(request))


Clinician = Annotated[Actor, Depends(clinician_actor)]


def form_int(value: str, field: str, *, optional: bool = False) -> int | None:
    """A whole number typed into a form (digits, perhaps after a minus sign), or a 422 naming the field."""
    text = value.strip()
    if not text and optional:
        return None
    if not is_signed_whole(text):
        raise ValidationError(f"{field}: enter a whole number", field=field)
    return int(text)


# Digits with at most one decimal point, perhaps after a minus sign: what people type. Python's float() also
# takes "1_000", "1e3", "nan" and "inf", which nobody means in a dose field.
_DECIMAL = re.compile(r"-?(?:[0-9]{1,12}(?:\.[0-9]{0,12})?|\.[0-9]{1,12})")


def form_float(value: str, field: str, *, optional: bool = False) -> float | None:
    """A number typed into a form, such as 2, 0.5 or .5, or a 422 naming the field."""
    text = value.strip()
    if not text and optional:
        return None
    if not _DECIMAL.fullmatch(text):
        raise ValidationError(f"{field}: enter a number such as 2 or 0.5", field=field)
    return float(text)


MAX_FIELD = 20_000  # above every service limit (a note: 8,000), so an over-long field is refused, not cut

# Refusals a clinician can act on from the form itself: the page is shown again with the message.
FORM_REFUSALS = (ValidationError, Conflict, NotFound)
REFUSAL_STATUS = ((ValidationError, 422), (Conflict, 409), (NotFound, 404))


@dataclass(frozen=True)
class FormFailure:
    """A form that was not saved: which one (`form`, also its section's anchor), why, and what was typed,
    so the page can show it again with the message above the form and the field marked."""

    form: str
    error: DomainError
    entered: dict[str, str] = field(default_factory=dict)
    input_name: str | None = None  # the form input at fault, when it is not named like the service's field
    label: str | None = None  # words for that input, said in place of the field's name
    anchor: str | None = None

    @property
    def status(self) -> int:
        return next((code for kind, code in REFUSAL_STATUS if isinstance(self.error, kind)), 422)

    @property
    def field(self) -> str | None:
        return self.input_name or self.error.field

    @property
    def message(self) -> str:
        """The refusal in words: a message that starts with the field's name ("current_daily_dose: enter a
        number", "interval_days is required") starts with its label instead."""
        named, message = self.error.field, self.error.message
        if self.label and named and message.startswith((f"{named}:", f"{named} ")):
            return f"{self.label}{message[len(named) :]}"
        return message


async def form_fields(request: Request) -> AsyncIterator[dict[str, str]]:
    """The text fields of a posted form (not the CSRF token). Nothing is cut short: a note that is too long
    is refused by the service, never stored in part; only absurd sizes are cut (and then refused). Files
    sent with it are closed when the request ends."""
    form = await request.form()
    try:
        yield {k: v[:MAX_FIELD] for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    finally:
        await form.close()


# Read in the event loop, so that the route itself can be a plain function run in the thread pool: the
# database work of a form never blocks the loop.
FormFields = Annotated[dict[str, str], Depends(form_fields)]
