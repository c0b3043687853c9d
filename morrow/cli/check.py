"""`morrow check`: one situation as JSON on stdin, `{"findings": [...]}` on stdout (ARCHITECTURE.md)."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check_command() -> None:
        """Evaluate one situation (doses, check-ins, symptoms, regimen) read as JSON from standard input.

        Exit 0 with {"findings": [...]}, or exit 2 with {"error": {"code", "field", "message"}} when refused.
        """
        # Imported here so that `morrow --help` and other commands do not load the catalog and rules.
        from morrow.safety import SituationError, evaluate, parse_situation

        payload = _read_payload(sys.stdin.read())
        try:
            situation = parse_situation(payload)
        except SituationError as exc:
            _refuse(exc.code, exc.field, exc.message)
        findings = evaluate(situation, situation.now)
        _emit({"findings": [finding.to_json() for finding in findings]})


def _read_payload(text: str) -> dict[str, Any]:
    try:
        payload = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc) or type(exc).__name__
        _refuse("invalid_json", None, f"standard input is not valid JSON: {reason}")
    if not isinstance(payload, dict):
        _refuse("not_an_object", None, "standard input must hold one JSON object (a situation)")
    return payload


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _emit(body: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(body, allow_nan=False, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _refuse(code: str, field: str | None, message: str) -> NoReturn:
    _emit({"error": {"code": code, "field": field, "message": message}})
    raise typer.Exit(2)
