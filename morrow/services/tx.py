"""The transaction boundaries every service uses: `atomic` for writes, `reading` for reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from morrow.db.engine import deferred_begin, write_gate


@contextmanager
def atomic(session: Session, *, savepoint: bool = True) -> Iterator[Session]:
    """One all-or-nothing unit. Sessions do not autobegin, so an open transaction here was begun on
    purpose by the caller (a batch, a test): join it with a SAVEPOINT and leave the commit to it.
    A new transaction queues at the database's write gate first (see `morrow.db.engine`).

    `savepoint=False` joins an open transaction without a SAVEPOINT: an error here then undoes the
    caller's whole unit, not this part alone. For a part that no caller recovers from on its own (the
    safety evaluation and the alerts read back after an entry is stored), where a SAVEPOINT and its
    RELEASE cost more than the statements they guard."""
    if session.in_transaction():
        if savepoint:
            with session.begin_nested():
                yield session
        else:
            yield session
    else:
        with write_gate(session.get_bind()), session.begin():
            yield session


@contextmanager
def reading(session: Session) -> Iterator[Session]:
    """A read-only unit: a snapshot that neither waits for writers nor holds them up (on SQLite, a
    DEFERRED transaction). Writing inside it is a mistake; use `atomic`. Inside an open transaction
    it simply reads in that transaction."""
    if session.in_transaction():
        yield session
    else:
        with deferred_begin(), session.begin():
            yield session
