"""`morrow taper plan` (ARCHITECTURE.md): JSON in, one JSON object out; exit 2 with the error on refusal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import run_morrow
from tests.regimens.conftest import RunPlan

EXAMPLES = json.loads((Path(__file__).parent / "data" / "taper_examples.json").read_text(encoding="utf-8"))
EXAMPLE: dict[str, Any] = EXAMPLES["examples"][0]
OXYCODONE = EXAMPLE["stdin"]


@pytest.mark.parametrize("example", EXAMPLES["examples"], ids=lambda e: e["stdin"]["substance"])
def test_it_prints_the_worked_examples(run_plan: RunPlan, example: dict[str, Any]) -> None:
    outcome = run_plan(json.dumps(example["stdin"]))
    assert outcome.exit_code == example["exit"]
    assert outcome.body == example["stdout"]
    assert outcome.stdout.count("\n") == 1


def test_it_prints_whole_doses_as_integers_and_mme_as_decimals(run_plan: RunPlan) -> None:
    outcome = run_plan(json.dumps(OXYCODONE))
    assert '"daily_dose": 35,' in outcome.stdout
    assert '"mme_per_day": 45.0}' in outcome.stdout


def test_it_runs_as_the_real_command() -> None:
    result = run_morrow("taper", "plan", stdin=json.dumps(OXYCODONE))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == EXAMPLE["stdout"]
    assert result.stdout.count("\n") == 1


def test_it_refuses_through_the_real_command_with_exit_2() -> None:
    result = run_morrow("taper", "plan", stdin=json.dumps(OXYCODONE | {"substance": "unobtainium"}))
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"] == "unknown_substance"


def _with(**changes: Any) -> str:
    body = {k: v for k, v in (OXYCODONE | changes).items() if v is not None}
    return json.dumps(body)


@pytest.mark.parametrize(
    ("stdin", "code", "field"),
    [
        ("{not json", "invalid_json", None),
        ("", "invalid_json", None),
        ('{"current_daily_dose": NaN}', "invalid_json", None),
        ("[1, 2]", "not_an_object", None),
        (_with(substance=None), "missing_field", "substance"),
        (_with(start=None), "missing_field", "start"),
        (_with(percent=None), "missing_field", "percent"),
        (_with(substance="unobtainium"), "unknown_substance", "substance"),
        (_with(form="patch"), "unknown_form", "form"),
        (_with(unit="standard_drink"), "invalid_unit", "unit"),
        (_with(unit="tablets"), "invalid_unit", "unit"),
        (_with(current_daily_dose=0), "invalid_value", "current_daily_dose"),
        (_with(current_daily_dose=-5), "invalid_value", "current_daily_dose"),
        (_with(current_daily_dose="40"), "invalid_value", "current_daily_dose"),
        (_with(current_daily_dose=True), "invalid_value", "current_daily_dose"),
        (_with(interval_days=0), "invalid_value", "interval_days"),
        (_with(interval_days=7.5), "invalid_value", "interval_days"),
        (_with(percent=0), "invalid_value", "percent"),
        (_with(percent=101), "invalid_value", "percent"),
        (_with(min_step=0), "invalid_value", "min_step"),
        (_with(min_step=45), "invalid_value", "min_step"),
        (_with(floor=40), "invalid_value", "floor"),
        (_with(floor=50), "invalid_value", "floor"),
        (_with(floor=-1), "invalid_value", "floor"),
        (_with(method="cold_turkey"), "invalid_value", "method"),
        (_with(method="linear"), "invalid_value", "percent"),
        (_with(start="2027-02-30"), "invalid_value", "start"),
        (_with(start="20270104"), "invalid_value", "start"),
        (_with(patient="alice"), "unknown_field", "patient"),
        (_with(percent=0.001, min_step=0.001), "too_many_steps", "min_step"),
    ],
)
def test_it_refuses_with_exit_2_and_only_the_error_on_stdout(
    run_plan: RunPlan, stdin: str, code: str, field: str | None
) -> None:
    outcome = run_plan(stdin)
    assert outcome.exit_code == 2
    error = outcome.body["error"]
    assert set(error) == {"code", "field", "message"}
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
