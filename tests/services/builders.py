"""Small builders the service tests share: a regimen, a check-in, a diary night."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from morrow.db.models import Regimen
from morrow.services.actors import Actor
from morrow.services.checkins import record_response, record_sleep_diary
from morrow.services.regimens import start_regimen

NEW_YORK = ZoneInfo("America/New_York")


def item(**overrides: Any) -> dict[str, Any]:
    return {
        "substance": "kratom",
        "form": "capsule",
        "dose": 2,
        "unit": "g",
        "schedule": "fixed",
        "times": ["08:00", "20:00"],
        "ceiling_dose": 3,
        "titration_max_increase": 0.5,
        "titration_period_days": 7,
        "starts_on": "2026-11-01",
    } | overrides


def set_regimen(session: Session, patient_id: int, starts_on: str = "2026-11-01", *items: dict[str, Any]) -> Regimen:
    chosen = list(items) or [item(starts_on=starts_on)]
    payload = {"title": "Kratom", "starts_on": starts_on, "items": chosen}
    return start_regimen(session, Actor.system("test"), patient_id, payload)


def local(day: date, clock: str, zone: ZoneInfo = NEW_YORK) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=zone)


def check_in(
    session: Session, patient_id: int, instrument: str, answers: dict[str, Any], at: datetime, key: str
) -> None:
    payload = {"instrument": instrument, "answers": answers, "administered_at": at.isoformat(), "idempotency_key": key}
    record_response(session, Actor.system("test"), patient_id, payload, now=at + timedelta(hours=1))


def sows(session: Session, patient_id: int, day: date, item_value: int, clock: str = "09:00") -> None:
    """A SOWS response whose 16 items are all `item_value` (total 16 x item_value)."""
    key = f"sows-{day.isoformat()}-{clock.replace(':', '')}"
    check_in(session, patient_id, "sows", {"items": [item_value] * 16}, local(day, clock), key)


def diary_night(session: Session, patient_id: int, night_of: date, **answers: Any) -> None:
    values = {
        "into_bed": "23:00",
        "try_sleep": "23:00",
        "sol_min": 30,
        "nwak": 1,
        "waso_min": 30,
        "final_wake": "06:30",
        "out_of_bed": "07:00",
    } | answers
    payload = {"night_of": night_of.isoformat(), "answers": values, "idempotency_key": f"night-{night_of}"}
    record_sleep_diary(
        session, Actor.system("test"), patient_id, payload, now=local(night_of + timedelta(days=1), "12:00")
    )
