"""The triggers that keep `patients.record_version` counting on SQLite.

The version counts every change to what the safety rules read of a patient (their facts, doses,
questionnaire responses, symptom reports, regimens and regimen items): a write that evaluated the record
before taking the write lock compares it to see whether the record moved in between
(`morrow.services.alerts`). Triggers bump it, so that no code path can forget to.

On SQLite a batch migration rebuilds a table by copy, rename and drop, which drops the table's triggers
and trips over triggers that name it. So these are not left to the migration scripts: the migration
environment drops them before every run and creates them again, as defined here, after it, once the
schema has the column (`morrow/db/migrations/env.py`). On PostgreSQL tables are altered in place and the
triggers are created by migration b7d1e0c4a9f2.
"""

from __future__ import annotations

from sqlalchemy import Connection

FACTS = ("timezone", "pregnant", "opioid_abstinent_since", "taper_completed_on")
_PATIENT_OF = {
    "dose_logs": "{}.patient_id",
    "questionnaire_responses": "{}.patient_id",
    "symptom_reports": "{}.patient_id",
    "regimens": "{}.patient_id",
    "regimen_items": "(SELECT patient_id FROM regimens WHERE id = {}.regimen_id)",
}
_BUMP = "UPDATE patients SET record_version = record_version + 1 WHERE id = {}"


def _definitions() -> dict[str, str]:
    made: dict[str, str] = {}
    for table, patient in _PATIENT_OF.items():
        new, old = patient.format("NEW"), patient.format("OLD")
        made[f"{table}_record_version_insert"] = f"AFTER INSERT ON {table} BEGIN {_BUMP.format(new)}; END"
        made[f"{table}_record_version_update"] = (
            f"AFTER UPDATE ON {table} BEGIN {_BUMP.format(old)}; {_BUMP.format(new)} AND id IS NOT {old}; END"
        )
        made[f"{table}_record_version_delete"] = f"AFTER DELETE ON {table} BEGIN {_BUMP.format(old)}; END"
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FACTS)
    made["patients_record_version_facts"] = (
        f"AFTER UPDATE OF {', '.join(FACTS)} ON patients WHEN {changed} BEGIN {_BUMP.format('NEW.id')}; END"
    )
    return made


SQLITE_TRIGGERS = _definitions()


def drop_sqlite_triggers(connection: Connection) -> None:
    for name in SQLITE_TRIGGERS:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def create_sqlite_triggers(connection: Connection) -> None:
    """Create them if the schema has the version column (a database migrated to b7d1e0c4a9f2 or later)."""
    columns = {row[1] for row in connection.exec_driver_sql("PRAGMA table_info(patients)")}
    if "record_version" not in columns:
        return
    for name, body in SQLITE_TRIGGERS.items():
        connection.exec_driver_sql(f"CREATE TRIGGER {name} {body}")
