"""`morrow score ID` (INSTRUMENTS.md §16): JSON in, one JSON object out; exit 2 with the error on refusal."""

from __future__ import annotations

import json

import pytest

from morrow.instruments import score
from tests.instruments.conftest import RunScore


def test_it_prints_the_same_result_as_the_python_api(run_score: RunScore) -> None:
    payload = {"items": [1, 2, 1, 1, 0, 1, 2, 0, 0], "difficulty": 1}
    outcome = run_score("phq9", json.dumps(payload))
    assert outcome.exit_code == 0
    assert outcome.body == score("phq9", payload)
    assert outcome.stdout.count("\n") == 1


@pytest.mark.parametrize("instrument", ["PHQ9", "Phq9", "phq9"])
def test_it_reads_instrument_ids_case_insensitively(run_score: RunScore, instrument: str) -> None:
    outcome = run_score(instrument, '{"items": [0,0,0,0,0,0,0,0,0]}')
    assert (outcome.exit_code, outcome.body["band"]) == (0, "minimal")


@pytest.mark.parametrize(
    ("instrument", "stdin", "code"),
    [
        ("phq9", "{not json", "invalid_json"),
        ("phq9", "", "invalid_json"),
        ("craving-vas", '{"value": NaN}', "invalid_json"),
        ("phq9", '{"items": [0]} trailing', "invalid_json"),
        ("phq9", "[0, 0, 0]", "not_an_object"),
        ("phq9", '"items"', "not_an_object"),
        ("phq9", "null", "not_an_object"),
        ("kds", '{"items": [0]}', "unknown_instrument"),
        ("phq9", '{"items": [0, 0, 0, 0, 4, 0, 0, 0, 0]}', "illegal_value"),
    ],
)
def test_it_refuses_with_exit_2_and_only_the_error_on_stdout(
    run_score: RunScore, instrument: str, stdin: str, code: str
) -> None:
    outcome = run_score(instrument, stdin)
    assert outcome.exit_code == 2
    error = outcome.body["error"]
    assert set(error) == {"code", "item", "message"}
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]


def test_it_names_the_offending_item_in_the_error(run_score: RunScore) -> None:
    items = dict.fromkeys(["pulse", "sweating", "restlessness", "pupil_size", "bone_joint_aches",
                           "runny_nose_tearing", "gi_upset", "tremor", "yawning", "anxiety_irritability",
                           "gooseflesh"], 0) | {"restlessness": 2}  # fmt: skip
    outcome = run_score("cows", json.dumps({"items": items}))
    assert outcome.body["error"]["item"] == "restlessness"
    assert outcome.body["error"]["message"] == "item 'restlessness': 2 is not a legal value (allowed: 0, 1, 3, 5)"


@pytest.mark.parametrize(("field", "bound"), [("nwak", 50), ("nap_count", 24), ("nap_min", 1440), ("ema_min", 1440)])
def test_it_scores_a_diary_at_a_bound_and_refuses_one_above_it(run_score: RunScore, field: str, bound: int) -> None:
    night = {"into_bed": "23:00", "try_sleep": "23:10", "sol_min": 10, "nwak": 1, "waso_min": 0,
             "final_wake": "06:00", "out_of_bed": "06:10"}  # fmt: skip
    accepted = run_score("csd", json.dumps(night | {field: bound}))
    assert (accepted.exit_code, accepted.body["tst_min"]) == (0, 400)
    refused = run_score("csd", json.dumps(night | {field: bound + 1}))
    assert refused.exit_code == 2
    assert refused.body["error"] == {
        "code": "out_of_range",
        "item": field,
        "message": f"'{field}': {bound + 1} is outside 0-{bound}",
    }
