"""Signing in and out: argon2 password checks, server-side sessions, and sign-in rate limiting."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from morrow.db.models import LoginAttempt, User, UserSession
from morrow.db.prepared import Prepared
from morrow.domain.errors import DomainError, PermissionDenied
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.passwords import hash_password, verify_password
from morrow.services.tx import atomic, reading

SESSION_LIFETIME = timedelta(hours=12)
IDLE_TIMEOUT = timedelta(hours=2)
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 30


class TooManyAttempts(DomainError):
    code = "too_many_attempts"


class SignInFailed(DomainError):
    code = "sign_in_failed"


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    role: str
    email: str
    patient_id: int | None
    token: str
    csrf_token: str

    def actor(self, origin: str) -> Actor:
        return Actor(user_id=self.user_id, label=self.email, role=self.role, origin=origin, patient_id=self.patient_id)


@cache
def _dummy_hash() -> str:
    """A real hash of a random password, for unknown e-mails: checking it costs what a real check costs."""
    return hash_password(secrets.token_urlsafe(16))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(
    session: Session, email: str, password: str, *, ip: str, user_agent: str, now: datetime | None = None
) -> SignedIn:
    """A new session for the right e-mail and password. Wrong ones get one message that does not say
    which was wrong; too many failures in 15 minutes (per e-mail, or per address) are refused."""
    moment = now or datetime.now(UTC)
    email = email.strip().lower()[:254]
    if "\x00" in email or "\x00" in password:  # never a real account; PostgreSQL text cannot hold it
        raise SignInFailed("that e-mail and password do not match an account", field="password")
    with atomic(session):
        since = moment - WINDOW
        by_email = session.scalar(
            select(func.count(LoginAttempt.id)).where(
                LoginAttempt.email == email, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False)
            )
        )
        by_ip = session.scalar(
            select(func.count(LoginAttempt.id)).where(
                LoginAttempt.ip == ip, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False)
            )
        )
        if (by_email or 0) >= MAX_FAILURES_PER_EMAIL or (by_ip or 0) >= MAX_FAILURES_PER_IP:
            raise TooManyAttempts("too many failed sign-ins; wait 15 minutes and try again", field="email")
        user = session.scalars(select(User).where(func.lower(User.email) == email)).first()
        # Verify against a dummy hash for unknown accounts so both answers take the same time.
        valid = verify_password(user.password_hash if user else _dummy_hash(), password) and user is not None
        if not valid or user is None or not user.is_active:
            session.add(LoginAttempt(email=email, ip=ip[:64], at=moment, succeeded=False))
    if not valid or user is None or not user.is_active:
        raise SignInFailed("that e-mail and password do not match an account", field="password")
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with atomic(session):
        session.add(LoginAttempt(email=email, ip=ip[:64], at=moment, succeeded=True))
        session.add(
            UserSession(
                token_hash=_hash(token),
                user_id=user.id,
                csrf_token=csrf,
                created_at=moment,
                last_seen_at=moment,
                expires_at=moment + SESSION_LIFETIME,
                ip=ip[:64],
                user_agent=user_agent[:256],
            )
        )
        user.last_login_at = moment
        audit(session, Actor(user.id, user.email, user.role, ip), "sign_in", "user", user.id)
    return SignedIn(user.id, user.role, user.email, user.patient_id, token, csrf)


def resolve(session: Session, token: str | None, *, now: datetime | None = None) -> SignedIn | None:
    """The signed-in user behind a token, or None when it is unknown, expired, idle too long or revoked.
    A read that waits for no writer; the session's last-seen time is written at most once a minute."""
    found = look_up(session, token, now=now)
    if found is None:
        return None
    keep_alive(session, found)
    return found.signed_in


@dataclass(frozen=True)
class Found:
    """A token's sign-in as `look_up` read it: whom it signs in, and what `keep_alive` needs."""

    signed_in: SignedIn
    session_id: int
    last_seen_at: datetime
    moment: datetime


def look_up(session: Session, token: str | None, *, now: datetime | None = None) -> Found | None:
    """`resolve` without its write: inside the caller's read transaction when one is open (a check-in reads
    the sign-in and the record in one snapshot). The caller then calls `keep_alive` outside it."""
    if not token or len(token) > 200:
        return None
    moment = now or datetime.now(UTC)
    with reading(session):
        found = _SIGNED_IN.first(session.connection(), {"token_hash": _hash(token)})
    if found is None:
        return None
    if found.expires_at <= moment or found.last_seen_at + IDLE_TIMEOUT <= moment or not found.is_active:
        return None
    signed_in = SignedIn(found.user_id, found.role, found.email, found.patient_id, token, found.csrf_token)
    return Found(signed_in, found.id, found.last_seen_at, moment)


def keep_alive(session: Session, found: Found) -> None:
    """Write the sign-in's last-seen time, once a minute at most (not once per request). A write of its
    own: never call it inside a read-only transaction."""
    if found.moment - found.last_seen_at > timedelta(minutes=1):
        with atomic(session):
            session.execute(
                update(UserSession)
                .where(UserSession.id == found.session_id, UserSession.last_seen_at < found.moment)
                .values(last_seen_at=found.moment)
            )


_SIGNED_IN = Prepared(
    select(
        UserSession.id,
        UserSession.expires_at,
        UserSession.last_seen_at,
        UserSession.csrf_token,
        User.id.label("user_id"),
        User.role,
        User.email,
        User.patient_id,
        User.is_active,
    )
    .join(User, User.id == UserSession.user_id)
    .where(UserSession.token_hash == bindparam("token_hash"), UserSession.revoked_at.is_(None)),
    "SignedInRow",
)


def sign_out(session: Session, token: str, *, now: datetime | None = None) -> None:
    with atomic(session):
        stored = session.scalars(select(UserSession).where(UserSession.token_hash == _hash(token))).first()
        if stored is not None and stored.revoked_at is None:
            stored.revoked_at = now or datetime.now(UTC)


def require_role(signed_in: SignedIn, *roles: str) -> None:
    if signed_in.role not in roles:
        raise PermissionDenied("this page is not for your account", field="role")
