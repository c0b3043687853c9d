"""A COWS visit with the pulse helper, shared by the patient page and its API. (A new regimen version is
`morrow.services.regimen_versions.new_regimen_version`.)"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from morrow.db.models import QuestionnaireResponse
from morrow.instruments import get_instrument, score
from morrow.services.actors import Actor
from morrow.services.checkins import record_response


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
