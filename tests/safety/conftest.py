"""Builders for situations, and a `morrow check` runner on a Typer app carrying only the safety commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import typer

from morrow.cli import check, evidence
from morrow.safety import Finding, evaluate, parse_situation
from tests.cli_runner import CliOutcome, app_with, invoke

NOW = "2026-11-20T23:00:00-05:00"
ZONE = "America/New_York"


def at(hours_before_now: float, now: str = NOW) -> str:
    """An ISO time `hours_before_now` hours before `now`, with `now`'s offset."""
    return (datetime.fromisoformat(now) - timedelta(hours=hours_before_now)).isoformat()


def dose(substance: str, amount: float, unit: str, taken_at: str, **extra: Any) -> dict[str, Any]:
    return {"substance": substance, "amount": amount, "unit": unit, "taken_at": taken_at, **extra}


def situation(
    doses: list[dict[str, Any]] | None = None,
    *,
    now: str = NOW,
    checkins: list[dict[str, Any]] | None = None,
    symptoms: list[dict[str, Any]] | None = None,
    regimen: list[dict[str, Any]] | None = None,
    **patient: Any,
) -> dict[str, Any]:
    return {
        "now": now,
        "patient": {"timezone": ZONE, "pregnant": False, "opioid_abstinent_since": None, "taper_completed_on": None}
        | patient,
        "regimen": regimen or [],
        "doses": doses or [],
        "checkins": checkins or [],
        "symptoms": symptoms or [],
    }


def findings(raw: dict[str, Any]) -> list[Finding]:
    parsed = parse_situation(raw)
    return evaluate(parsed, parsed.now)


def rule_ids(raw: dict[str, Any]) -> set[str]:
    return {f.rule_id for f in findings(raw)}


def only(raw: dict[str, Any], rule_id: str) -> Finding:
    hits = [f for f in findings(raw) if f.rule_id == rule_id]
    assert len(hits) == 1, [f.rule_id for f in findings(raw)]
    return hits[0]


RunCli = Callable[..., CliOutcome]


@pytest.fixture
def cli_app() -> typer.Typer:
    return app_with(check.register, evidence.register)


@pytest.fixture
def run_cli(cli_app: typer.Typer) -> RunCli:
    def run(*args: str, stdin: str = "") -> CliOutcome:
        return invoke(cli_app, args, stdin)

    return run
