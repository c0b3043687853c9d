"""A sign-in's life: who a token signs in, when it stops, and its last-seen time written once a minute.

`resolve` is `look_up` (a read, which may share the caller's read-only transaction) then `keep_alive` (the
last-seen write, a transaction of its own); a check-in answered directly calls the two apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from morrow.db.models import User, UserSession
from morrow.services.auth import IDLE_TIMEOUT, SESSION_LIFETIME, keep_alive, look_up, resolve, sign_in
from morrow.services.tx import reading
from tests.conftest import PASSWORD, Cast

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _last_seen(session: Session) -> datetime:
    with reading(session):
        return session.scalars(select(UserSession.last_seen_at)).one()


def _signed_in(session: Session, cast: Cast) -> str:
    return sign_in(session, cast.alice.email, PASSWORD, ip="127.0.0.1", user_agent="test", now=T0).token


@pytest.mark.parametrize(
    ("later", "written"),
    [
        (timedelta(seconds=30), False),
        (timedelta(minutes=1), False),  # a minute exactly: not yet
        (timedelta(minutes=1, microseconds=1), True),
        (timedelta(minutes=90), True),
    ],
)
def test_the_last_seen_time_is_written_once_a_minute_at_most(
    session: Session, cast: Cast, later: timedelta, written: bool
) -> None:
    token = _signed_in(session, cast)
    signed_in = resolve(session, token, now=T0 + later)
    assert signed_in is not None
    assert signed_in.user_id == cast.alice.id
    assert _last_seen(session) == (T0 + later if written else T0)


@pytest.mark.parametrize(
    ("later", "alive"),
    [
        (IDLE_TIMEOUT - timedelta(microseconds=1), True),
        (IDLE_TIMEOUT, False),  # idle for two hours: signed out
        (SESSION_LIFETIME, False),
    ],
)
def test_a_sign_in_ends_when_idle_too_long_or_too_old(
    session: Session, cast: Cast, later: timedelta, alive: bool
) -> None:
    token = _signed_in(session, cast)
    assert (resolve(session, token, now=T0 + later) is not None) is alive


def test_a_sign_in_kept_alive_lives_to_its_lifetime_and_no_longer(session: Session, cast: Cast) -> None:
    token = _signed_in(session, cast)
    moment = T0
    while moment + timedelta(hours=1) < T0 + SESSION_LIFETIME:
        moment += timedelta(hours=1)
        assert resolve(session, token, now=moment) is not None
    assert resolve(session, token, now=T0 + SESSION_LIFETIME) is None


def test_unknown_malformed_revoked_and_deactivated_sign_no_one_in(session: Session, cast: Cast) -> None:
    token = _signed_in(session, cast)
    for unknown in (None, "", "x" * 201, token + "x"):
        assert look_up(session, unknown, now=T0) is None
    with session.begin():
        session.execute(update(User).where(User.id == cast.alice.id).values(is_active=False))
    assert look_up(session, token, now=T0) is None
    with session.begin():
        session.execute(update(User).where(User.id == cast.alice.id).values(is_active=True))
        session.execute(update(UserSession).values(revoked_at=T0))
    assert look_up(session, token, now=T0) is None


def test_a_look_up_inside_a_read_writes_nothing_and_keep_alive_writes_after_it(session: Session, cast: Cast) -> None:
    token = _signed_in(session, cast)
    later = T0 + timedelta(minutes=5)
    with reading(session):
        found = look_up(session, token, now=later)
        assert found is not None
        assert not session.new
        assert not session.dirty
    assert _last_seen(session) == T0
    keep_alive(session, found)
    assert _last_seen(session) == later
    keep_alive(session, found)  # again, as a second request seeing the same row would: no change
    assert _last_seen(session) == later
