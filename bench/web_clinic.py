"""A large clinic for the web benchmark: 1,000 patients x 180 days, inserted in bulk.

Going through the services would take about an hour (each write is evaluated by the safety engine);
the benchmark measures reads and new check-ins, so the history is inserted directly, with scores and
diary metrics computed by the real instrument engine. Accounts go through the services.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from morrow.db.engine import make_engine, make_sessionmaker
from morrow.db.migrate import upgrade
from morrow.db.models import Alert, DoseLog, QuestionnaireResponse, SleepDiaryEntry
from morrow.instruments import score
from morrow.services.actors import Actor
from morrow.services.people import create_care_team, create_patient, create_user

PASSWORD = "bench-password-1"
CHUNK = 20_000


def build(target: Path | str, patients: int, days: int, progress: Callable[[str], None]) -> None:
    """Into an SQLite file (a path) or an empty database (a URL)."""
    engine = make_engine(target if isinstance(target, str) else f"sqlite:///{target}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    system = Actor.system("bench")
    rng = random.Random(1)
    until = date(2026, 11, 20)
    start = until - timedelta(days=days - 1)
    with sessions() as session:
        ids = [
            create_patient(session, system, {"display_name": f"Bench {i}", "timezone": "America/New_York"}).id
            for i in range(patients)
        ]
        bob = create_user(
            session,
            system,
            {"email": "bob@bench.test", "display_name": "Bob", "role": "clinician", "password": PASSWORD},
        )
        for i, patient_id in enumerate(ids[:8]):
            create_user(
                session,
                system,
                {
                    "email": f"p{i}@bench.test",
                    "display_name": f"P{i}",
                    "role": "patient",
                    "password": PASSWORD,
                    "patient_id": patient_id,
                },
            )
        create_care_team(session, system, "Bench", clinician_ids=[bob.id], patient_ids=ids)
    progress("accounts")
    doses: list[dict[str, Any]] = []
    responses: list[dict[str, Any]] = []
    nights: list[dict[str, Any]] = []
    with engine.begin() as connection:

        def flush(table: Any, rows: list[dict[str, Any]], final: bool = False) -> None:
            if rows and (final or len(rows) >= CHUNK):
                connection.execute(insert(table), rows)
                rows.clear()

        for n, patient_id in enumerate(ids):
            level = rng.uniform(0.1, 0.4)
            for d in range(days):
                day = start + timedelta(days=d)
                for k, hour in enumerate((8, 14, 20)):
                    at = datetime.combine(day, time(hour), UTC) + timedelta(hours=5)
                    doses.append(
                        {
                            "patient_id": patient_id,
                            "substance_id": "kratom",
                            "form": "leaf_powder",
                            "amount": 3.0,
                            "unit": "g",
                            "kind": "unplanned",
                            "taken_at": at,
                            "created_at": at,
                            "idempotency_key": f"b{n}-{d}-{k}",
                            "version": 1,
                        }
                    )
                items = [min(4, max(0, round(rng.gauss(4 * level, 0.7)))) for _ in range(16)]
                result = score("sows", {"items": items})
                at = datetime.combine(day, time(20, 30), UTC) + timedelta(hours=5)
                responses.append(
                    {
                        "patient_id": patient_id,
                        "instrument_id": "sows",
                        "instrument_version": "1.0",
                        "answers": {"items": items},
                        "score": result,
                        "total": result["total"],
                        "band": result["band"],
                        "rater": "self",
                        "administered_at": at,
                        "created_at": at,
                        "idempotency_key": f"s{n}-{d}",
                        "version": 1,
                    }
                )
                answers = {
                    "into_bed": "23:00",
                    "try_sleep": "23:10",
                    "sol_min": rng.randint(5, 60),
                    "nwak": 1,
                    "waso_min": rng.randint(5, 60),
                    "final_wake": "06:30",
                    "out_of_bed": "06:50",
                }
                metrics = score("csd", answers)
                nights.append(
                    {
                        "patient_id": patient_id,
                        "night_of": day,
                        "answers": answers,
                        "metrics": metrics,
                        "total_sleep_min": metrics["tst_min"],
                        "sleep_efficiency_pct": metrics["se_pct"],
                        "instrument_version": "1.0",
                        "idempotency_key": f"d{n}-{d}",
                        "version": 1,
                        "created_at": at,
                    }
                )
                flush(DoseLog, doses)
                flush(QuestionnaireResponse, responses)
                flush(SleepDiaryEntry, nights)
            if n % 100 == 99:
                progress(f"{n + 1} patients")
        flush(DoseLog, doses, final=True)
        flush(QuestionnaireResponse, responses, final=True)
        flush(SleepDiaryEntry, nights, final=True)
        now = datetime.combine(until, time(23), UTC)
        connection.execute(
            insert(Alert),
            [
                {
                    "patient_id": ids[i],
                    "rule_id": "INT-KRATOM-ALCOHOL" if i % 3 else "RF-SOWS-SEVERE",
                    "fingerprint": f"bench:{i}",
                    "severity": "urgent" if i % 3 else "warning",
                    "category": "interaction" if i % 3 else "red_flag",
                    "title": "Bench alert",
                    "status": "open",
                    "first_seen_at": now,
                    "last_seen_at": now,
                    "occurrences": 1,
                    "created_at": now,
                }
                for i in range(0, patients, 7)
            ],
        )
    engine.dispose()  # closing the last connection checkpoints the WAL into the file before it is moved
