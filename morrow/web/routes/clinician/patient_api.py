"""The patient view's JSON API: timeline, regimen with MME (and its editor), notes and COWS visits."""

from __future__ import annotations

from datetime import date
from typing import Annotated, cast

from fastapi import APIRouter, Query, Response

from morrow.services.notes import add_note
from morrow.services.regimen_versions import new_regimen_version
from morrow.services.timeline import KINDS, MAX_DAYS, timeline
from morrow.services.triage import patient_today
from morrow.web.deps import DbSession
from morrow.web.routes.clinician.common import Clinician
from morrow.web.routes.clinician.public import regimen_public
from morrow.web.routes.clinician.record import record_cows
from morrow.web.routes.clinician.schemas import (
    CowsBody,
    CowsPublic,
    NoteBody,
    NotePublic,
    RegimenPublic,
    RegimenVersionBody,
    TimelineEntryPublic,
    TimelinePublic,
)

router = APIRouter(tags=["clinician"])


@router.get("/api/v1/patients/{patient_id}/timeline", response_model=TimelinePublic, summary="Patient timeline")
def timeline_api(
    db: DbSession,
    actor: Clinician,
    patient_id: int,
    until: date | None = None,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS)] = 7,
    kind: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """Doses, scores, sleep nights, alerts and notes of `days` local days (up to a year) ending `until` (default
    today), newest first; `kind` (repeatable) filters. The next page ends on `older_until`."""
    page = timeline(db, actor, patient_id, until=until, days=days, kinds=kind or list(KINDS))
    body = TimelinePublic.model_construct(  # built from the service's own typed values: nothing to validate
        patient_id=page.patient_id,
        first_day=page.first_day,
        last_day=page.last_day,
        kinds=list(page.kinds),
        entries=cast(list[TimelineEntryPublic], [entry._asdict() for entry in page.entries]),
        older_until=page.older_until,
    )
    # Serialised once here; a year is about a thousand entries, which FastAPI would validate again.
    return Response(body.model_dump_json(), media_type="application/json")


@router.get("/api/v1/patients/{patient_id}/regimen", response_model=RegimenPublic, summary="Active regimen with MME")
def regimen_api(db: DbSession, actor: Clinician, patient_id: int) -> RegimenPublic:
    """The active regimen's items (with the product each names, if any), and the morphine milligram equivalents
    per day of its opioid items."""
    return regimen_public(db, actor, patient_id, patient_today(db, patient_id))


@router.post(
    "/api/v1/patients/{patient_id}/regimen",
    response_model=RegimenPublic,
    status_code=201,
    summary="Start a new regimen version",
)
def new_regimen_api(db: DbSession, actor: Clinician, patient_id: int, body: RegimenVersionBody) -> RegimenPublic:
    """A new version of the active regimen from `starts_on` (default: the patient's today; at most 90 days ahead),
    as the page's editor does: every item still in force is copied with the `changes` given by its regimen item
    id (`dose`, `ceiling_dose`, `product_id`; null `product_id` names no product; `remove_ceiling: true` removes
    a ceiling, which `ceiling_dose: null` alone never does), and an `added` item if given. A reason is required
    and a version that changes nothing is refused. Give `based_on_regimen_id` (the `regimen_id` you read) and the
    change is refused (409) if someone else started a version since. The current version ends the day before;
    history is kept. A product must exist and be of the item's substance. Refusals name the input:
    `changes.<item id>.dose`, `added.times`, `starts_on`, `based_on_regimen_id`."""
    today = patient_today(db, patient_id)
    data = {
        "based_on_regimen_id": body.based_on_regimen_id,
        "starts_on": body.starts_on,
        "reason": body.reason,
        "changes": {item_id: change.model_dump(exclude_unset=True) for item_id, change in body.changes.items()},
        "added": None if body.added is None else body.added.model_dump(exclude_none=True),
    }
    new_regimen_version(db, actor, patient_id, today, data)
    return regimen_public(db, actor, patient_id, today)


@router.post("/api/v1/patients/{patient_id}/notes", response_model=NotePublic, status_code=201, summary="Add a note")
def note_api(db: DbSession, actor: Clinician, patient_id: int, body: NoteBody) -> NotePublic:
    """A clinical note from a visit, call or message, written now by the signed-in clinician."""
    note = add_note(
        db, actor, patient_id, {"kind": body.kind, "body": body.body, "idempotency_key": body.idempotency_key}
    )
    return NotePublic(
        id=note.id, patient_id=note.patient_id, kind=note.kind, body=note.body, written_at=note.written_at
    )


@router.post("/api/v1/patients/{patient_id}/cows", response_model=CowsPublic, status_code=201, summary="Record a COWS")
def cows_api(db: DbSession, actor: Clinician, patient_id: int, body: CowsBody) -> CowsPublic:
    """A clinician-rated COWS: the 11 item points in `answers`; give `pulse_bpm` instead of `answers.pulse` and
    Morrow converts it with the published pulse anchors."""
    response = record_cows(
        db, actor, patient_id, body.answers, pulse_bpm=body.pulse_bpm,
        administered_at=body.administered_at, idempotency_key=body.idempotency_key,
    )  # fmt: skip
    items = response.answers.get("items", {})
    return CowsPublic(
        id=response.id,
        patient_id=response.patient_id,
        answers={str(k): int(v) for k, v in items.items()},
        total=response.total,
        band=response.band,
        administered_at=response.administered_at,
    )
