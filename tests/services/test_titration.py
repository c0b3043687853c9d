"""Dose changes: the titration rule decides what needs approval; applying one starts a new regimen version."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from morrow.db.models import AuditEvent, DoseChangeRequest, Regimen
from morrow.domain.errors import Conflict, PermissionDenied, ValidationError
from morrow.services.actors import Actor
from morrow.services.regimens import start_regimen
from morrow.services.titration import (
    applied_dose_changes,
    decide_dose_change,
    pending_dose_changes,
    propose_dose_change,
)
from tests.conftest import Cast
from tests.services.builders import item, set_regimen

NOV_10 = date(2026, 11, 10)


def regimens(session: Session) -> list[tuple[str, date, date | None, float]]:
    with session.begin():
        rows = session.scalars(select(Regimen).order_by(Regimen.id)).all()
        return [(r.status, r.starts_on, r.ends_on, r.items[0].dose) for r in rows]


def active_item_id(session: Session) -> int:
    with session.begin():
        regimen = session.scalars(select(Regimen).where(Regimen.status == "active")).one()
        return regimen.items[0].id


def propose(session: Session, cast: Cast, dose: float, today: date = NOV_10, who: str = "alice") -> DoseChangeRequest:
    actor = cast.actor(getattr(cast, who))
    return propose_dose_change(
        session, actor, active_item_id(session), {"proposed_dose": dose, "reason": "still in withdrawal"}, today
    )


def test_it_applies_an_increase_within_the_rule_without_approval_and_audits_it(session: Session, cast: Cast) -> None:
    set_regimen(session, cast.alice_patient.id)
    request = propose(session, cast, 2.5)
    assert (request.status, request.needs_approval, request.proposed_by_id) == ("applied", False, cast.alice.id)
    assert "within the rule" in (request.rule_explanation or "")
    assert regimens(session) == [("ended", date(2026, 11, 1), date(2026, 11, 9), 2), ("active", NOV_10, None, 2.5)]
    with session.begin():
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "dose_change_request")).all()
    assert list(actions) == ["propose", "apply"]
    listed = applied_dose_changes(session, cast.actor(cast.bob), datetime(2026, 1, 1, tzinfo=UTC))
    assert [r.id for r in listed] == [request.id]


def test_it_holds_an_increase_beyond_the_rule_for_approval(session: Session, cast: Cast) -> None:
    set_regimen(session, cast.alice_patient.id)
    request = propose(session, cast, 2.6)
    assert (request.status, request.needs_approval) == ("pending", True)
    assert regimens(session) == [("active", date(2026, 11, 1), None, 2)]
    assert [r.id for r in pending_dose_changes(session, cast.actor(cast.bob))] == [request.id]


def test_it_counts_an_applied_increase_for_the_rules_whole_period(session: Session, cast: Cast) -> None:
    set_regimen(session, cast.alice_patient.id)
    propose(session, cast, 2.5, NOV_10)
    assert propose(session, cast, 3, date(2026, 11, 16)).status == "pending"  # 6 days later: still in the 7
    assert propose(session, cast, 3, date(2026, 11, 17)).status == "applied"  # 7 days later: out of it


def test_it_applies_a_decrease_without_approval(session: Session, cast: Cast) -> None:
    set_regimen(session, cast.alice_patient.id)
    assert propose(session, cast, 1.5).status == "applied"
    assert regimens(session)[-1] == ("active", NOV_10, None, 1.5)


def test_it_refuses_a_dose_above_the_ceiling_from_anyone(session: Session, cast: Cast) -> None:
    set_regimen(session, cast.alice_patient.id)
    for who in ("alice", "bob"):
        with pytest.raises(ValidationError) as caught:
            propose(session, cast, 3.5, who=who)
        assert (caught.value.code, caught.value.field) == ("above_ceiling", "proposed_dose")
    assert propose(session, cast, 3, who="bob").status == "pending"  # exactly the ceiling is possible
    with session.begin():
        assert session.scalar(select(func.count(DoseChangeRequest.id))) == 1


def test_an_approval_starts_a_new_version_with_the_new_dose(session: Session, cast: Cast) -> None:
    set_regimen(session, cast.alice_patient.id)
    request_id = propose(session, cast, 3).id
    decided = decide_dose_change(
        session, cast.actor(cast.bob), request_id, {"approve": True, "reason": "reviewed SOWS"}, date(2026, 11, 12)
    )
    assert (decided.status, decided.decided_by_id, decided.decision_reason) == (
        "approved",
        cast.bob.id,
        "reviewed SOWS",
    )
    assert regimens(session) == [
        ("ended", date(2026, 11, 1), date(2026, 11, 11), 2),
        ("active", date(2026, 11, 12), None, 3),
    ]
    assert pending_dose_changes(session, cast.actor(cast.bob)) == []


def test_a_decline_keeps_the_dose(session: Session, cast: Cast) -> None:
    set_regimen(session, cast.alice_patient.id)
    request_id = propose(session, cast, 3).id
    decided = decide_dose_change(
        session, cast.actor(cast.bob), request_id, {"approve": False, "reason": "too soon"}, NOV_10
    )
    assert decided.status == "declined"
    assert regimens(session) == [("active", date(2026, 11, 1), None, 2)]
    with pytest.raises(Conflict):
        decide_dose_change(
            session, cast.actor(cast.bob), request_id, {"approve": True, "reason": "changed my mind"}, NOV_10
        )


def test_a_decision_needs_a_reason(session: Session, cast: Cast) -> None:
    set_regimen(session, cast.alice_patient.id)
    request_id = propose(session, cast, 3).id
    with pytest.raises(ValidationError) as caught:
        decide_dose_change(session, cast.actor(cast.bob), request_id, {"approve": True}, NOV_10)
    assert caught.value.field == "reason"


@pytest.mark.parametrize("loose", ["yes", "true", 1])
def test_only_true_or_false_is_a_decision(session: Session, cast: Cast, loose: object) -> None:
    set_regimen(session, cast.alice_patient.id)
    request_id = propose(session, cast, 3).id
    with pytest.raises(ValidationError) as caught:
        decide_dose_change(session, cast.actor(cast.bob), request_id, {"approve": loose, "reason": "fine"}, NOV_10)
    assert caught.value.field == "approve"


@pytest.mark.parametrize("who", ["alice", "carol", "admin"])
def test_only_the_patients_clinician_decides(session: Session, cast: Cast, who: str) -> None:
    set_regimen(session, cast.alice_patient.id)
    request_id = propose(session, cast, 3).id
    with pytest.raises(PermissionDenied):
        decide_dose_change(
            session, cast.actor(getattr(cast, who)), request_id, {"approve": True, "reason": "fine by me"}, NOV_10
        )


def test_carol_cannot_see_bobs_queue(session: Session, cast: Cast) -> None:
    set_regimen(session, cast.alice_patient.id)
    propose(session, cast, 3)
    assert pending_dose_changes(session, cast.actor(cast.carol)) == []
    with pytest.raises(PermissionDenied):
        pending_dose_changes(session, cast.actor(cast.carol), cast.alice_patient.id)
    with pytest.raises(PermissionDenied):
        pending_dose_changes(session, cast.actor(cast.alice))


@pytest.mark.parametrize("who", ["carol", "admin"])
def test_strangers_cannot_propose(session: Session, cast: Cast, who: str) -> None:
    set_regimen(session, cast.alice_patient.id)
    with pytest.raises(PermissionDenied):
        propose(session, cast, 2.5, who=who)


def test_a_second_change_on_the_day_a_version_began_is_a_conflict(session: Session, cast: Cast) -> None:
    set_regimen(session, cast.alice_patient.id)
    propose(session, cast, 1.5)
    with pytest.raises(Conflict) as caught:
        propose(session, cast, 1)
    assert caught.value.field == "today"
    assert propose(session, cast, 1, date(2026, 11, 11)).status == "applied"


def test_a_change_applied_meanwhile_withdraws_the_waiting_request(session: Session, cast: Cast) -> None:
    set_regimen(session, cast.alice_patient.id)
    pending_id = propose(session, cast, 3).id
    with pytest.raises(Conflict):  # a second request to wait beside it (or the same one, retried)
        propose(session, cast, 3)
    propose(session, cast, 1.5)  # a decrease is always possible, and applied at once
    with session.begin():
        stale = session.get_one(DoseChangeRequest, pending_id)
        assert stale.status == "withdrawn"
        assert "propose again" in (stale.decision_reason or "")
    with pytest.raises(Conflict):
        decide_dose_change(
            session, cast.actor(cast.bob), pending_id, {"approve": True, "reason": "ok then"}, date(2026, 11, 12)
        )


def test_every_other_item_is_copied_into_the_new_version(session: Session, cast: Cast) -> None:
    from tests.services.builders import item

    melatonin = item(
        substance="melatonin",
        form="prolonged",
        dose=2,
        unit="mg",
        times=[],
        minutes_before_bedtime=30,
        ceiling_dose=None,
        titration_max_increase=None,
        titration_period_days=None,
    )
    set_regimen(session, cast.alice_patient.id, "2026-11-01", item(), melatonin)
    propose(session, cast, 2.5)
    with session.begin():
        active = session.scalars(select(Regimen).where(Regimen.status == "active")).one()
        copied = [(i.substance_id, i.form, i.dose, i.minutes_before_bedtime, i.starts_on) for i in active.items]
    assert copied == [("kratom", "capsule", 2.5, None, NOV_10), ("melatonin", "prolonged", 2, 30, NOV_10)]


def test_a_dose_change_cannot_be_proposed_on_an_item_of_a_withdrawn_version(session: Session, cast: Cast) -> None:
    """A version planned from 20 November and withdrawn on the 10th by one from the 18th was never in force;
    a change proposed against its item (a stale page) is refused, naming the item, and nothing is stored."""
    system = Actor.system("test")

    def version(starts_on: str) -> Regimen:
        payload = {"title": "Kratom", "starts_on": starts_on, "items": [item(starts_on=starts_on)]}
        return start_regimen(session, system, cast.alice_patient.id, payload, today=NOV_10)

    withdrawn = version("2026-11-20").items[0].id
    version("2026-11-18")
    with pytest.raises(Conflict) as refused:
        propose_dose_change(
            session, cast.actor(cast.alice), withdrawn, {"proposed_dose": 2.5, "reason": "stale page"}, NOV_10
        )
    assert refused.value.field == "regimen_item_id"
    assert str(withdrawn) in refused.value.message
    with session.begin():
        assert session.scalar(select(func.count()).select_from(DoseChangeRequest)) == 0
