"""Migrations: an empty database reaches the latest schema, with no drift from the models."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect

from morrow.db.base import Base
from morrow.db.engine import make_engine
from morrow.db.migrate import alembic_config, check_no_drift, current_revision, head_revision, upgrade
from morrow.db.triggers import SQLITE_TRIGGERS

VERSIONS = Path(__file__).resolve().parent.parent / "morrow" / "db" / "migrations" / "versions"


def test_it_upgrades_an_empty_database_to_head_with_no_drift(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    check_no_drift(engine)
    assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}


def test_it_has_no_drift_on_the_test_database(engine: Engine) -> None:
    # On CI this is PostgreSQL: the same migrations must describe the models there too.
    assert current_revision(engine) == head_revision(engine)
    check_no_drift(engine)


def test_it_upgrades_twice_without_change(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'twice.db'}")
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)


def test_it_downgrades_to_nothing_and_back(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'down.db'}")
    upgrade(engine)
    command.downgrade(alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(engine)
    check_no_drift(engine)


def test_migration_files_are_date_prefixed() -> None:
    names = sorted(p.name for p in VERSIONS.glob("*.py"))
    assert names, "no migrations found"
    for name in names:
        assert re.fullmatch(r"\d{8}_[0-9a-z]+_[0-9a-z_]+\.py", name), name


BATCH_REBUILD = '''"""rebuild regimens and patients, as a batch migration on SQLite does"""
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("regimens", recreate="always"):
        pass
    with op.batch_alter_table("patients", recreate="always"):
        pass


def downgrade() -> None:
    pass
'''


def test_a_batch_migration_keeps_every_row_that_points_at_a_rebuilt_table(tmp_path: Path) -> None:
    import shutil

    from sqlalchemy import func, select

    from morrow.db.engine import make_sessionmaker
    from morrow.db.models import DoseLog, RegimenItem
    from morrow.demo.loader import load_demo

    engine = make_engine(f"sqlite:///{tmp_path / 'batch.db'}")
    upgrade(engine)
    load_demo(make_sessionmaker(engine), seed=1, patients=2, days=3, until=date(2026, 11, 20))

    def counts() -> tuple[int, int]:
        with make_sessionmaker(engine)() as session, session.begin():
            items = session.scalar(select(func.count(RegimenItem.id))) or 0
            linked = session.scalar(select(func.count(DoseLog.id)).where(DoseLog.regimen_item_id.is_not(None))) or 0
        return items, linked

    before = counts()
    assert before[0] > 0
    assert before[1] > 0
    scripts = tmp_path / "migrations"
    shutil.copytree(VERSIONS.parent, scripts)
    (scripts / "versions" / "20990101_9999_batch_rebuild.py").write_text(
        BATCH_REBUILD.format(head=head_revision(engine))
    )
    command.upgrade(alembic_config(engine, str(scripts)), "head")
    assert counts() == before
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    # The rebuilt tables lost their triggers with the copy; the migration environment made them again.
    with engine.begin() as connection:
        names = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert names == set(SQLITE_TRIGGERS)
        found = connection.exec_driver_sql(
            "SELECT regimen_items.id, patients.id, patients.record_version FROM regimen_items "
            "JOIN regimens ON regimens.id = regimen_items.regimen_id JOIN patients ON patients.id = regimens.patient_id"
        ).first()
        assert found is not None
        item, patient, was = found
        connection.exec_driver_sql(f"UPDATE regimen_items SET ceiling_dose = 99 WHERE id = {item}")
        connection.exec_driver_sql(f"UPDATE patients SET pregnant = NOT pregnant WHERE id = {patient}")
        now = connection.exec_driver_sql(f"SELECT record_version FROM patients WHERE id = {patient}").scalar()
        assert now == was + 2
