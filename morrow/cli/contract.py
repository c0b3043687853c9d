"""The plumbing shared by the JSON contract commands (`score`, `check`, `taper plan`): one JSON object
on standard input, one on standard output, and exit 2 with a JSON error when the input is refused."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer


class MalformedInput(Exception):
    """Standard input is not one JSON object. Each command reports it in its own error shape."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def read_object(text: str, what: str = "") -> dict[str, Any]:
    try:
        payload = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc) or type(exc).__name__
        raise MalformedInput("invalid_json", f"standard input is not valid JSON: {reason}") from None
    if not isinstance(payload, dict):
        raise MalformedInput("not_an_object", f"standard input must hold one JSON object{what}")
    return payload


def emit(body: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(body, allow_nan=False, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def refuse(error: dict[str, Any]) -> NoReturn:
    emit(error)
    raise typer.Exit(2)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")  # NaN and Infinity are not JSON
