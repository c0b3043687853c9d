"""The transaction boundary every service uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session


@contextmanager
def atomic(session: Session) -> Iterator[Session]:
    """One all-or-nothing unit. Sessions do not autobegin, so an open transaction here was begun on
    purpose by the caller (a batch, a test): join it with a SAVEPOINT and leave the commit to it."""
    if session.in_transaction():
        with session.begin_nested():
            yield session
    else:
        with session.begin():
            yield session
