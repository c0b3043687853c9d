"""Fixtures for the regimens engine: the shipped catalog, and a Typer app carrying only `morrow taper`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import typer

from morrow.catalog import Catalog, load_catalog
from morrow.cli.taper import register
from tests.cli_runner import CliOutcome, app_with, invoke

RunPlan = Callable[[str], CliOutcome]


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def cli_app() -> typer.Typer:
    return app_with(register)


@pytest.fixture
def run_plan(cli_app: typer.Typer) -> RunPlan:
    def run(stdin: str) -> CliOutcome:
        return invoke(cli_app, ["taper", "plan"], stdin)

    return run
