"""Load the demo clinic through the services, one patient per transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from morrow.db.base import Base
from morrow.db.models import Patient, Regimen, User
from morrow.demo.cast import (
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    FIRST_NAMES,
    LAST_INITIALS,
    STAFF,
    TEAMS,
    TIMEZONES,
    patient_email,
)
from morrow.demo.profiles import PROFILES
from morrow.demo.simulate import Entry, PatientDays
from morrow.domain.errors import Conflict, ValidationError
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.checkins import record_response, record_sleep_diary
from morrow.services.doses import log_dose
from morrow.services.people import add_to_care_team, create_care_team, create_patient, create_user
from morrow.services.regimens import start_regimen
from morrow.services.symptoms import report_symptoms

BEDTIMES = ("22:00", "22:30", "23:00", "23:15", "23:30")
EARLIEST_UNTIL = date(2000, 12, 31)


@dataclass
class DemoSummary:
    patients: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def database_is_empty(sessions: sessionmaker[Session]) -> bool:
    with sessions() as session, session.begin():
        return (session.scalar(select(func.count(User.id))) or 0) == 0


def latest_until(now: datetime) -> date:
    """The last day that has ended in every time zone: a demo up to it has nothing in the future."""
    return now.astimezone(ZoneInfo("Etc/GMT+12")).date() - timedelta(days=1)


def only_demo_data(sessions: sessionmaker[Session]) -> bool:
    """Every account is a demo account and every patient a demo patient (patients need no account)."""
    with sessions() as session, session.begin():
        emails = session.scalars(select(User.email)).all()
        refs = session.scalars(select(Patient.clinic_ref)).all()
    return all(e.endswith("@" + DEMO_DOMAIN) for e in emails) and all(r and r.startswith("DEMO-") for r in refs)


def clear_database(sessions: sessionmaker[Session]) -> None:
    """Delete every row (demo databases only: the caller checks `only_demo_data` first), and start the
    new audit trail with a record that the old clinic was removed."""
    with sessions() as session, session.begin():
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
        audit(session, Actor.system("demo"), "replace", "demo_clinic", detail={"reason": "morrow demo --replace"})


def load_demo(
    sessions: sessionmaker[Session],
    *,
    seed: int,
    patients: int,
    days: int,
    until: date,
    on_patient: Callable[[], None] | None = None,
) -> DemoSummary:
    """`patients` patients with `days` days of history ending on `until` (inclusive)."""
    if until < EARLIEST_UNTIL:
        raise ValidationError(f"until: {until} is before {EARLIEST_UNTIL}", field="until")
    system = Actor.system("demo")
    summary = DemoSummary()
    start = until - timedelta(days=days - 1)
    with sessions() as session:
        if not database_is_empty(sessions):
            raise Conflict("the database already has accounts; the demo loads into an empty one", field="database")
        staff = {}
        for member in STAFF:
            user = create_user(
                session,
                system,
                {"email": member.email, "display_name": member.name, "role": member.role, "password": DEMO_PASSWORD},
            )
            staff[member.email] = user
            summary.logins.append((member.role, member.email, member.team or "all teams (no clinical data)"))
        clinicians = [u for u in staff.values() if u.role == "clinician"]
        teams = [
            create_care_team(session, system, name, clinician_ids=[clinicians[i].id], patient_ids=[])
            for i, name in enumerate(TEAMS)
        ]
        for index in range(patients):
            rng = Random(f"{seed}:{index}")  # noqa: S311 - demo data, not security
            profile = PROFILES[index % len(PROFILES)]
            first = FIRST_NAMES[index % len(FIRST_NAMES)]
            name = f"{first} {LAST_INITIALS[rng.randrange(len(LAST_INITIALS))]}."
            zone = "America/New_York" if index == 0 else rng.choice(TIMEZONES)
            bedtime = rng.choice(BEDTIMES)
            patient = create_patient(
                session,
                system,
                {
                    "display_name": name,
                    "timezone": zone,
                    "clinic_ref": f"DEMO-{index + 1:03d}",
                    "birth_year": rng.randint(1958, 2002),
                    "usual_bedtime": bedtime,
                    "opioid_abstinent_since": (start - timedelta(days=30)).isoformat() if profile.kratom_user else None,
                },
            )
            email = patient_email(index, first)
            account = create_user(
                session,
                system,
                {
                    "email": email,
                    "display_name": name,
                    "role": "patient",
                    "password": DEMO_PASSWORD,
                    "patient_id": patient.id,
                },
            )
            if index < 3:
                summary.logins.append(("patient", email, f"{name} ({profile.name.replace('_', ' ')})"))
            team = index % len(TEAMS)
            add_to_care_team(session, system, teams[team].id, patient_ids=[patient.id])
            days_of = PatientDays(rng, index, profile, zone, bedtime, start, days)
            patient_actor = Actor(user_id=account.id, label=email, role="patient", origin="demo")
            clinician = clinicians[team]
            clinician_actor = Actor(user_id=clinician.id, label=clinician.email, role="clinician", origin="demo")
            with session.begin():
                _apply(session, patient.id, days_of.build(), patient_actor, clinician_actor, summary.counts)
            summary.patients += 1
            if on_patient is not None:
                on_patient()
    return summary


def _apply(
    session: Session, patient_id: int, entries: list[Entry], patient: Actor, clinician: Actor, counts: Counter[str]
) -> None:
    regimens: dict[str, Regimen] = {}
    for entry in entries:
        actor = clinician if entry.by_clinician else patient
        if entry.kind == "regimen":
            regimens[entry.payload["starts_on"]] = start_regimen(session, actor, patient_id, entry.payload)
        elif entry.kind == "dose":
            payload = dict(entry.payload)
            link = payload.pop("regimen_item", None)
            if link is not None:
                starts_on, position = link
                payload["regimen_item_id"] = regimens[starts_on].items[position].id
            log_dose(session, actor, patient_id, payload, now=entry.at)
        elif entry.kind == "response":
            record_response(session, actor, patient_id, entry.payload, now=entry.at)
        elif entry.kind == "diary":
            record_sleep_diary(session, actor, patient_id, entry.payload, now=entry.at)
        elif entry.kind == "symptoms":
            report_symptoms(session, actor, patient_id, entry.payload, now=entry.at)
        counts[entry.kind] += 1
