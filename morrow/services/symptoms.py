"""Symptom and side-effect reports: catalog symptom codes, each rated 0 (none) to 3 (severe)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy.orm import Session

from morrow.catalog import Catalog, load_catalog
from morrow.db.models import SymptomReport
from morrow.domain.errors import ValidationError
from morrow.services.actors import Actor
from morrow.services.alerts import check_patient
from morrow.services.doses import FUTURE_TOLERANCE, IDEMPOTENCY_KEY
from morrow.services.idempotency import store_once
from morrow.services.inputs import Moment, Payload, parse


class SymptomReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reported_at: Moment
    symptoms: dict[str, StrictInt] = Field(min_length=1, max_length=60)
    note: str | None = Field(default=None, max_length=2000)
    idempotency_key: str = Field(pattern=IDEMPOTENCY_KEY)


def report_symptoms(
    session: Session,
    actor: Actor,
    patient_id: int,
    data: SymptomReportCreate | Payload,
    *,
    now: datetime | None = None,
    catalog: Catalog | None = None,
) -> tuple[SymptomReport, bool]:
    values = parse(SymptomReportCreate, data)
    catalog = catalog or load_catalog()
    for code, severity in values.symptoms.items():
        catalog.symptom(code)
        if not 0 <= severity <= 3:
            raise ValidationError(f"symptoms.{code}: {severity} is not 0, 1, 2 or 3", field=f"symptoms.{code}")
    if values.reported_at > (now or datetime.now(UTC)) + FUTURE_TOLERANCE:
        raise ValidationError("a report cannot be dated in the future", field="reported_at")
    symptoms = dict(sorted(values.symptoms.items()))
    moment = now or datetime.now(UTC)
    return store_once(
        session,
        actor,
        then=lambda _: check_patient(session, actor, patient_id, moment),
        now=moment,
        model=SymptomReport,
        entity="symptom_report",
        patient_id=patient_id,
        key=values.idempotency_key,
        build=lambda: SymptomReport(
            patient_id=patient_id,
            reported_at=values.reported_at,
            symptoms=symptoms,
            note=values.note,
            reported_by_id=actor.user_id,
            idempotency_key=values.idempotency_key,
        ),
        matches=lambda existing: (
            existing.symptoms == symptoms
            and existing.reported_at == values.reported_at
            and existing.note == values.note
        ),
    )
