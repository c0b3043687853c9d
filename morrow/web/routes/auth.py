"""Signing in and out: a form for browsers, tokens for API clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from morrow.services.auth import SignInFailed, TooManyAttempts, sign_in, sign_out
from morrow.web.deps import COOKIE, CurrentUser, DbSession, OptionalUser, bearer_token, client_ip
from morrow.web.forms import closing_form
from morrow.web.templating import render

router = APIRouter(dependencies=[Depends(closing_form)])

HOME = {"patient": "/today", "clinician": "/triage", "admin": "/admin"}


def home_for(role: str) -> str:
    return HOME.get(role, "/")


def _safe_next(target: str | None, role: str) -> str:
    # Only local paths: never redirect off-site after signing in.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return home_for(role)


def _secure(request: Request) -> bool:
    return request.url.hostname not in ("127.0.0.1", "localhost", "::1", "testserver")


@router.get("/sign-in", response_class=HTMLResponse, include_in_schema=False)
def sign_in_page(request: Request, user: OptionalUser, next: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse(_safe_next(next, user.role), status_code=303)
    return render(request, "sign_in.html", {"next": next or "", "email": ""})


@router.post("/sign-in", include_in_schema=False)
def sign_in_form(
    request: Request,
    db: DbSession,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        signed_in = sign_in(
            db, email, password, ip=client_ip(request), user_agent=request.headers.get("user-agent", "")
        )
    except (SignInFailed, TooManyAttempts) as exc:
        status = 429 if isinstance(exc, TooManyAttempts) else 401
        return render(request, "sign_in.html", {"error": exc.message, "email": email, "next": next}, status=status)
    response = RedirectResponse(_safe_next(next, signed_in.role), status_code=303)
    response.set_cookie(COOKIE, signed_in.token, httponly=True, samesite="lax", secure=_secure(request), path="/")
    return response


@router.post("/sign-out", include_in_schema=False)
def sign_out_form(request: Request, db: DbSession, user: CurrentUser) -> Response:
    sign_out(db, user.token)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


class TokenRequest(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class TokenPublic(BaseModel):
    token: str
    csrf_token: str
    user_id: int
    role: str
    patient_id: int | None


class MePublic(BaseModel):
    user_id: int
    email: str
    role: str
    patient_id: int | None


@router.post("/api/v1/auth/token", tags=["auth"], response_model=TokenPublic, status_code=201)
def create_token(request: Request, db: DbSession, body: TokenRequest) -> TokenPublic:
    """Sign in an API client: send the token as `Authorization: Bearer <token>` afterwards."""
    signed_in = sign_in(
        db, body.email, body.password, ip=client_ip(request), user_agent=request.headers.get("user-agent", "")
    )
    return TokenPublic(
        token=signed_in.token,
        csrf_token=signed_in.csrf_token,
        user_id=signed_in.user_id,
        role=signed_in.role,
        patient_id=signed_in.patient_id,
    )


@router.delete("/api/v1/auth/token", tags=["auth"], status_code=204)
def delete_token(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Sign out: the token stops working at once."""
    sign_out(db, bearer_token(request) or user.token)
    return Response(status_code=204)


@router.get("/api/v1/me", tags=["auth"], response_model=MePublic)
def me(user: CurrentUser) -> MePublic:
    return MePublic(user_id=user.user_id, email=user.email, role=user.role, patient_id=user.patient_id)
