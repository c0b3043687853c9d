"""Jinja2 templates, rendered with who is signed in and their CSRF token always at hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

import morrow
from morrow.services.auth import resolve

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def render(request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    if not hasattr(request.state, "signed_in"):  # an error page, or a route that did not ask who is signed in
        with request.app.state.runtime.sessions() as session:
            request.state.signed_in = resolve(session, request.cookies.get("morrow_session"))
    signed_in = request.state.signed_in
    base = {"user": signed_in, "csrf_token": signed_in.csrf_token if signed_in else "", "version": morrow.__version__}
    return TEMPLATES.TemplateResponse(request, name, base | (context or {}), status_code=status)
