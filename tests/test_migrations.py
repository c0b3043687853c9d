"""Migrations: an empty database reaches the latest schema, with no drift from the models."""

from __future__ import annotations

import re
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect

from morrow.db.base import Base
from morrow.db.engine import make_engine
from morrow.db.migrate import alembic_config, check_no_drift, current_revision, head_revision, upgrade

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
