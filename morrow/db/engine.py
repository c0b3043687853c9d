"""Engines and sessions. SQLite gets WAL, foreign keys and real SAVEPOINTs; PostgreSQL uses psycopg 3.

Sessions are made with `autobegin=False`: every use of the database opens its transaction on purpose
(`atomic(session)` in services, `session.begin()` in readers), so no write can linger uncommitted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from morrow.domain.errors import ConfigurationError

SUPPORTED = "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"


def parse_database_url(raw: str) -> URL:
    """The URL Morrow will use; a `ConfigurationError` naming MORROW_DATABASE_URL when it is unusable."""
    try:
        url = make_url(raw.strip())
    except (ArgumentError, ValueError):
        raise ConfigurationError(
            f"MORROW_DATABASE_URL {raw!r} is not a database URL; expected {SUPPORTED}", field="database_url"
        ) from None
    backend, _, driver = url.drivername.partition("+")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        if not url.database or url.database == ":memory:" or "mode=memory" in str(url):
            raise ConfigurationError(
                "MORROW_DATABASE_URL names an in-memory SQLite database, which keeps nothing; give a file path "
                "(sqlite:///PATH)",
                field="database_url",
            )
        return url
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        return url.set(drivername="postgresql+psycopg")
    raise ConfigurationError(
        f"MORROW_DATABASE_URL uses {url.drivername!r}, which Morrow does not support; expected {SUPPORTED}",
        field="database_url",
    )


def make_engine(raw_url: str, **kwargs: Any) -> Engine:
    url = parse_database_url(raw_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    try:
        return create_engine(url, pool_pre_ping=True, **kwargs)
    except NoSuchModuleError:  # pragma: no cover - psycopg is a hard dependency
        raise ConfigurationError("PostgreSQL support needs psycopg 3 installed", field="database_url") from None


def _sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    database = url.database
    if database and not database.startswith("file:"):
        parent = Path(database).expanduser().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(
                f"MORROW_DATABASE_URL: cannot create the folder {str(parent)!r} for the database: {exc.strerror}",
                field="database_url",
            ) from None
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (needed for SAVEPOINT).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front. A deferred BEGIN starts as a read snapshot, and a
        # write after another connection's commit then fails at once (SQLITE_BUSY_SNAPSHOT), which
        # busy_timeout cannot wait out. WAL readers outside transactions are not blocked by it.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def check_connection(engine: Engine) -> None:
    """Connect once; an unreachable or misconfigured database becomes a one-line `ConfigurationError`."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        shown = engine.url.render_as_string(hide_password=True)
        raise ConfigurationError(
            f"MORROW_DATABASE_URL: cannot connect to {shown}: {reason}", field="database_url"
        ) from None


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, autobegin=False, expire_on_commit=False)
