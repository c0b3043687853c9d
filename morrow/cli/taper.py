"""`morrow taper plan`: a taper request as JSON on stdin, one JSON schedule on stdout (ARCHITECTURE.md)."""

from __future__ import annotations

import sys

import typer

from morrow.cli.contract import MalformedInput, emit, read_object, refuse


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
            request = parse_taper_request(read_object(sys.stdin.read()))
            schedule = plan_taper(request, load_catalog())
        except MalformedInput as bad:
            refuse({"error": {"code": bad.code, "field": None, "message": bad.message}})
        except RegimenError as exc:
            refuse(exc.to_contract_json())
        emit(schedule_to_json(schedule))

    app.add_typer(taper_app, name="taper")
