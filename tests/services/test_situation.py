"""A stored record becomes the engine's situation without a trip through JSON text, and must be exactly the
situation `morrow check` would parse from the same rows written as its input (the contract it replaced)."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.catalog import load_catalog
from morrow.db.models import DoseLog, Patient
from morrow.domain.errors import DomainError
from morrow.safety import (
    SituationError,
    active_window_hours,
    evaluate,
    make_dose,
    make_doses,
    parse_situation,
    rule_book,
)
from morrow.services.actors import Actor
from morrow.services.checkins import record_response
from morrow.services.doses import log_dose
from morrow.services.situation import StoredRecord, build_situation, read_record
from morrow.services.symptoms import report_symptoms
from morrow.services.tx import atomic
from tests.conftest import Cast
from tests.services.builders import item, set_regimen

NOW = datetime(2026, 11, 21, 18, 0, tzinfo=UTC)
DOSES = [  # substance, amount, unit, form (None: the substance's default)
    ("kratom", 2.0, "g", "capsule"),
    ("kratom", 1.5, "g", "leaf_powder"),
    ("kratom", 8.0, "mg", "7oh_concentrate"),
    ("alcohol", 2.0, "standard_drink", None),
    ("fluoxetine", 20.0, "mg", None),
    ("melatonin", 3.0, "mg", "prolonged"),
    ("buprenorphine", 8.0, "mg", "sublingual_film"),
    ("gabapentin", 300.0, "mg", None),
    ("oxycodone", 10.0, "mg", "ir_tablet"),
    ("zolpidem", 5.0, "mg", None),
]
CHECKINS = [
    ("sows", {"items": [2] * 16}),
    ("sows", {"items": [0] * 16}),
    ("phq9", {"items": [1, 1, 1, 1, 1, 1, 1, 1, 2]}),
    ("craving-vas", {"value": 80}),  # a check-in the rules do not read
]
SYMPTOMS = [{"slow_breathing": 2}, {"palpitations": 1, "agitation": 0}, {"jaundice": 3, "dark_urine": 2}]

entries = st.lists(
    st.tuples(
        st.sampled_from(["dose", "checkin", "symptoms"]),
        st.integers(0, 9),
        st.integers(0, 70 * 24),  # hours before NOW: inside and outside every window
    ),
    min_size=0,
    max_size=12,
)


def as_json(record: StoredRecord) -> dict[str, Any]:
    """The same rows as a `morrow check` situation, written the way the service used to write them."""
    patient = record.patient
    return {
        "now": record.now.isoformat(),
        "patient": {
            "timezone": patient.timezone,
            "pregnant": patient.pregnant,
            "opioid_abstinent_since": patient.opioid_abstinent_since and patient.opioid_abstinent_since.isoformat(),
            "taper_completed_on": patient.taper_completed_on and patient.taper_completed_on.isoformat(),
        },
        "regimen": [
            {
                "substance": i.substance_id,
                "form": i.form,
                "max_dose": i.ceiling_dose,
                "unit": i.unit,
                "max_doses_per_day": i.max_doses_per_day,
            }
            for i in record.regimen
        ],
        "doses": [
            {
                "substance": d.substance_id,
                "form": d.form,
                "amount": d.amount,
                "unit": d.unit,
                "taken_at": d.taken_at.isoformat(),
            }
            for d in record.doses
        ],
        "checkins": [
            {"instrument": r.instrument_id, "answers": r.answers, "at": r.administered_at.isoformat()}
            for r in record.responses
        ],
        "symptoms": [{"code": code, "at": at.isoformat()} for code, at in record.reports],
    }


def _store(session: Session, actor: Actor, patient_id: int, kind: str, pick: int, hours_ago: int) -> None:
    at = NOW - timedelta(hours=hours_ago)
    key = uuid.uuid4().hex
    try:
        if kind == "dose":
            substance, amount, unit, form = DOSES[pick % len(DOSES)]
            data = {"substance": substance, "amount": amount, "unit": unit, "taken_at": at.isoformat()}
            log_dose(
                session, actor, patient_id, data | ({"form": form} if form else {}) | {"idempotency_key": key}, now=NOW
            )
        elif kind == "checkin":
            instrument, answers = CHECKINS[pick % len(CHECKINS)]
            data = {"instrument": instrument, "answers": answers, "administered_at": at.isoformat()}
            record_response(session, actor, patient_id, data | {"idempotency_key": key}, now=NOW)
        else:
            data = {"symptoms": SYMPTOMS[pick % len(SYMPTOMS)], "reported_at": at.isoformat()}
            report_symptoms(session, actor, patient_id, data | {"idempotency_key": key}, now=NOW)
    except DomainError:
        pass  # refused by the service (e.g. a dose over the regimen's ceiling): nothing was stored


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=entries, regimen=st.booleans())
def test_a_stored_record_is_the_situation_morrow_check_parses_from_it(
    session: Session, cast: Cast, entries: list[tuple[str, int, int]], regimen: bool
) -> None:
    system = Actor.system("test")
    patient_id = cast.alice_patient.id
    if regimen:
        melatonin = item(substance="melatonin", form=None, dose=3, unit="mg", ceiling_dose=5, times=["22:00"])
        with contextlib.suppress(DomainError):  # a regimen from an earlier example is still active
            set_regimen(session, patient_id, "2026-11-01", item(), melatonin)
    for kind, pick, hours_ago in entries:
        _store(session, system, patient_id, kind, pick, hours_ago)
    catalog = load_catalog()
    with atomic(session):
        patient = session.get(Patient, patient_id)
        assert patient is not None
        # Two different dates, so that a swap of the two would show (the rules read both).
        patient.opioid_abstinent_since, patient.taper_completed_on = date(2026, 10, 1), date(2026, 11, 2)
        record = read_record(session, patient, NOW, catalog)
        built = build_situation(session, patient, NOW, catalog).situation
    parsed = parse_situation(as_json(record), catalog)
    assert built == parsed
    assert evaluate(built, NOW) == evaluate(parsed, NOW)


def test_a_stored_dose_is_checked_as_a_situation_dose_is() -> None:
    catalog, new_york = load_catalog(), ZoneInfo("America/New_York")
    with pytest.raises(SituationError) as naive:
        make_dose(
            "kratom", "capsule", 2.0, "g", datetime(2026, 11, 21, 9), where="doses[3]", catalog=catalog, zone=new_york
        )
    assert (naive.value.code, naive.value.field) == ("naive_time", "doses[3].taken_at")
    with pytest.raises(SituationError) as unknown:
        make_dose("kratum", None, 2.0, "g", NOW, where="doses[0]", catalog=catalog, zone=new_york)
    assert (unknown.value.code, unknown.value.field) == ("unknown_substance", "doses[0].substance")
    with pytest.raises(SituationError) as text:
        make_dose("kratom", None, 2.0, "g", 1_700_000_000, where="doses[1]", catalog=catalog, zone=new_york)
    assert (text.value.code, text.value.field) == ("invalid_time", "doses[1].taken_at")
    dose = make_dose("kratom", None, 2000.0, "mg", NOW, where="doses[0]", catalog=catalog, zone=new_york)
    assert (dose.form, dose.amount, dose.unit, dose.local_date.isoformat()) == ("leaf_powder", 2.0, "g", "2026-11-21")


dose_kinds = st.tuples(
    st.sampled_from(["kratom", "alcohol", "fluoxetine", "melatonin", "oxycodone", "kratum"]),
    st.sampled_from([None, "capsule", "leaf_powder", "7oh_concentrate", "prolonged", "ir_tablet"]),
    st.sampled_from([2, 2.0, 1.5, 8.0, 2000.0, 0.0, -1.0, True, float("nan")]),
    st.sampled_from(["g", "mg", "standard_drink", "ml"]),
)
taken = st.one_of(
    st.integers(0, 40 * 24).map(lambda hours: NOW - timedelta(hours=hours)),
    st.just(datetime(2026, 11, 21, 9)),  # naive: refused
    st.just("2026-11-20T22:00:00-05:00"),
)
# A few kinds of dose, each taken many times (as a stored record repeats them), at times good or bad.
dose_rows = st.lists(dose_kinds, min_size=1, max_size=3).flatmap(
    lambda kinds: st.lists(st.tuples(st.sampled_from(kinds), taken).map(lambda pair: (*pair[0], pair[1])), max_size=12)
)


@given(rows=dose_rows, zone=st.sampled_from(["America/New_York", "Europe/Berlin", "Pacific/Auckland"]))
@settings(max_examples=300, deadline=None)
def test_doses_made_in_a_batch_are_the_doses_made_one_by_one(rows: list[tuple[Any, ...]], zone: str) -> None:
    """`make_doses` reuses the checks of a repeated substance, form, amount and unit; what it returns, or the
    first error it raises, must be exactly what `make_dose` row by row gives (`end` bit for bit)."""
    catalog, tz = load_catalog(), ZoneInfo(zone)

    def one_by_one() -> list[Any]:
        return [make_dose(*row, where=f"doses[{n}]", catalog=catalog, zone=tz) for n, row in enumerate(rows)]

    try:
        expected: Any = one_by_one()
    except SituationError as exc:
        expected = (exc.code, exc.field, exc.message)
    try:
        batch: Any = make_doses(rows, catalog=catalog, zone=tz)
    except SituationError as exc:
        batch = (exc.code, exc.field, exc.message)
    assert batch == expected


def test_the_record_reads_older_doses_only_of_substances_whose_window_may_reach_the_look_back(
    session: Session, cast: Cast
) -> None:
    """The dose query leaves out, in SQL, doses before the last 15 days of substances whose active window
    cannot reach the look-back. The doses it gives must be exactly those a check of every stored dose's own
    window keeps: every kind of dose, around each boundary."""
    system = Actor.system("test")
    patient_id = cast.alice_patient.id
    catalog, rules = load_catalog(), rule_book()
    lookback = timedelta(hours=rules.thresholds.lookback_hours)
    ages = [0, 24, 14 * 24, 15 * 24 - 1, 15 * 24, 15 * 24 + 1, 16 * 24, 20 * 24, 23 * 24, 24 * 24, 25 * 24, 26 * 24]
    for pick in range(len(DOSES)):
        for hours_ago in ages:
            _store(session, system, patient_id, "dose", pick, hours_ago)
    with atomic(session):
        patient = session.get(Patient, patient_id)
        assert patient is not None
        record = read_record(session, patient, NOW, catalog)
        stored = session.scalars(
            select(DoseLog).where(DoseLog.patient_id == patient_id).order_by(DoseLog.taken_at, DoseLog.id)
        ).all()
    recent_from, active_from = NOW - timedelta(days=15), NOW - lookback
    expected = [
        (d.substance_id, d.amount, d.taken_at)
        for d in stored
        if d.taken_at <= NOW
        and (
            d.taken_at >= recent_from
            or d.taken_at + timedelta(hours=active_window_hours(catalog.substance(d.substance_id), d.amount))
            >= active_from
        )
    ]
    assert [(d.substance_id, d.amount, d.taken_at) for d in record.doses] == expected
    old = {d.substance_id for d in record.doses if d.taken_at < recent_from}
    assert old == {"fluoxetine"}  # 24 days of active window; no other kind here reaches that far
    assert len(stored) == len(DOSES) * len(ages)  # all were stored: the test covers what it says
