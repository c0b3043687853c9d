"""one live taper plan per patient and substance

Revision ID: 870ca9cc5871
Revises: 8fa9eedff4c7
Create Date: 2026-11-23 17:27:12.130423
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "870ca9cc5871"
down_revision: str | None = "8fa9eedff4c7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Fails (naming the index) on a database that already holds two live plans for one patient and substance:
    # a clinician must end one of them first (before this, two approvals at the same moment could do that).
    with op.batch_alter_table("taper_plans", schema=None) as batch_op:
        batch_op.create_index(
            "uq_taper_plans_one_live",
            ["patient_id", "substance_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('active', 'paused')"),
            postgresql_where=sa.text("status IN ('active', 'paused')"),
        )


def downgrade() -> None:
    with op.batch_alter_table("taper_plans", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_taper_plans_one_live",
            sqlite_where=sa.text("status IN ('active', 'paused')"),
            postgresql_where=sa.text("status IN ('active', 'paused')"),
        )
