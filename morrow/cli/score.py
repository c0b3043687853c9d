"""`morrow score ID`: one JSON response on stdin, one JSON result on stdout (INSTRUMENTS.md §16)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from morrow.cli.contract import MalformedInput, emit, read_object, refuse
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
        try:
            result = score(instrument_id, read_object(sys.stdin.read()))
        except MalformedInput as bad:
            refuse(InstrumentError(bad.code, bad.message).to_contract_json())
        except InstrumentError as exc:
            refuse(exc.to_contract_json())
        emit(result)
