"""Engines and sessions. SQLite gets WAL, foreign keys and real SAVEPOINTs; PostgreSQL uses psycopg 3.

Sessions are made with `autobegin=False`: every use of the database opens its transaction on purpose
(`atomic(session)` in services, `session.begin()` in readers), so no write can linger uncommitted.

SQLite has one writer at a time. A write transaction begins `IMMEDIATE` (it takes the write lock at
once), and writers of this program queue for it at a `WriteGate` (a thread lock plus an `flock` on a
file beside the database, shared by every process) rather than in SQLite's busy handler, which polls
with sleeps of 1 to 100 ms and made concurrent requests wait far longer than the work they queued
behind. Read-only transactions (`deferred_begin()`) begin `DEFERRED`: in WAL mode they read a
snapshot and neither wait for nor block the writer.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from morrow.db.prepared import send
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
        return _plain_savepoints(create_engine(url, pool_pre_ping=True, **kwargs))
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
    engine = _plain_savepoints(create_engine(url, **kwargs))
    on_disk = bool(database) and not str(database).startswith("file:")
    _GATES[engine] = WriteGate(Path(f"{database}-writer") if on_disk else None)

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
        # busy_timeout cannot wait out; so only transactions declared read-only begin DEFERRED.
        # Sent to the driver (`prepared.send`): through `exec_driver_sql` this cost about 15 µs a transaction.
        send(connection, "BEGIN" if _READ_ONLY.get() else "BEGIN IMMEDIATE").close()

    return engine


def _plain_savepoints(engine: Engine) -> Engine:
    """SAVEPOINT, RELEASE and ROLLBACK TO sent as plain SQL text. SQLAlchemy builds and compiles a new
    statement object for each (the generated names differ, so its statement cache never hits): about
    55 µs a pair against 14 µs. A write nests one to three of them (`atomic` inside `atomic`), all inside
    the write lock. The text is what the compiler writes; execution, events and error wrapping are
    SQLAlchemy's own (`exec_driver_sql`)."""
    dialect = engine.dialect
    preparer = dialect.identifier_preparer

    def name_of(name: str) -> str:
        quoted: str = preparer.format_savepoint(None, name)  # type: ignore[no-untyped-call]
        return quoted

    def do_savepoint(connection: Connection, name: str) -> None:
        connection.exec_driver_sql(f"SAVEPOINT {name_of(name)}")

    def do_rollback_to_savepoint(connection: Connection, name: str) -> None:
        connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {name_of(name)}")

    def do_release_savepoint(connection: Connection, name: str) -> None:
        connection.exec_driver_sql(f"RELEASE SAVEPOINT {name_of(name)}")

    # The dialect's documented hooks for these three statements, replaced on this engine's instance only.
    vars(dialect).update(
        do_savepoint=do_savepoint,
        do_rollback_to_savepoint=do_rollback_to_savepoint,
        do_release_savepoint=do_release_savepoint,
    )
    return engine


_READ_ONLY: ContextVar[bool] = ContextVar("morrow_read_only", default=False)


@contextmanager
def deferred_begin() -> Iterator[None]:
    """Transactions begun inside this block only read: on SQLite they begin DEFERRED (a snapshot)."""
    token = _READ_ONLY.set(True)
    try:
        yield
    finally:
        _READ_ONLY.reset(token)


class WriteGate:
    """The queue of this program's writers to one SQLite file: a re-entrant thread lock for the threads
    of a process, and an exclusive `flock` on `path` for the processes (waiters sleep in the kernel and
    wake when the holder lets go). SQLite's own lock still guards the data; this only orders the wait."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.RLock()
        self._depth = 0
        self._file: IO[bytes] | None = None
        self._pid = 0

    def _lock_file(self) -> IO[bytes] | None:
        if self._path is None:
            return None
        if self._file is None or self._pid != os.getpid():  # a forked child opens its own
            try:
                self._file = open(self._path, "ab")  # noqa: SIM115 - kept open while the engine lives
            except OSError:
                self._path = None  # a read-only folder: fall back to SQLite's busy handler alone
                return None
            self._pid = os.getpid()
            weakref.finalize(self, self._file.close)
        return self._file

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            self._depth += 1
            file = self._lock_file() if self._depth == 1 else None
            try:
                if file is not None:
                    fcntl.flock(file.fileno(), fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    if file is not None:
                        fcntl.flock(file.fileno(), fcntl.LOCK_UN)
            finally:
                self._depth -= 1


_GATES: weakref.WeakKeyDictionary[Engine, WriteGate] = weakref.WeakKeyDictionary()


def write_gate(bind: Any) -> contextlib.AbstractContextManager[None]:
    """Hold this around a write transaction on `bind` (an Engine or Connection); a no-op off SQLite."""
    engine = getattr(bind, "engine", bind)
    gate = _GATES.get(engine)
    return gate.held() if gate is not None else nullcontext()


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
