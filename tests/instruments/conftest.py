"""Fixtures for the questionnaire engine: a Typer app carrying only `morrow score`, and a way to run it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import typer

from morrow.cli.score import register
from tests.cli_runner import CliOutcome, app_with, invoke

RunScore = Callable[[str, str], CliOutcome]


@pytest.fixture
def cli_app() -> typer.Typer:
    return app_with(register)


@pytest.fixture
def run_score(cli_app: typer.Typer) -> RunScore:
    def run(instrument_id: str, stdin: str) -> CliOutcome:
        return invoke(cli_app, ["score", instrument_id], stdin)

    return run
