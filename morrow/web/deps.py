"""Request dependencies: the database session, who is signed in, their actor, and CSRF protection.

A browser is signed in by the `morrow_session` cookie (HttpOnly, SameSite=Lax, Secure outside
localhost); an API client by `Authorization: Bearer <token>` from POST /api/v1/auth/token. Unsafe
requests that rely on the cookie must carry the session's CSRF token (form field or X-CSRF-Token).
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from morrow.domain.errors import DomainError, PermissionDenied
from morrow.runtime import Runtime
from morrow.services.access import check_access
from morrow.services.actors import Actor
from morrow.services.auth import SignedIn, resolve
from morrow.services.people import REQUEST_MEMO
from morrow.services.tx import reading
from morrow.web.forms import is_whole

COOKIE = "morrow_session"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_UNRESOLVED = object()


class NotSignedIn(DomainError):
    code = "not_signed_in"


class CsrfFailed(DomainError):
    code = "csrf"


def runtime(request: Request) -> Runtime:
    found: Runtime = request.app.state.runtime
    return found


async def db_session(request: Request) -> AsyncIterator[Session]:
    """The request's session (opening one does no I/O; each service opens its own transaction)."""
    with runtime(request).sessions() as session:
        session.info[REQUEST_MEMO] = {}  # patient rows and granted access checks, for this request only
        yield session


DbSession = Annotated[Session, Depends(db_session)]


def client_ip(request: HTTPConnection) -> str:
    return request.client.host if request.client else "unknown"


def bearer_token(request: HTTPConnection) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def optional_user(request: Request, db: DbSession) -> SignedIn | None:
    """Who is signed in, resolved once per request (the path's patient check and the route share it)."""
    cached = getattr(request.state, "signed_in", _UNRESOLVED)
    if cached is not _UNRESOLVED:
        return cast(SignedIn | None, cached)
    bearer = bearer_token(request)
    signed_in = resolve(db, bearer or request.cookies.get(COOKIE))
    if signed_in is not None and bearer is None and request.method in UNSAFE:
        await _check_csrf(request, signed_in)
    request.state.signed_in = signed_in
    return signed_in


async def _check_csrf(request: Request, signed_in: SignedIn) -> None:
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, signed_in.csrf_token):
        raise CsrfFailed("this form has expired; reload the page and try again", field="csrf_token")


OptionalUser = Annotated[SignedIn | None, Depends(optional_user)]


async def current_user(user: OptionalUser) -> SignedIn:
    if user is None:
        raise NotSignedIn("sign in to continue", field=None)
    return user


CurrentUser = Annotated[SignedIn, Depends(current_user)]


async def current_actor(request: Request, user: CurrentUser) -> Actor:
    return user.actor(origin=client_ip(request))


CurrentActor = Annotated[Actor, Depends(current_actor)]


def role_required(*roles: str) -> object:
    async def check(user: CurrentUser) -> SignedIn:
        if user.role not in roles:
            raise PermissionDenied("this page is not for your account", field="role")
        return user

    return Depends(check)


async def patient_in_path(request: Request, db: DbSession) -> None:
    """For every route whose path names a `{patient_id}`: the signed-in user must have access to that
    patient, checked before any form or body is read, so others learn nothing, not even the form's fields.
    Other routes are untouched (sign-in and token requests carry no CSRF token)."""
    raw = request.path_params.get("patient_id")
    if raw is None:
        return
    user = await optional_user(request, db)
    if user is None:
        raise NotSignedIn("sign in to continue", field=None)
    patient_id = int(raw) if is_whole(str(raw)) else -1
    with reading(db):
        check_access(db, user.actor(origin=client_ip(request)), patient_id)
