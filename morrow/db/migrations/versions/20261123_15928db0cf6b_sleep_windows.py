"""sleep windows: CBT-I sleep-window proposals and the clinician's decision

Revision ID: 15928db0cf6b
Revises: 0001
Create Date: 2026-11-23 06:43:03.525874
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import morrow.db.base

revision: str = "15928db0cf6b"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sleep_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", morrow.db.base.UTCDateTime(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "action",
            sa.Enum(
                "initial",
                "extend",
                "hold",
                "shorten",
                name="sleep_window_action",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("nights_used", sa.Integer(), nullable=False),
        sa.Column("mean_tst_min", sa.Double(), nullable=True),
        sa.Column("mean_se_pct", sa.Double(), nullable=True),
        sa.Column("time_in_bed_min", sa.Integer(), nullable=False),
        sa.Column("bedtime", sa.String(length=5), nullable=True),
        sa.Column("rise_time", sa.String(length=5), nullable=True),
        sa.Column("ess_total", sa.Integer(), nullable=True),
        sa.Column("flags", morrow.db.base.JSONType, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "approved",
                "declined",
                "superseded",
                name="sleep_window_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", morrow.db.base.UTCDateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("created_at", morrow.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_sleep_windows_decided_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_sleep_windows_patient_id_patients"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_sleep_windows_proposed_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sleep_windows")),
    )
    with op.batch_alter_table("sleep_windows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sleep_windows_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sleep_windows_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sleep_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sleep_windows_status"))
        batch_op.drop_index(batch_op.f("ix_sleep_windows_patient_id"))

    op.drop_table("sleep_windows")
