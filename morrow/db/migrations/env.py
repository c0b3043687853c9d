"""Alembic environment. The engine comes from `morrow.db.migrate` (or from settings for the CLI tool)."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import JSON, Engine

import morrow.db.models  # noqa: F401 - registers every table on the metadata
from morrow.db.base import Base, UTCDateTime
from morrow.db.triggers import create_sqlite_triggers, drop_sqlite_triggers

config = context.config


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine  # type: ignore[no-any-return]
    from morrow.db.engine import make_engine
    from morrow.settings import load_settings

    return make_engine(load_settings().database_url)


def render_item(kind: str, item: Any, autogen: AutogenContext) -> str | Literal[False]:
    """Render Morrow's column types by name so migrations stay readable and portable."""
    if kind == "type" and isinstance(item, UTCDateTime):
        autogen.imports.add("import morrow.db.base")
        return "morrow.db.base.UTCDateTime()"
    if kind == "type" and isinstance(item, JSON):
        autogen.imports.add("import morrow.db.base")
        return "morrow.db.base.JSONType"
    return False


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table by copy-and-drop; with foreign keys on, dropping the old table
            # would cascade-delete (or refuse) every row that points at it. PRAGMA foreign_keys is
            # ignored inside a transaction, so it is set on the raw connection before one begins.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            if sqlite:  # a table rebuilt by a batch migration would lose them (see morrow.db.triggers)
                drop_sqlite_triggers(connection)
            context.run_migrations()
            if sqlite:
                create_sqlite_triggers(connection)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows pointing at missing rows: {broken[:5]}")
        connection.commit()
        if sqlite:
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `morrow db upgrade`")
run_migrations_online()
