"""Use cases shared by the patient page and its API: a COWS visit with the pulse helper, a new regimen version."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from morrow.db.models import QuestionnaireResponse, Regimen, RegimenItem
from morrow.domain.errors import ValidationError
from morrow.instruments import get_instrument, score
from morrow.services.actors import Actor
from morrow.services.checkins import record_response
from morrow.services.regimens import start_regimen
from morrow.services.timeline import active_regimen


def cows_items() -> list[Any]:
    definition = get_instrument("cows")
    return list(getattr(definition, "items", ()))


def pulse_points(bpm: int) -> int:
    """COWS item 1 from a resting pulse, by the instrument's own anchors."""
    points: int = score("cows-pulse", {"bpm": bpm})["points"]
    return points


def record_cows(
    session: Session,
    actor: Actor,
    patient_id: int,
    answers: Mapping[str, int],
    *,
    pulse_bpm: int | None = None,
    administered_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> QuestionnaireResponse:
    """Store a clinician-rated COWS; the pulse points come from `pulse_bpm` when it is given."""
    points = dict(answers)
    if pulse_bpm is not None:
        points["pulse"] = pulse_points(pulse_bpm)
    moment = administered_at or datetime.now(UTC)
    payload = {
        "instrument": "cows",
        "answers": {"items": points},
        "administered_at": moment.isoformat(),
        "idempotency_key": idempotency_key or f"cows-{secrets.token_hex(8)}",
    }
    response, _ = record_response(session, actor, patient_id, payload)
    return response


def copied_item(item: RegimenItem, starts_on: date) -> dict[str, Any]:
    return {
        "substance": item.substance_id,
        "form": item.form,
        "dose": item.dose,
        "unit": item.unit,
        "schedule": item.schedule_kind,
        "times": list(item.times),
        "minutes_before_bedtime": item.minutes_before_bedtime,
        "max_doses_per_day": item.max_doses_per_day,
        "min_interval_minutes": item.min_interval_minutes,
        "ceiling_dose": item.ceiling_dose,
        "titration_max_increase": item.titration_max_increase,
        "titration_period_days": item.titration_period_days,
        "starts_on": max(item.starts_on, starts_on).isoformat(),
        "ends_on": None if item.ends_on is None else item.ends_on.isoformat(),
        "reason": item.reason,
    }


def new_regimen_version(
    session: Session,
    actor: Actor,
    patient_id: int,
    *,
    starts_on: date,
    reason: str,
    changes: Mapping[int, Mapping[str, Any]],
    added: Mapping[str, Any] | None,
) -> Regimen:
    """A new version of the active regimen from `starts_on`: items copied with the clinician's changes
    (dose, ceiling) and an optional new item. `start_regimen` checks everything and ends the old version."""
    current = active_regimen(session, actor, patient_id)
    kept = [i for i in current.items if i.ends_on is None or i.ends_on >= starts_on]
    unknown = set(changes) - {i.id for i in kept}
    if unknown:
        raise ValidationError(f"no item {min(unknown)} in the active regimen", field="items")
    items = [copied_item(i, starts_on) | dict(changes.get(i.id, {})) for i in kept]
    if added:
        items.append({"starts_on": starts_on.isoformat(), **added})
    payload = {
        "title": current.regimen.title if current.regimen else "Regimen",
        "starts_on": starts_on.isoformat(),
        "reason": reason,
        "items": items,
    }
    return start_regimen(session, actor, patient_id, payload)
