"""patient record version, bumped by triggers

Revision ID: b7d1e0c4a9f2
Revises: 870ca9cc5871
Create Date: 2026-11-23 21:30:00

`patients.record_version` counts every change to what the safety rules read of a patient: their facts
(time zone, pregnancy, abstinence and taper dates) and their doses, questionnaire responses, symptom
reports, regimens and regimen items. Triggers bump it, so that no code path can forget to: a write that
evaluated the record before taking the write lock compares the version to see whether the record moved
in between (`morrow.services.alerts`). PostgreSQL's triggers are created here; SQLite's are kept by the
migration environment (`morrow.db.triggers` says why).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d1e0c4a9f2"
down_revision: str | None = "870ca9cc5871"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECORD_TABLES = ("dose_logs", "questionnaire_responses", "symptom_reports", "regimens")
FACTS = ("timezone", "pregnant", "opioid_abstinent_since", "taper_completed_on")
BUMP = "UPDATE patients SET record_version = record_version + 1 WHERE id = {}"
ITEM_PATIENT = "(SELECT patient_id FROM regimens WHERE id = {}.regimen_id)"


def upgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_version", sa.BigInteger(), server_default="0", nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    # On SQLite the migration environment creates the triggers after every run (morrow.db.triggers).


def _postgresql_triggers() -> None:
    for name, patient in (("record", "{}.patient_id"), ("item", ITEM_PATIENT)):
        op.execute(
            f"""
            CREATE FUNCTION morrow_bump_{name}_version() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    {BUMP.format(patient.format("OLD"))};
                END IF;
                IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND {patient.format("NEW")} IS DISTINCT FROM
                                        {patient.format("OLD")}) THEN
                    {BUMP.format(patient.format("NEW"))};
                END IF;
                RETURN NULL;
            END $$
            """
        )
    for table in (*RECORD_TABLES, "regimen_items"):
        function = "item" if table == "regimen_items" else "record"
        op.execute(
            f"CREATE TRIGGER {table}_record_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION morrow_bump_{function}_version()"
        )
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FACTS)
    op.execute(
        f"""
        CREATE FUNCTION morrow_bump_facts_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF {changed} THEN
                NEW.record_version := OLD.record_version + 1;
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER patients_record_version_facts BEFORE UPDATE ON patients "
        "FOR EACH ROW EXECUTE FUNCTION morrow_bump_facts_version()"
    )


def downgrade() -> None:
    tables = (*RECORD_TABLES, "regimen_items")
    if op.get_bind().dialect.name == "postgresql":
        for table in tables:
            op.execute(f"DROP TRIGGER {table}_record_version ON {table}")
        op.execute("DROP TRIGGER patients_record_version_facts ON patients")
        for name in ("record", "item", "facts"):
            op.execute(f"DROP FUNCTION morrow_bump_{name}_version()")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_column("record_version")
