"""`morrow check`: one situation as JSON on stdin, `{"findings": [...]}` on stdout (ARCHITECTURE.md)."""

from __future__ import annotations

import sys

import typer

from morrow.cli.contract import MalformedInput, emit, read_object, refuse


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check_command() -> None:
        """Evaluate one situation (doses, check-ins, symptoms, regimen) read as JSON from standard input.

        Exit 0 with {"findings": [...]}, or exit 2 with {"error": {"code", "field", "message"}} when refused.
        """
        # Imported here so that `morrow --help` and other commands do not load the catalog and rules.
        from morrow.safety import SituationError, evaluate, parse_situation

        try:
            situation = parse_situation(read_object(sys.stdin.read(), " (a situation)"))
        except MalformedInput as bad:
            refuse({"error": {"code": bad.code, "field": None, "message": bad.message}})
        except SituationError as exc:
            refuse({"error": {"code": exc.code, "field": exc.field, "message": exc.message}})
        emit({"findings": [finding.to_json() for finding in evaluate(situation, situation.now)]})
