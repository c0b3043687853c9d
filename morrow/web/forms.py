"""Reading forms: whole numbers from fields and paths, and closing what a form upload left open.

Whole numbers are ASCII digits only, at most ten of them. `str.isdigit()` accepts characters such as
"²" that `int()` then refuses, and a sign check by `lstrip("-")` lets "--1" through: both became 500s.
These never raise.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from fastapi import Request

_WHOLE = re.compile(r"[0-9]{1,10}")
_SIGNED = re.compile(r"-?[0-9]{1,10}")


def is_whole(text: str) -> bool:
    return _WHOLE.fullmatch(text.strip()) is not None


def is_signed_whole(text: str) -> bool:
    return _SIGNED.fullmatch(text.strip()) is not None


async def closing_form(request: Request) -> AsyncIterator[None]:
    """A router dependency (listed first): whoever reads the request's form (the CSRF check, a route
    calling `request.form()`), its uploaded files are closed after the request, even when it is refused.
    Starlette keeps a file part in a temporary file that nothing else closes."""
    try:
        yield
    finally:
        await request.close()
