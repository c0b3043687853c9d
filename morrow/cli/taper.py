"""`morrow taper plan`: a taper request as JSON on stdin, one JSON schedule on stdout (ARCHITECTURE.md)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:
    from morrow.regimens import RegimenError


def register(app: typer.Typer) -> None:
    taper_app = typer.Typer(help="Taper schedules, computed exactly as the clinician asks.", no_args_is_help=True)

    @taper_app.command("plan")
    def plan_command() -> None:
        """Plan a taper from one JSON request read from standard input.

        Exit 0 with {"steps", "total_days"}, or exit 2 with {"error": {"code", "field", "message"}} when refused.
        """
        # Imported here so that other commands do not pay for loading the catalog.
        from morrow.catalog import load_catalog
        from morrow.regimens import RegimenError, parse_taper_request, plan_taper, schedule_to_json

        try:
            request = parse_taper_request(_read_payload(sys.stdin.read()))
            schedule = plan_taper(request, load_catalog())
        except RegimenError as exc:
            _refuse(exc)
        _emit(schedule_to_json(schedule))

    app.add_typer(taper_app, name="taper")


def _read_payload(text: str) -> dict[str, Any]:
    from morrow.regimens import RegimenError

    try:
        payload = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise RegimenError("invalid_json", f"standard input is not valid JSON: {_reason(exc)}") from None
    if not isinstance(payload, dict):
        raise RegimenError("not_an_object", "standard input must hold one JSON object")
    return payload


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _reason(exc: BaseException) -> str:
    return exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc) or type(exc).__name__


def _emit(body: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(body, allow_nan=False) + "\n")
    sys.stdout.flush()


def _refuse(exc: RegimenError) -> NoReturn:
    _emit(exc.to_contract_json())
    raise typer.Exit(2)
