"""Writes at the same moment: nothing fails, nothing is stored twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from morrow.db.models import DoseLog, QuestionnaireResponse
from morrow.services.actors import Actor
from morrow.services.checkins import record_response
from morrow.services.doses import log_dose
from morrow.services.people import create_patient

NOW = datetime(2026, 11, 21, 4, 0, tzinfo=UTC)
SYSTEM = Actor.system("test")


def run_together(count: int, work: Any) -> list[Any]:
    """Start `count` threads at the same instant; collect each one's result or exception."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def dose(key: str) -> dict[str, Any]:
    return {
        "substance": "kratom",
        "amount": 3,
        "unit": "g",
        "taken_at": "2026-11-20T20:00:00-05:00",
        "idempotency_key": key,
    }


SOWS = {
    "instrument": "sows",
    "answers": {"items": [1] * 16},
    "administered_at": "2026-11-20T22:00:00-05:00",
    "idempotency_key": "retry-sows-001",
}
SAME_AT_ONCE: dict[str, tuple[Callable[[Session, int], tuple[Any, bool]], Any]] = {
    "dose": (
        lambda session, patient_id: log_dose(session, SYSTEM, patient_id, dose("retry-key-001"), now=NOW),
        DoseLog,
    ),
    # A check-in does not look its key up before the insert: its INSERT ... ON CONFLICT DO NOTHING skips a
    # key stored already (under PostgreSQL after waiting for the transaction that stored it to commit).
    "check-in": (
        lambda session, patient_id: record_response(session, SYSTEM, patient_id, SOWS, now=NOW),
        QuestionnaireResponse,
    ),
}


@pytest.mark.parametrize("kind", sorted(SAME_AT_ONCE))
def test_the_same_submission_at_once_from_many_clients_is_stored_once(
    committed: sessionmaker[Session], kind: str
) -> None:
    write, model = SAME_AT_ONCE[kind]
    with committed() as session:
        patient_id = create_patient(session, SYSTEM, {"display_name": "Ana", "timezone": "UTC"}).id

    def submit(_: int) -> tuple[int, bool]:
        with committed() as session:
            stored, created = write(session, patient_id)
            return stored.id, created

    results = run_together(8, submit)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({stored_id for stored_id, _ in results}) == 1
    assert sorted(created for _, created in results) == [False] * 7 + [True]
    with committed() as session, session.begin():
        assert session.scalar(select(func.count(model.id))) == 1


def test_different_submissions_at_once_are_all_stored(committed: sessionmaker[Session]) -> None:
    with committed() as session:
        patient_id = create_patient(session, SYSTEM, {"display_name": "Ben", "timezone": "UTC"}).id

    def submit(index: int) -> int:
        with committed() as session:
            return log_dose(session, SYSTEM, patient_id, dose(f"parallel-{index:04d}"), now=NOW)[0].id

    results = run_together(8, submit)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 8
