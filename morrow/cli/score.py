"""`morrow score ID`: one JSON response on stdin, one JSON result on stdout (INSTRUMENTS.md §16)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, NoReturn

import typer

from morrow.instruments import InstrumentError, score


def register(app: typer.Typer) -> None:
    @app.command("score")
    def score_command(
        instrument_id: Annotated[
            str, typer.Argument(metavar="ID", help="Instrument id, e.g. phq9, cows, csd (case-insensitive).")
        ],
    ) -> None:
        """Score one questionnaire response read as JSON from standard input.

        Exit 0 with the result, or exit 2 with {"error": {"code", "item", "message"}} when refused.
        """
        payload = _read_payload(sys.stdin.read())
        try:
            result = score(instrument_id, payload)
        except InstrumentError as exc:
            _refuse(exc)
        _emit(result)


def _read_payload(text: str) -> dict[str, Any]:
    try:
        payload = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        _refuse(InstrumentError("invalid_json", f"standard input is not valid JSON: {_reason(exc)}"))
    if not isinstance(payload, dict):
        _refuse(InstrumentError("not_an_object", "standard input must hold one JSON object"))
    return payload


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _reason(exc: BaseException) -> str:
    return exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc) or type(exc).__name__


def _emit(body: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(body, allow_nan=False) + "\n")
    sys.stdout.flush()


def _refuse(exc: InstrumentError) -> NoReturn:
    _emit(exc.to_contract_json())
    raise typer.Exit(2)
