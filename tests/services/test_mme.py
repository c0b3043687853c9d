"""MME per day of the regimen's opioid items: numbers with their cautions, and honest gaps."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from morrow.domain.errors import PermissionDenied
from morrow.services.mme import regimen_mme
from tests.conftest import Cast
from tests.services.builders import item, set_regimen

PLAIN = {"ceiling_dose": None, "titration_max_increase": None, "titration_period_days": None, "form": None}


def test_it_adds_up_the_opioid_items_and_says_what_it_leaves_out(session: Session, cast: Cast) -> None:
    set_regimen(
        session,
        cast.alice_patient.id,
        "2026-11-01",
        item(**PLAIN, substance="oxycodone", dose=10, unit="mg", times=["08:00", "20:00"]),
        item(**PLAIN, substance="methadone", dose=20, unit="mg", times=["08:00"]),
        item(**PLAIN, substance="buprenorphine", dose=8, unit="mg", times=["08:00"]),
        item(**PLAIN, substance="melatonin", dose=2, unit="mg", times=["22:00"]),
    )
    result = regimen_mme(session, cast.actor(cast.bob), cast.alice_patient.id, date(2026, 11, 20))
    rows = [(i.substance, i.daily_amount, i.mme_per_day) for i in result.items]
    assert rows == [("oxycodone", 20, 30.0), ("methadone", 20, 94.0), ("buprenorphine", 8, None)]
    assert (result.total_mme_per_day, result.incomplete) == (124.0, True)
    assert "non-linear" in result.items[1].notes[0]
    assert "no MME factor" in result.items[2].notes[0]


def test_as_needed_items_count_at_their_daily_cap(session: Session, cast: Cast) -> None:
    as_needed = item(
        **PLAIN, substance="morphine", dose=5, unit="mg", schedule="as_needed", times=[], max_doses_per_day=4
    )
    set_regimen(session, cast.alice_patient.id, "2026-11-01", as_needed)
    result = regimen_mme(session, cast.actor(cast.alice), cast.alice_patient.id, date(2026, 11, 20))
    assert (result.total_mme_per_day, result.incomplete) == (20.0, False)


def test_before_any_regimen_there_is_nothing_to_add(session: Session, cast: Cast) -> None:
    result = regimen_mme(session, cast.actor(cast.bob), cast.alice_patient.id, date(2026, 11, 20))
    assert (result.regimen_id, result.items, result.total_mme_per_day) == (None, (), 0.0)


@pytest.mark.parametrize("who", ["carol", "admin"])
def test_strangers_cannot_read_it(session: Session, cast: Cast, who: str) -> None:
    with pytest.raises(PermissionDenied):
        regimen_mme(session, cast.actor(getattr(cast, who)), cast.alice_patient.id, date(2026, 11, 20))
