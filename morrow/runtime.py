"""The composition root: settings, database and catalog, built once and handed down."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from morrow.catalog import Catalog, load_catalog
from morrow.db.engine import check_connection, make_engine, make_sessionmaker
from morrow.db.migrate import current_revision, head_revision
from morrow.domain.errors import ConfigurationError
from morrow.instruments import instrument_ids
from morrow.settings import Settings, load_settings


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    catalog: Catalog

    def require_migrated(self) -> None:
        """Refuse to serve a database that `morrow db upgrade` has not brought to the latest schema."""
        current, head = current_revision(self.engine), head_revision(self.engine)
        if current != head:
            where = self.engine.url.render_as_string(hide_password=True)
            raise ConfigurationError(
                f"the database at {where} is at schema {current or 'none'}, not {head}; run `morrow db upgrade`",
                field="database_url",
            )


def build_runtime(settings: Settings | None = None) -> Runtime:
    """Settings, database and knowledge, checked now: a bad setting or data file stops start-up here."""
    settings = settings or load_settings()
    instrument_ids()  # loads and validates every instrument definition
    engine = make_engine(settings.database_url)
    check_connection(engine)
    return Runtime(settings=settings, engine=engine, sessions=make_sessionmaker(engine), catalog=load_catalog())
