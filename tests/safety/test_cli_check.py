"""`morrow check`: the worked examples of the contract, refusals with exit 2, and nothing else on stdout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from morrow.safety import SEVERITIES
from tests.cli_helpers import run_morrow
from tests.safety.conftest import RunCli, at, dose, situation

EXAMPLES = json.loads((Path(__file__).parent / "data" / "check_examples.json").read_text())["examples"]
RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


def _matches(finding: dict[str, Any], want: dict[str, Any]) -> bool:
    return (
        (want.get("category") is None or finding["category"] == want["category"])
        and RANK[finding["severity"]] <= RANK[want["severity_at_least"]]
        and set(want.get("substances_include", [])) <= set(finding["substances"])
        and (
            "wording_mentions_any" not in want
            or any(w in finding["patient_message"] + finding["clinician_message"] for w in want["wording_mentions_any"])
        )
    )


def check_example(example: dict[str, Any], exit_code: int, stdout: str) -> None:
    assert exit_code == example["exit"], stdout
    assert stdout.count("\n") == 1
    body = json.loads(stdout)
    if example["exit"] == 2:
        assert set(body["error"]) == {"code", "field", "message"}
        assert body["error"]["field"] == example["stdout_includes"]["error"]["field"]
        return
    found = body["findings"]
    for want in example.get("must_include", []):
        assert any(_matches(f, want) for f in found), (example["what"], found)
    for unwanted in example.get("must_not_include", []):
        assert not any(_matches(f, unwanted) for f in found), (example["what"], found)
    for finding in found:
        if RANK[finding["severity"]] <= RANK["caution"]:
            assert finding["sources"]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["what"] for e in EXAMPLES])
def test_it_satisfies_every_worked_example(run_cli: RunCli, example: dict[str, Any]) -> None:
    outcome = run_cli("check", stdin=json.dumps(example["stdin"]))
    check_example(example, outcome.exit_code, outcome.stdout)


def test_it_satisfies_the_worked_examples_through_the_real_command() -> None:
    for example in EXAMPLES:
        result = run_morrow("check", stdin=json.dumps(example["stdin"]))
        assert result.stderr == "", result.stderr
        check_example(example, result.returncode, result.stdout)


def test_it_prints_findings_with_every_contract_field(run_cli: RunCli) -> None:
    raw = situation([dose("kratom", 3, "g", at(4)), dose("alcohol", 2, "standard_drink", at(1))])
    outcome = run_cli("check", stdin=json.dumps(raw))
    assert outcome.exit_code == 0
    (finding,) = outcome.body["findings"]
    assert set(finding) == {"rule_id", "severity", "category", "substances", "title", "patient_message",
                            "clinician_message", "sources", "evidence", "fingerprint"}  # fmt: skip
    assert finding["severity"] == "urgent"
    assert finding["substances"] == ["alcohol", "kratom"]
    assert "kratom-avoid-alcohol" in finding["evidence"]


def test_it_prints_an_empty_list_when_nothing_applies(run_cli: RunCli) -> None:
    outcome = run_cli("check", stdin=json.dumps(situation()))
    assert (outcome.exit_code, outcome.body) == (0, {"findings": []})


@pytest.mark.parametrize(
    ("stdin", "code", "field"),
    [
        ("{not json", "invalid_json", None),
        ("", "invalid_json", None),
        ('{"now": NaN}', "invalid_json", None),
        ("[1, 2]", "not_an_object", None),
        (json.dumps(situation(now="2026-11-20T23:00:00")), "naive_time", "now"),
        (json.dumps(situation([dose("kratomm", 1, "g", at(1))])), "unknown_substance", "doses[0].substance"),
        (json.dumps(situation([dose("kratom", -1, "g", at(1))])), "invalid_amount", "doses[0].amount"),
        (json.dumps(situation([dose("alcohol", 1, "mg", at(1))])), "unit_not_convertible", "doses[0].unit"),
        (json.dumps(situation(symptoms=[{"code": "sneezing", "at": at(1)}])), "unknown_symptom", "symptoms[0].code"),
    ],
)
def test_it_refuses_with_exit_2_and_only_the_error_on_stdout(
    run_cli: RunCli, stdin: str, code: str, field: str | None
) -> None:
    outcome = run_cli("check", stdin=stdin)
    assert outcome.exit_code == 2
    assert outcome.stdout.count("\n") == 1
    assert outcome.body["error"]["code"] == code
    assert outcome.body["error"]["field"] == field
    assert outcome.body["error"]["message"]
