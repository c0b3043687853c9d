"""The situation built from stored data leaves out questionnaires no rule reads: prove they never matter."""

from __future__ import annotations

from typing import Any

import pytest

from morrow.instruments import get_instrument, instrument_ids
from morrow.safety import INSTRUMENTS_READ, evaluate, parse_situation
from tests.safety.conftest import situation

MAXIMAL: dict[str, dict[str, Any]] = {
    "craving-vas": {"value": 100},
    "ocs": {"items": [10, 10, 10]},
    "peg": {"items": [10, 10, 10]},
    "gad7": {"items": [3] * 7},
    "isi": {"items": [4] * 7},
    "promis-sd-8a": {"items": [5] * 8},
    "dsm5-sud": {"criteria": [True] * 11},
}


def test_every_unread_instrument_has_a_probe() -> None:
    unread = {i for i in instrument_ids() if i not in INSTRUMENTS_READ and get_instrument(i).id not in ("csd", "psqi")}
    assert unread - {"cows-pulse"} <= set(MAXIMAL)


@pytest.mark.parametrize("instrument", sorted(MAXIMAL))
def test_an_unread_questionnaire_at_its_worst_changes_no_finding(instrument: str) -> None:
    base = situation(
        [
            {"substance": "kratom", "amount": 6, "unit": "g", "taken_at": "2026-11-20T20:00:00-05:00"},
            {"substance": "alcohol", "amount": 3, "unit": "standard_drink", "taken_at": "2026-11-20T21:00:00-05:00"},
        ]
    )
    with_it = dict(base) | {
        "checkins": [{"instrument": instrument, "answers": MAXIMAL[instrument], "at": "2026-11-20T22:00:00-05:00"}]
    }
    now = parse_situation(base).now
    before = [f.to_json() for f in evaluate(parse_situation(base), now)]
    after = [f.to_json() for f in evaluate(parse_situation(with_it), now)]
    assert before == after
    assert before  # the situation itself is not empty of findings
