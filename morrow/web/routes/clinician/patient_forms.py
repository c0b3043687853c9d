"""The patient page's record forms: a clinical note, a COWS at a visit, a new regimen version. A refusal shows
the page again (422, or 409 for a clash with what is stored) with the message at the form."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from morrow.domain.errors import ValidationError
from morrow.services.actors import Actor
from morrow.services.doses import IDEMPOTENCY_KEY
from morrow.services.notes import add_note
from morrow.services.regimen_versions import new_regimen_version
from morrow.services.timeline import active_regimen
from morrow.services.triage import patient_today
from morrow.web.deps import DbSession
from morrow.web.forms import is_whole
from morrow.web.routes.clinician.common import FORM_REFUSALS, Clinician, FormFailure, FormFields, form_float, form_int
from morrow.web.routes.clinician.patient_view import render_patient
from morrow.web.routes.clinician.record import cows_items, record_cows

router = APIRouter(include_in_schema=False)
NEW_ITEM = {"substance", "form", "product_id", "dose", "unit", "schedule", "times", "max_doses_per_day", "ceiling_dose"}


@router.post("/patients/{patient_id}/notes")
def note_form(request: Request, db: DbSession, actor: Clinician, form: FormFields, patient_id: int) -> Response:
    data = {"kind": form.get("kind", "visit"), "body": form.get("body", ""),
            "idempotency_key": form.get("idempotency_key") or None}  # fmt: skip
    try:
        add_note(db, actor, patient_id, data)
    except FORM_REFUSALS as exc:
        return render_patient(request, db, actor, patient_id, failed=FormFailure("notes", exc, form))
    return RedirectResponse(f"/patients/{patient_id}#notes", status_code=303)


@router.post("/patients/{patient_id}/cows")
def cows_form(request: Request, db: DbSession, actor: Clinician, values: FormFields, patient_id: int) -> Response:
    try:
        bpm = form_int(values.get("pulse_bpm", ""), "pulse_bpm", optional=True)
        answers: dict[str, int] = {}
        for item in cows_items():
            if item.id == "pulse" and bpm is not None:
                continue
            points = form_int(values.get(item.id, ""), item.id)
            answers[item.id] = points if points is not None else 0
        key = values.get("idempotency_key") or None
        if key is not None and not re.fullmatch(IDEMPOTENCY_KEY, key):
            raise ValidationError("this form has expired; reload the page and try again", field="idempotency_key")
        record_cows(db, actor, patient_id, answers, pulse_bpm=bpm, administered_at=_opened(values), idempotency_key=key)
    except FORM_REFUSALS as exc:
        failed = FormFailure("cows", exc, values, input_name=_cows_input(exc.field))
        return render_patient(request, db, actor, patient_id, failed=failed)
    return RedirectResponse(f"/patients/{patient_id}?kind=score#timeline", status_code=303)


def _opened(values: dict[str, str]) -> datetime:
    """The moment the form was opened: with the key, a resubmission matches what was stored."""
    try:
        opened = datetime.fromisoformat(values.get("opened_at", ""))
    except ValueError:
        return datetime.now(UTC)
    if opened.tzinfo is None or abs(datetime.now(UTC) - opened) > timedelta(hours=12):
        return datetime.now(UTC)
    return opened


def _cows_input(field: str | None) -> str | None:
    """The form input a COWS refusal is about: the pulse helper's `bpm` is the `pulse_bpm` box."""
    if field == "bpm":
        return "pulse_bpm"
    last = (field or "").rsplit(".", 1)[-1]
    return last if last in {item.id for item in cows_items()} else field


@router.post("/patients/{patient_id}/regimen")
def regimen_form(request: Request, db: DbSession, actor: Clinician, form: FormFields, patient_id: int) -> Response:
    try:
        new_regimen_version(db, actor, patient_id, patient_today(db, patient_id), _regimen_input(form))
    except FORM_REFUSALS as exc:
        name = _regimen_input_name(exc.field)
        label = _regimen_labels(db, actor, patient_id).get(name or "")
        failed = FormFailure("regimen", exc, form, input_name=name, label=label, anchor="editor")
        return render_patient(request, db, actor, patient_id, failed=failed)
    return RedirectResponse(f"/patients/{patient_id}#regimen", status_code=303)


