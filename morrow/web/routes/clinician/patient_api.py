"""The patient view's JSON API: timeline, regimen with MME, notes and COWS visits."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from morrow.services.mme import regimen_mme
from morrow.services.notes import add_note
from morrow.services.timeline import KINDS, active_regimen, timeline
from morrow.services.triage import patient_today
from morrow.web.deps import DbSession
from morrow.web.routes.clinician.common import Clinician
from morrow.web.routes.clinician.record import record_cows
from morrow.web.routes.clinician.schemas import (
    CowsBody,
    CowsPublic,
    NoteBody,
    NotePublic,
    RegimenItemPublic,
    RegimenPublic,
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
    days: Annotated[int, Query(ge=1, le=31)] = 7,
    kind: Annotated[list[str] | None, Query()] = None,
) -> TimelinePublic:
    """Doses, scores, sleep nights, alerts and notes of `days` local days ending `until` (default today), newest
    first; `kind` (repeatable) filters. The next page ends on `older_until`."""
    page = timeline(db, actor, patient_id, until=until, days=days, kinds=kind or list(KINDS))
    return TimelinePublic(
        patient_id=page.patient_id,
        first_day=page.first_day,
        last_day=page.last_day,
        kinds=list(page.kinds),
        entries=[
            TimelineEntryPublic(kind=e.kind, id=e.id, at=e.at, day=e.day, title=e.title, detail=e.detail)
            for e in page.entries
        ],
        older_until=page.older_until,
    )


@router.get("/api/v1/patients/{patient_id}/regimen", response_model=RegimenPublic, summary="Active regimen with MME")
def regimen_api(db: DbSession, actor: Clinician, patient_id: int) -> RegimenPublic:
    """The active regimen's items, and the morphine milligram equivalents per day of its opioid items."""
    view = active_regimen(db, actor, patient_id)
    mme = regimen_mme(db, actor, patient_id, patient_today(db, patient_id))
    by_item = {i.regimen_item_id: i for i in mme.items}
    items = []
    for item in view.items:
        found = by_item.get(item.id)
        items.append(
            RegimenItemPublic(
                id=item.id,
                substance=item.substance_id,
                form=item.form,
                dose=item.dose,
                unit=item.unit,
                schedule=item.schedule_kind,
                times=list(item.times),
                max_doses_per_day=item.max_doses_per_day,
                ceiling_dose=item.ceiling_dose,
                titration_max_increase=item.titration_max_increase,
                titration_period_days=item.titration_period_days,
                mme_per_day=found.mme_per_day if found else None,
                mme_notes=list(found.notes) if found else [],
            )
        )
    regimen = view.regimen
    return RegimenPublic(
        patient_id=patient_id,
        regimen_id=None if regimen is None else regimen.id,
        title=None if regimen is None else regimen.title,
        starts_on=None if regimen is None else regimen.starts_on,
        items=items,
        total_mme_per_day=mme.total_mme_per_day,
        mme_incomplete=mme.incomplete,
    )


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
