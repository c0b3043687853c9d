"""Sleep windows: proposed from the diary, decided by a clinician, seen by the patient only once approved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from morrow.db.models import SleepWindow
from morrow.domain.errors import Conflict, PermissionDenied, ValidationError
from morrow.services.sleep_windows import current_sleep_window, decide_sleep_window, propose_sleep_window
from tests.conftest import Cast
from tests.services.builders import check_in, diary_night, local

TODAY = date(2026, 11, 20)


def nights(session: Session, cast: Cast, count: int, before: date = TODAY) -> None:
    """`count` diary nights just before `before`: 480 min in bed, 390 asleep (81.25 %)."""
    for n in range(1, count + 1):
        diary_night(session, cast.alice_patient.id, before - timedelta(days=n))


def propose(session: Session, cast: Cast, today: date = TODAY, rise_time: str | None = "06:30") -> SleepWindow:
    window, _ = propose_sleep_window(session, cast.actor(cast.bob), cast.alice_patient.id, today, rise_time=rise_time)
    return window


def approve(session: Session, cast: Cast, window_id: int) -> SleepWindow:
    return decide_sleep_window(session, cast.actor(cast.bob), window_id, {"approve": True, "reason": "agreed at visit"})


def test_it_proposes_a_first_window_from_the_mean_sleep_time(session: Session, cast: Cast) -> None:
    nights(session, cast, 7)
    window = propose(session, cast)
    assert (window.status, window.action, window.nights_used) == ("proposed", "initial", 7)
    assert (window.time_in_bed_min, window.bedtime, window.rise_time) == (390, "00:00", "06:30")
    assert (window.mean_tst_min, window.mean_se_pct, window.ess_total) == (390, 81.25, None)
    assert window.flags["flag_for_clinician"] is False


def test_it_needs_five_of_the_last_seven_nights(session: Session, cast: Cast) -> None:
    nights(session, cast, 4)
    with pytest.raises(Conflict) as caught:
        propose(session, cast)
    assert (caught.value.code, caught.value.field) == ("not_enough_data", "nights")
    with session.begin():
        assert session.scalar(select(func.count(SleepWindow.id))) == 0
    diary_night(session, cast.alice_patient.id, TODAY - timedelta(days=5))
    assert propose(session, cast).nights_used == 5


def test_the_ess_guard_sets_no_restriction_and_flags_the_clinician(session: Session, cast: Cast) -> None:
    nights(session, cast, 7)
    check_in(session, cast.alice_patient.id, "ess", {"items": [2] * 8}, local(TODAY, "09:00"), "ess-00000001")
    window = propose(session, cast)
    assert (window.time_in_bed_min, window.ess_total, window.flags["flag_for_clinician"]) == (480, 16, True)
    assert "Epworth" in window.reason


def test_the_patient_sees_the_window_only_once_approved(session: Session, cast: Cast) -> None:
    nights(session, cast, 7)
    window_id = propose(session, cast).id
    assert current_sleep_window(session, cast.actor(cast.alice), cast.alice_patient.id) is None
    approved = approve(session, cast, window_id)
    assert (approved.status, approved.decided_by_id) == ("approved", cast.bob.id)
    seen = current_sleep_window(session, cast.actor(cast.alice), cast.alice_patient.id)
    assert seen is not None
    assert seen.id == window_id


def test_a_later_proposal_adjusts_the_approved_window_and_supersedes_it_once_approved(
    session: Session, cast: Cast
) -> None:
    nights(session, cast, 7)
    first_id = approve(session, cast, propose(session, cast).id).id
    nights(session, cast, 7, TODAY + timedelta(days=7))
    later = propose(session, cast, TODAY + timedelta(days=7), rise_time=None)
    assert (later.action, later.time_in_bed_min, later.rise_time, later.bedtime) == ("shorten", 375, "06:30", "00:15")
    approve(session, cast, later.id)
    with session.begin():
        assert session.get(SleepWindow, first_id).status == "superseded"  # type: ignore[union-attr]


def test_a_decline_keeps_the_current_window_and_a_reason_is_required(session: Session, cast: Cast) -> None:
    nights(session, cast, 7)
    window_id = propose(session, cast).id
    with pytest.raises(ValidationError) as caught:
        decide_sleep_window(session, cast.actor(cast.bob), window_id, {"approve": False})
    assert caught.value.field == "reason"
    declined = decide_sleep_window(session, cast.actor(cast.bob), window_id, {"approve": False, "reason": "too short"})
    assert declined.status == "declined"
    assert current_sleep_window(session, cast.actor(cast.alice), cast.alice_patient.id) is None
    with pytest.raises(Conflict):
        approve(session, cast, window_id)


@pytest.mark.parametrize("loose", ["yes", "true", 1])
def test_only_true_or_false_is_a_decision(session: Session, cast: Cast, loose: object) -> None:
    nights(session, cast, 7)
    window_id = propose(session, cast).id
    with pytest.raises(ValidationError) as caught:
        decide_sleep_window(session, cast.actor(cast.bob), window_id, {"approve": loose, "reason": "agreed"})
    assert caught.value.field == "approve"


def test_a_new_proposal_supersedes_an_undecided_one(session: Session, cast: Cast) -> None:
    nights(session, cast, 7)
    first_id = propose(session, cast).id
    again, created = propose_sleep_window(
        session, cast.actor(cast.bob), cast.alice_patient.id, TODAY, rise_time="06:30"
    )
    assert (again.id, created) == (first_id, False)  # the same diary and rise time: the same proposal, stored once
    later = propose(session, cast, rise_time="07:00")  # a different proposal replaces the undecided one
    with session.begin():
        assert session.get(SleepWindow, first_id).status == "superseded"  # type: ignore[union-attr]
        assert session.get(SleepWindow, later.id).status == "proposed"  # type: ignore[union-attr]


@pytest.mark.parametrize("who", ["alice", "carol", "admin"])
def test_only_the_patients_clinician_proposes_and_decides(session: Session, cast: Cast, who: str) -> None:
    nights(session, cast, 7)
    actor = cast.actor(getattr(cast, who))
    with pytest.raises(PermissionDenied):
        propose_sleep_window(session, actor, cast.alice_patient.id, TODAY)
    window_id = propose(session, cast).id
    with pytest.raises(PermissionDenied):
        decide_sleep_window(session, actor, window_id, {"approve": True, "reason": "looks fine"})


@pytest.mark.parametrize("who", ["carol", "admin"])
def test_strangers_cannot_read_the_window(session: Session, cast: Cast, who: str) -> None:
    with pytest.raises(PermissionDenied):
        current_sleep_window(session, cast.actor(getattr(cast, who)), cast.alice_patient.id)