def _regimen_input(form: dict[str, str]) -> dict[str, Any]:
    """The service's input from the editor: `dose_12`, `ceiling_dose_12`, `remove_ceiling_12` and `product_12`
    are item 12's; `new_*` the added item; `based_on_regimen_id` the version the page showed."""
    changes: dict[int, dict[str, Any]] = {}
    for key, value in form.items():
        field, _, item_id = key.rpartition("_")
        if not is_whole(item_id):
            continue
        if field == "remove_ceiling" and value:
            changes.setdefault(int(item_id), {})["remove_ceiling"] = True
        elif field in ("dose", "ceiling_dose") and value.strip():
            if field == "dose" or not form.get(f"remove_ceiling_{item_id}"):  # removing wins over the shown ceiling
                changes.setdefault(int(item_id), {})[field] = form_float(value, key)
        elif field == "product":  # always sent: the product chosen, or none
            changes.setdefault(int(item_id), {})["product_id"] = form_int(value, key, optional=True)
    added = None
    typed = [name for name in NEW_ITEM - {"substance", "schedule"} if form.get(f"new_{name}", "").strip()]
    if typed and not form.get("new_substance", "").strip():  # the schedule is a select: it always has a value
        raise ValidationError(
            "new_substance: name the new item's substance, or clear its other fields to add no item",
            field="new_substance",
        )
    if form.get("new_substance", "").strip():
        times = [t.strip() for t in form.get("new_times", "").split(",") if t.strip()]
        added = {
            "substance": form["new_substance"].strip(),
            "form": form.get("new_form", "").strip() or None,
            "product_id": form_int(form.get("new_product_id", ""), "new_product_id", optional=True),
            "dose": form_float(form.get("new_dose", ""), "new_dose"),
            "unit": form.get("new_unit", "").strip(),
            "schedule": form.get("new_schedule", "fixed"),
            "times": times,
            "max_doses_per_day": form_int(
                form.get("new_max_doses_per_day", ""), "new_max_doses_per_day", optional=True
            ),
            "ceiling_dose": form_float(form.get("new_ceiling_dose", ""), "new_ceiling_dose", optional=True),
        }
    starts = form.get("starts_on", "").strip()
    try:
        starts_on = date.fromisoformat(starts) if starts else None
    except ValueError:
        raise ValidationError("starts_on: enter a date such as 2026-03-01", field="starts_on") from None
    based_on = form_int(form.get("based_on_regimen_id", ""), "based_on_regimen_id", optional=True)
    return {"based_on_regimen_id": based_on, "starts_on": starts_on, "reason": form.get("reason", ""),
            "changes": changes, "added": added}  # fmt: skip


def _regimen_input_name(field: str | None) -> str | None:
    """The editor's input for a field `new_regimen_version` names: `changes.12.dose` is `dose_12`,
    `changes.12` the item's fieldset (`item_12`), `added.times` is `new_times`."""
    parts = (field or "").split(".")
    if parts[0] == "changes" and len(parts) >= 2 and is_whole(parts[1]):
        if len(parts) == 2:
            return f"item_{parts[1]}"
        return f"{'product' if parts[2] == 'product_id' else parts[2]}_{parts[1]}"
    if parts[0] == "added":
        return f"new_{parts[1]}" if len(parts) > 1 and parts[1] in NEW_ITEM else "new_item"
    return field


def _regimen_labels(db: Session, actor: Actor, patient_id: int) -> dict[str, str]:
    """Words for the editor's inputs, to start a refusal with: "kratom dose", "New item times"."""
    labels = {f"new_{name}": f"New item {name.removesuffix('_id').replace('_', ' ')}" for name in NEW_ITEM}
    labels |= {"new_item": "New item", "starts_on": "Starts on", "reason": "Reason", "changes": "New version"}
    for item in active_regimen(db, actor, patient_id).items:
        what = item.substance_id.replace("_", " ")
        labels |= {f"dose_{item.id}": f"{what} dose", f"ceiling_dose_{item.id}": f"{what} ceiling",
                   f"remove_ceiling_{item.id}": f"{what} ceiling", f"product_{item.id}": f"{what} product",
                   f"item_{item.id}": what}  # fmt: skip
    return labels
