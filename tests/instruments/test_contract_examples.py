"""The worked examples of the `morrow score` contract (a copy of shared/clinical/examples/score.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.instruments.conftest import RunScore

EXAMPLES_FILE = Path(__file__).parent / "data" / "score_examples.json"
EXAMPLES: list[dict[str, Any]] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))["examples"]


def includes(actual: Any, expected: Any) -> bool:
    """`actual` holds at least `expected`, comparing floats within 0.01."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and includes(actual[k], v) for k, v in expected.items())
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        return actual is expected or (isinstance(expected, str) and actual == expected)
    if isinstance(expected, int | float):
        return isinstance(actual, int | float) and not isinstance(actual, bool) and abs(actual - expected) <= 0.01
    return bool(actual == expected)


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{i}-{e['command'].split()[-1]}" for i, e in enumerate(EXAMPLES)])
def test_it_honours_the_worked_example(run_score: RunScore, example: dict[str, Any]) -> None:
    instrument = example["command"].removeprefix("morrow score ")
    outcome = run_score(instrument, json.dumps(example["stdin"]))
    assert outcome.exit_code == example["exit"], outcome.stdout
    body = outcome.body
    if example["exit"] == 0:
        assert includes(body, example["stdout_includes"]), (body, example["stdout_includes"])
    else:
        # Refusal examples show only the shape: our code, the item (or null) and a message.
        error = body["error"]
        assert set(error) == {"code", "item", "message"}
        assert isinstance(error["code"], str)
        assert error["code"]
        assert error["item"] is None or isinstance(error["item"], str)
        assert isinstance(error["message"], str)
        assert error["message"]


def test_it_covers_every_example_in_the_copy() -> None:
    assert len(EXAMPLES) == 17
