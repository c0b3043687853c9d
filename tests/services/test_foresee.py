"""A check-in's safety evaluation is made before its write transaction (`alerts.foresee`) and used only when
the record's version shows that nothing else changed it since; otherwise the write evaluates again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import morrow.services.alerts as alerts_service
from morrow.db.models import Alert, Patient
from morrow.services.actors import Actor
from morrow.services.alerts import _alerting
from morrow.services.checkins import prepare_response, store_response
from morrow.services.doses import log_dose
from morrow.services.people import create_patient
from morrow.services.situation import build_situation
from morrow.services.tx import atomic
from tests.conftest import Cast
from tests.services.test_situation import CHECKINS, NOW, _store, entries

KEYS = iter(range(10**9))


def checkin(instrument: str, answers: Any, hours_ago: float) -> dict[str, Any]:
    at = NOW - timedelta(hours=hours_ago)
    return {
        "instrument": instrument,
        "answers": answers,
        "administered_at": at.isoformat(),
        "idempotency_key": f"foresee-{next(KEYS):08d}",
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    entries=entries,
    pick=st.integers(0, len(CHECKINS) - 1),
    hours_ago=st.sampled_from([0, 0.5, 23.9, 24, 24.1, 30]),  # around the 24-hour look-back's edge
    tie=st.booleans(),
)
def test_the_foreseen_record_is_the_record_read_after_the_write(
    session: Session, cast: Cast, entries: list[tuple[str, int, int]], pick: int, hours_ago: float, tie: bool
) -> None:
    """Whatever the record, the situation worked out before the write, with the new check-in added, is the
    one read back after it, rows in the same order (a check-in given at the same moment as a stored one
    comes after it), and so are the findings."""
    system = Actor.system("test")
    patient_id = cast.alice_patient.id
    for kind, which, ago in entries:
        _store(session, system, patient_id, kind, which, ago)
    instrument, answers = CHECKINS[pick]
    if tie:  # the same moment as a check-in already stored
        _store(session, system, patient_id, "checkin", pick, int(hours_ago))
        hours_ago = int(hours_ago)
    prepared = prepare_response(session, system, patient_id, checkin(instrument, answers, hours_ago), now=NOW)
    store_response(session, system, prepared)
    with atomic(session):
        patient = session.get(Patient, patient_id)
        assert patient is not None
        after = build_situation(session, patient, NOW)
    foreseen = prepared.foreseen
    assert [tuple(r) for r in foreseen.stored.record.responses] == [tuple(r) for r in after.record.responses]
    assert foreseen.stored.situation == after.situation
    assert foreseen.findings == _alerting(after, NOW)
    assert foreseen.stored.recorded_after == after.recorded_after


def _alcohol_alert(session: Session) -> Alert:
    with atomic(session):
        return session.scalars(select(Alert).where(Alert.rule_id == "INT-KRATOM-ALCOHOL")).one()


def _a_drink_between_the_evaluation_and_the_write(
    phone: Session, tablet: Session, actor: Actor, patient_id: int, monkeypatch: pytest.MonkeyPatch, tag: str
) -> None:
    """Kratom; a check-in evaluated and written with nothing in between (the evaluation made before the write
    is used); then a check-in evaluated on `phone`, a drink logged from `tablet` before it is written, and
    the write: it evaluated a record without the drink, so it evaluates again and sees the pair."""
    evaluated_in_the_write: list[int] = []
    real = alerts_service.build_situation  # type: ignore[attr-defined]

    def counted(*args: Any, **kwargs: Any) -> Any:
        evaluated_in_the_write.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(alerts_service, "build_situation", counted)
    kratom = {"substance": "kratom", "amount": 3, "unit": "g", "taken_at": (NOW - timedelta(hours=2)).isoformat()}
    log_dose(phone, actor, patient_id, kratom | {"idempotency_key": f"kratom-{tag}"}, now=NOW)
    instrument, answers = CHECKINS[0]
    evaluated_in_the_write.clear()
    first = prepare_response(phone, actor, patient_id, checkin(instrument, answers, 1.5), now=NOW)
    store_response(phone, actor, first)
    assert evaluated_in_the_write == []

    prepared = prepare_response(phone, actor, patient_id, checkin(instrument, answers, 1), now=NOW)
    assert all(f.rule_id != "INT-KRATOM-ALCOHOL" for f in prepared.foreseen.findings)
    drink = {"substance": "alcohol", "amount": 2, "unit": "standard_drink"}
    taken = {"taken_at": (NOW - timedelta(hours=1)).isoformat(), "idempotency_key": f"alcohol-{tag}"}
    log_dose(tablet, actor, patient_id, drink | taken, now=NOW)
    assert _alcohol_alert(tablet).occurrences == 1
    evaluated_in_the_write.clear()
    store_response(phone, actor, prepared)
    assert evaluated_in_the_write == [1]
    assert _alcohol_alert(phone).occurrences == 2  # seen again by the check-in's own evaluation


def test_a_record_changed_between_the_evaluation_and_the_write_is_evaluated_again(
    session: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = cast.actor(cast.alice)
    _a_drink_between_the_evaluation_and_the_write(session, session, alice, cast.alice_patient.id, monkeypatch, "0001")


def test_a_dose_committed_from_another_connection_after_the_evaluation_is_seen_by_the_write(
    committed: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in the test above, but for real: the check-in's session and the drink's session are two database
    connections, each committing on its own, so the version the write reads is what the other connection
    committed (triggers on SQLite and PostgreSQL alike)."""
    system = Actor.system("test")
    with committed() as phone, committed() as tablet:
        patient_id = create_patient(phone, system, {"display_name": "Ana", "timezone": "UTC"}).id
        _a_drink_between_the_evaluation_and_the_write(phone, tablet, system, patient_id, monkeypatch, "0002")
